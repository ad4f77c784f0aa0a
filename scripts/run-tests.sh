#!/usr/bin/env bash
# Run the suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
# pytest's exit code 5 ("no tests collected") is a failure here, not a pass.
set -uo pipefail
python="${1:-python3}"
shift || true

run() {
  local label="$1"; shift
  echo "=== tests on $label ==="
  "$python" -m pytest "$@"
  local code=$?
  if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests on $label: failing" >&2
    return 1
  fi
  return "$code"
}

status=0
pg_url="${TEST_DATABASE_URL:-}"
TEST_DATABASE_URL="" run "SQLite" "$@" || status=1
if [ -n "$pg_url" ]; then
  TEST_DATABASE_URL="$pg_url" run "PostgreSQL" "$@" || status=1
elif [ -n "${CI:-}" ]; then
  echo "CI is set but TEST_DATABASE_URL is not: the PostgreSQL run is required in CI" >&2
  status=1
fi
exit $status
