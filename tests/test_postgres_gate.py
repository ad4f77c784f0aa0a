"""Tests that need PostgreSQL skip with a reason without it, and never skip in CI (#2 item 10)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import postgres_gate

TESTS = Path(__file__).resolve().parent
RUN_TESTS = TESTS.parent / "scripts" / "run-tests.sh"


@pytest.mark.parametrize(
    ("environ", "how"),
    [
        ({"TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"}, None),
        ({"TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test", "CI": "1"}, None),
        ({}, "skip"),
        ({"TEST_DATABASE_URL": ""}, "skip"),
        ({"CI": "true"}, "fail"),
        ({"CI": "true", "TEST_DATABASE_URL": ""}, "fail"),
        ({"CI": "true", "POSTGRES_PASS_FOLLOWS": "1"}, "deselect"),  # run-tests.sh's SQLite pass
    ],
)
def test_what_becomes_of_a_postgres_test(environ, how):
    gate = postgres_gate(environ)
    assert (gate and gate[0]) == how
    if how == "skip":
        assert "TEST_DATABASE_URL" in gate[1]  # the reason says how to run it


def test_no_test_skips_itself_for_want_of_postgres():
    """A hand-written skipif on TEST_DATABASE_URL would skip in CI too: mark the test `postgres` instead."""
    by_hand = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in TESTS.rglob("*.py") if path != Path(__file__)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"skip(if)?\(.*TEST_DATABASE_URL", line)
    ]
    assert not by_hand, by_hand


def test_in_ci_a_postgres_test_without_postgres_fails_instead_of_skipping(tmp_path):
    """The real hook on a real module of such tests (conventions' races), in a fresh pytest."""
    environ = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "POSTGRES_PASS_FOLLOWS")}
    args = [sys.executable, "-m", "pytest", "tests/conventions/test_races.py", "-q", "-rfs", "-p", "no:cacheprovider"]
    in_ci = subprocess.run(args, cwd=TESTS.parent, env={**environ, "CI": "1"}, capture_output=True, text=True,
                           timeout=300, check=False)
    assert in_ci.returncode == 1, in_ci.stdout[-2000:]
    assert "CI must give TEST_DATABASE_URL" in in_ci.stdout and " skipped" not in in_ci.stdout
    assert re.search(r"\d+ (failed|errors?)\b", in_ci.stdout)  # an error at setup: before any fixture runs


def passes(tmp_path, **env) -> tuple[int, list[str]]:
    """Run scripts/run-tests.sh with a stand-in for Python that records each pass's environment."""
    record = tmp_path / "passes"
    stand_in = tmp_path / "python"
    stand_in.write_text('#!/bin/sh\necho "url=$TEST_DATABASE_URL follows=$POSTGRES_PASS_FOLLOWS" >> "$RECORD"\n'
                        'exit "${PYTEST_EXIT:-0}"\n')
    stand_in.chmod(0o755)
    environ = {"PATH": os.environ["PATH"], "RECORD": str(record), **env}
    result = subprocess.run([str(RUN_TESTS), str(stand_in)], env=environ, capture_output=True, text=True,
                            timeout=60, check=False)
    return result.returncode, record.read_text().splitlines() if record.exists() else []


def test_run_tests_leaves_postgres_tests_to_the_postgres_pass(tmp_path):
    code, runs = passes(tmp_path, TEST_DATABASE_URL="postgresql://pg/test", CI="1")
    assert code == 0
    assert runs == ["url= follows=1", "url=postgresql://pg/test follows="]


def test_run_tests_in_ci_without_postgres_fails(tmp_path):
    code, runs = passes(tmp_path, CI="1")
    assert code == 1
    assert runs == ["url= follows="]  # the SQLite pass fails each postgres test rather than skip it


def test_run_tests_without_postgres_runs_sqlite_only(tmp_path):
    code, runs = passes(tmp_path)
    assert code == 0 and runs == ["url= follows="]


def test_run_tests_counts_no_tests_collected_as_a_failure(tmp_path):
    code, _ = passes(tmp_path, PYTEST_EXIT="5")
    assert code == 1


@pytest.mark.parametrize(("workers", "expected"), [(None, "-n auto"), ("3", "-n 3"), ("1", "-p no:xdist")])
def test_run_tests_spreads_each_pass_over_workers(tmp_path, workers, expected):
    """One pytest-xdist worker per core by default; TEST_WORKERS sets how many, 1 none."""
    record, stand_in = tmp_path / "args", tmp_path / "python"
    stand_in.write_text('#!/bin/sh\necho "$*" >> "$RECORD"\n')
    stand_in.chmod(0o755)
    environ = {"PATH": os.environ["PATH"], "RECORD": str(record), **({"TEST_WORKERS": workers} if workers else {})}
    result = subprocess.run([str(RUN_TESTS), str(stand_in), "tests/visits"], env=environ, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert record.read_text().splitlines() == [f"-m pytest {expected} tests/visits"]
