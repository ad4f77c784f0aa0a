"""The demo street from the scenarios (demo)."""
