"""A fixture for tests that every way into a use case (page, JSON API, outbox) reaches its one command."""
import pytest

from app.commands import command_reached


@pytest.fixture
def reached():
    """The names of the commands run, in order, while the test runs."""
    names: list[str] = []

    def record(name):
        names.append(name)

    command_reached.connect(record)
    yield names
    command_reached.disconnect(record)
