#!/usr/bin/env bash
# Find Chromium for the browser tests, or install it: Debian's package where apt exists,
# Playwright's own build elsewhere.
set -euo pipefail
python="${1:-python3}"
if [ -x /usr/lib/chromium/chromium ] || [ -n "${CHROMIUM_PATH:-}" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian's chromium package for the browser tests…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
else
  echo "No apt: installing Playwright's Chromium…"
  "$python" -m playwright install chromium
fi
