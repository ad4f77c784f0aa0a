"""The sign-in limit counts once across worker processes, per account as well as per address (issue 15.3).

Two real processes (tests/auth/limit_worker.py), each its own app as a gunicorn worker is, share the
test database; attempts alternate between them. With memory:// each would count its own half.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.config import settings_from
from app.models import Role
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """A process answering sign-in attempts."""

    def __init__(self, database_url: str, storage_uri: str, prefix: str, instance: Path):
        env = {**os.environ, "SIHEYUAN_INSTANCE": str(instance)}
        self.process = subprocess.Popen([sys.executable, "-m", "tests.auth.limit_worker", database_url, storage_uri, prefix],
                                        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def attempt(self, phone: str, password: str, ip: str, via: str) -> int:
        self.process.stdin.write(json.dumps({"phone": phone, "password": password, "ip": ip, "via": via}) + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


@pytest.fixture
def workers(request, database_url, tmp_path):
    storage = getattr(request, "param", settings_from({})["RATELIMIT_STORAGE_URI"])
    prefix = f"t{uuid.uuid4().hex[:8]}"  # one deployment: both workers count under the same keys
    pair = [Worker(database_url, storage, prefix, tmp_path) for _ in range(2)]
    yield pair
    for worker in pair:
        worker.close()


@pytest.fixture
def people(make_user, make_household):
    home = make_household()
    return [make_user(Role.RESIDENT, home, name=name) for name in ("李居民", "王阿姨", "赵大爷")]


def guesses(workers, phone: str, count: int, ips) -> list[int]:
    """`count` wrong passwords, alternating workers, page and API."""
    codes = []
    for n in range(count):
        codes.append(workers[n % 2].attempt(phone, f"wrong-{n}", next(ips), "page" if n % 4 < 2 else "api"))
    return codes


def run_limits(workers, people) -> None:
    target, neighbour, other = people
    ok = {200, 302}
    # Ten wrong passwords for one account from one address, spread over both workers: the next is refused.
    one_address = iter(["10.0.0.7"] * 20)
    codes = guesses(workers, target.phone, 10, one_address)
    assert set(codes) == {400, 401}, codes
    assert workers[0].attempt(target.phone, "wrong-again", "10.0.0.7", "page") == 429
    assert workers[1].attempt(target.phone, "wrong-again", "10.0.0.7", "api") == 429
    assert workers[1].attempt(target.phone, PASSWORD, "10.0.0.7", "api") == 429  # checked before the password
    # Another person at the same address signs in with their own password, on either worker.
    assert workers[0].attempt(neighbour.phone, PASSWORD, "10.0.0.7", "page") in ok
    assert workers[1].attempt(neighbour.phone, PASSWORD, "10.0.0.7", "api") in ok
    # One account guessed from many addresses: 20 in all, then every address is refused for it.
    many = iter(f"172.16.{n // 200}.{n % 200 + 1}" for n in range(1000))
    codes = guesses(workers, other.phone, 20, many)
    assert set(codes) == {400, 401}, codes
    assert workers[0].attempt(other.phone, "wrong-again", "192.0.2.99", "api") == 429
    assert workers[1].attempt(other.phone, "wrong-again", "192.0.2.98", "page") == 429


def test_the_default_storage_is_the_database():
    """Unset, rate limits count in the app's own database (app/config.py SETTINGS), shared by every worker."""
    assert settings_from({})["RATELIMIT_STORAGE_URI"] == "database://"


def test_the_sign_in_limit_counts_once_across_workers(workers, people):
    run_limits(workers, people)


@pytest.mark.parametrize("workers", ["redis://127.0.0.1:6379/0"], indirect=True)
def test_redis_when_configured(workers, people):
    run_limits(workers, people)


def test_an_upload_is_counted_while_its_request_writes(workers, people, database_url):
    """An upload is counted after the person is read, while its request holds SQLite's write lock: the
    counters are kept apart (app.ratelimit.counters_url), so the count neither waits for the request
    nor fails it (it waited out the busy timeout, then answered 500)."""
    resident = people[0]
    codes = [workers[n % 2].attempt(resident.phone, PASSWORD, "10.0.0.9", "upload") for n in range(3)]
    assert codes == [200, 200, 200]
