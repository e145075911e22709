#!/usr/bin/env bash
# `npm run test:debian`: everything a fresh Debian machine needs for `npm test`, then `npm test`.
# Installs what is missing (Debian's chromium for the end-to-end tests, redis-server for the
# multi-instance tests; with sudo when not root), the npm dependencies, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian's packages…"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# As root, the embedded PostgreSQL runs as user "postgres", which must be able to enter every
# folder above the checkout to reach its binaries in node_modules (a checkout under a mode-700
# home would stop it): open the path for traversal only (no read), as the README explains.
if [ "$(id -u)" = 0 ]; then
  dir="$(pwd)"
  while [ "$dir" != "/" ]; do chmod o+x "$dir"; dir="$(dirname "$dir")"; done
fi

npm install --no-audit --no-fund
npm test
