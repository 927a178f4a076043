#!/usr/bin/env bash
# Prepare a fresh checkout: Python venv, browser-side packages, translations, and
# (for the tests) Debian's Chromium, zbar and nginx. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-app}"   # app | test | bench (the test packages and the benchmarks' clients, no browser)

# The browser packages first: the package build maps the Socket.IO client from node_modules/ into the
# wheel, so pip cannot install the project before they are there.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing browser packages from the npm registry (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
extras=""
[ "$want" = "test" ] && extras="[test]"
[ "$want" = "bench" ] && extras="[test,bench]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing Python packages (pinned in pyproject.toml)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi

# The benchmarks' Node references (socket.io server, load generator): their own lockfile in bench/node.
if [ "$want" = "bench" ] && { [ ! -f bench/node/node_modules/.package-lock.json ] || [ bench/node/package-lock.json -nt bench/node/node_modules/.package-lock.json ]; }; then
  echo "==> installing the benchmarks' Node packages (bench/node/package-lock.json)"
  npm ci --prefix bench/node --no-audit --no-fund --loglevel=error
fi

echo "==> compiling translations"
.venv/bin/pybabel compile -d translations 2>/dev/null

if [ "$want" = "test" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ldconfig -p 2>/dev/null | grep -q libzbar.so || missing+=(libzbar0)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)  # the proxy tests run Debian's nginx (deploy/nginx.conf)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
    # The tests start their own nginx on a loopback port: the package's service is not wanted (policy-rc.d 101).
    if [[ " ${missing[*]} " == *" nginx "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod +x /usr/sbin/policy-rc.d
      trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
  fi
fi
