"""Fixtures for the visits tests."""
