"""Fixtures for notifications tests: the local push service and subscribed devices (tests/push/fixtures.py)."""
from tests.push.fixtures import push_service, push_service_session, subscribe_device  # noqa: F401 — fixtures
