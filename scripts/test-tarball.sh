#!/usr/bin/env bash
# The package as a user gets it. `npm pack` makes what `npm publish` would upload (it runs
# `prepare`: patch-package, then the build); its file list and manifest are checked; it is
# installed from the tarball into a fresh prefix with a fresh npm cache, its one dependency
# (better-sqlite3) from the npm registry; then the installed bin runs: --version, a --sim
# command with --json, a bad flag, and the TUI for a moment in a pseudo-terminal.
#
# better-sqlite3's install first tries a prebuilt binary from GitHub; without that (CI has only
# the npm registry) it builds from source against Node's headers, a minute or three on 2 cores.
# Usage: bash scripts/test-tarball.sh   (CI: .ci/run, after npm test)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test-tarball: $*" >&2; exit 1; }

# --- pack -------------------------------------------------------------------------------
# (prepare's output goes to stdout with the tarball's name last, so the name is read from the folder.)
npm pack --pack-destination "$tmp" >&2
tgz="$(ls "$tmp"/upbit-tui-*.tgz)"
mkdir "$tmp/unpacked"
tar -xzf "$tgz" -C "$tmp/unpacked"

# Exactly what the bin runs: no source maps, no src/, no patches (the bundle carries the patched
# Ink), no tsc output; bounded in size. No install script of ours; no runtime dependency the
# bundle already contains.
node - "$tgz" "$tmp/unpacked/package" <<'EOF2'
const fs = require('node:fs');
const path = require('node:path');
const [tgz, root] = process.argv.slice(2);
const list = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const files = list(root).map((f) => path.relative(root, f)).sort();
const packed = fs.statSync(tgz).size;
const unpacked = files.reduce((sum, f) => sum + fs.statSync(path.join(root, f)).size, 0);
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const problems = [];
const expected = ['README.md', 'bin/upbit-tui.js', 'dist/bundle/upbit-tui.mjs', 'package.json'];
if (JSON.stringify(files) !== JSON.stringify(expected)) problems.push(`files are ${JSON.stringify(files)}, expected ${JSON.stringify(expected)}`);
const MAX_PACKED = 1_000_000;
const MAX_UNPACKED = 4_000_000;
if (packed > MAX_PACKED) problems.push(`the tarball is ${packed} bytes (at most ${MAX_PACKED})`);
if (unpacked > MAX_UNPACKED) problems.push(`unpacked it is ${unpacked} bytes (at most ${MAX_UNPACKED})`);
const scripts = manifest.scripts ?? {};
for (const s of ['preinstall', 'install', 'postinstall']) if (s in scripts) problems.push(`the manifest has an install script: ${s}: ${scripts[s]}`);
const deps = Object.keys(manifest.dependencies ?? {});
if (JSON.stringify(deps) !== '["better-sqlite3"]') problems.push(`runtime dependencies are ${JSON.stringify(deps)}; the bundle carries all but better-sqlite3`);
if (problems.length > 0) {
  console.error(`test-tarball: ${path.basename(tgz)}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${path.basename(tgz)}: ${files.length} files, ${packed} bytes packed, ${unpacked} unpacked`);
EOF2
bundle="$tmp/unpacked/package/dist/bundle/upbit-tui.mjs"
if tail -n 1 "$bundle" | grep -q 'sourceMappingURL'; then fail "the bundle points to a source map"; fi
# The bundled Ink has the incremental-render fix (patches/ink+6.8.0.patch) ...
grep -q 'cursorUp(previousLines.length - 1)' "$bundle" || fail "the bundled Ink lacks the incremental-render fix (patches/ink+6.8.0.patch)"
# ... and the bundle knows it: the renderer choice is compiled in (esbuild's define), not looked up in node_modules/ink,
# which an installed package does not have: without it the TUI would fall back to full frames.
node -e '
const code = require("fs").readFileSync(process.argv[1], "utf8");
if (!/function inkIncrementalRenderingIsSafe\(\) \{\s*(\/\/.*\s*)*if \(true\) return true;/.test(code)) {
  console.error("test-tarball: the bundle does not compile in that its Ink is fixed (scripts/bundle.mjs define UPBIT_TUI_BUNDLED_INK_FIXED)");
  process.exit(1);
}' "$bundle"

# --- install ------------------------------------------------------------------------------
# node-gyp needs Node's headers to build better-sqlite3 offline: those of the running Node when
# it has them and npm was not told where they are.
nodedir="$(npm config get nodedir 2>/dev/null || true)"
if [ -z "${npm_config_nodedir:-}" ] && { [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ] || [ "$nodedir" = "null" ]; }; then
  nodeprefix="$(dirname "$(dirname "$(command -v node)")")"
  if [ -f "$nodeprefix/include/node/node.h" ]; then export npm_config_nodedir="$nodeprefix"; fi
fi
started="$(date +%s)"
npm install --global --prefix "$tmp/prefix" --cache "$tmp/npm-cache" --no-audit --no-fund "$tgz" 2>&1 | tee "$tmp/install.log"
echo "installed in $(($(date +%s) - started)) s"
# npm lists `prepare` of a package installed from a local tarball as an install script, though
# it never runs it there (it runs prepare only for git and directory installs, and lists it only
# for non-registry sources): from the registry nothing of ours is listed. Nothing else may be.
if grep -Eq 'upbit-tui@[^ ]+ \((preinstall|install|postinstall):' "$tmp/install.log"; then fail "npm ran or listed an install script of upbit-tui"; fi
installed="$tmp/prefix/lib/node_modules/upbit-tui"
[ -d "$installed/node_modules/better-sqlite3" ] || fail "better-sqlite3 is not installed"
for bundled in ink react commander pino undici ws decimal.js patch-package; do
  if [ -e "$installed/node_modules/$bundled" ]; then fail "$bundled was installed, though the bundle carries it"; fi
done
if [ -d "$installed/dist/cli" ]; then fail "the install ran our build (prepare)"; fi

# --- run ----------------------------------------------------------------------------------
bin="$tmp/prefix/bin/upbit-tui"
home="$tmp/home"
mkdir -p "$home"
run() { env HOME="$home" XDG_STATE_HOME="$home/state" XDG_DATA_HOME="$home/data" "$bin" "$@"; }

version="$(run --version)"
[ "$version" = "$(node -p 'require("./package.json").version')" ] || fail "--version printed '$version'"

run balance --sim --json --data-dir "$tmp/data" >"$tmp/balance.json" || fail "balance --sim --json exited $?"
node -e '
const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (doc.mode !== "sim" || !Array.isArray(doc.balances) || !doc.balances.some((b) => b.currency === "KRW")) throw new Error("unexpected balance JSON: " + JSON.stringify(doc));
' "$tmp/balance.json"

set +e
run --bogus 2>"$tmp/bogus.err"
code=$?
set -e
[ "$code" = 2 ] || fail "--bogus exited $code, not 2"
grep -q "^upbit-tui: unknown option '--bogus'" "$tmp/bogus.err" || fail "--bogus printed: $(cat "$tmp/bogus.err")"

env HOME="$home" XDG_STATE_HOME="$home/state" XDG_DATA_HOME="$home/data" node scripts/check-installed-tui.mjs "$bin"
echo "test-tarball: ok"
