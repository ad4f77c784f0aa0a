"""Fixtures for the visits tests."""
from tests.sync.fixtures import reached  # noqa: F401 — a fixture
