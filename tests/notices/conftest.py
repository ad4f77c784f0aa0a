"""Fixtures for notices tests: the same local push service and devices as tests/push."""
from tests.push.fixtures import push_service, push_service_session, subscribe_device  # noqa: F401 — fixtures
