#!/usr/bin/env bash
# Run the suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
# pytest's exit code 5 ("no tests collected") is a failure here, not a pass.
# Tests marked `postgres` are left out of the SQLite pass when the PostgreSQL pass follows
# (POSTGRES_PASS_FOLLOWS), skipped with their reason otherwise, and failed when CI is set
# (tests/conftest.py, postgres_gate).
set -uo pipefail
python="${1:-python3}"
shift || true

# In CI a pass stops after 25 failures: something every test stands on is broken (a lock left held,
# a server that does not answer), and each browser test would wait out its 30 s on it, long past
# CI's clock, before anything was reported.
ci_opts=()
[ -n "${CI:-}" ] && ci_opts=(--maxfail=25)

# Each pass runs on pytest-xdist workers, one per core unless TEST_WORKERS says (1: no workers);
# on PostgreSQL each worker has its own database beside TEST_DATABASE_URL's (tests/conftest.py).
workers="${TEST_WORKERS:-auto}"
if [ "$workers" = "1" ]; then
  ci_opts+=(-p no:xdist)
else
  ci_opts+=(-n "$workers")
fi

run() {
  local label="$1"; shift
  echo "=== tests on $label ==="
  "$python" -m pytest "${ci_opts[@]}" "$@"
  local code=$?
  if [ "$code" -eq 5 ] && [ -n "${POSTGRES_PASS_FOLLOWS:-}" ]; then
    echo "nothing for SQLite here: every test chosen needs PostgreSQL (its pass follows)"
    return 0
  fi
  if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests on $label: failing" >&2
    return 1
  fi
  return "$code"
}

status=0
pg_url="${TEST_DATABASE_URL:-}"
follows=""
[ -n "$pg_url" ] && follows=1
TEST_DATABASE_URL="" POSTGRES_PASS_FOLLOWS="$follows" run "SQLite" "$@" || status=1
if [ -n "$pg_url" ]; then
  TEST_DATABASE_URL="$pg_url" POSTGRES_PASS_FOLLOWS="" run "PostgreSQL" "$@" || status=1
elif [ -n "${CI:-}" ]; then
  echo "CI is set but TEST_DATABASE_URL is not: the PostgreSQL run is required in CI" >&2
  status=1
fi
exit $status
