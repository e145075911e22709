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

# npm checks each dependency's `engines` against the Node that runs npm itself, so npm on an older
# system Node (Debian's 20) warns EBADENGINE about packages the project never runs there: install
# with npm itself on the pinned Node (the `node` development dependency, fetched by `npm exec` from
# the npm registry when node_modules does not have it yet). Every `npm run` script, `npm test`
# included, then runs on that Node, first on PATH.
pinned="$(node -p 'require("./package.json").devDependencies.node')"
npm exec --yes --package="node@$pinned" -- npm install --no-audit --no-fund 2>&1 | tee .npm-install.log
# The install must not warn that a package needs another Node (issue 36): fail here if it does.
if grep -q EBADENGINE .npm-install.log; then
  echo "npm install warned EBADENGINE: a dependency needs a Node the pinned one is not" >&2
  exit 1
fi
rm -f .npm-install.log
npm exec -- node -p '`Tests run on Node ${process.version} (${process.execPath})`'
npm test
