#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing. Playwright drives it through
# executable_path; it never downloads a browser of its own (the machines reach no such host).
set -euo pipefail
CHROMIUM="${CSPB_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium is missing at $CHROMIUM; install Debian's 'chromium' package (as root: apt-get install chromium)." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver >/dev/null
"$CHROMIUM" --version
