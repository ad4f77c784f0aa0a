"""Fixtures for the sync tests: a device's POST, and the test-only mutation types (tests/sync/mutations.py)."""
import pytest

from tests.sync.mutations import HOOKS, new_id, note_item  # noqa: F401 — registers the test mutation types


@pytest.fixture(autouse=True)
def reset_hooks():
    """No barrier and no planned deaths unless a test sets them."""
    HOOKS["barrier"], HOOKS["die_once"] = None, set()
    yield
    HOOKS["barrier"], HOOKS["die_once"] = None, set()


@pytest.fixture
def sync(client):
    """POST a batch to /api/v1/sync with a fresh CSRF token; returns the response."""

    def send(mutations, client_id="device-1"):
        token = client.get("/api/v1/csrf").get_json()["csrf_token"]
        return client.post("/api/v1/sync", json={"client_id": client_id, "mutations": mutations},
                           headers={"X-CSRFToken": token})

    return send
