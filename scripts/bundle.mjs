// One-file bundle of the CLI for start-up time: loading Ink's ~100 modules one by one costs
// ~1 s of CPU on a 2-core machine, the bundle ~0.25 s (launch → first price frame 1.28 s → 0.71 s).
// better-sqlite3 is native and stays external; react-devtools-core is only used by Ink in dev;
// is-in-ci is replaced so that CI=1 in the user's shell does not blank the TUI on a terminal.
//
// The bundle is all the package ships (package.json "files"): every other runtime dependency
// is inside it, which is why they are devDependencies. No source map unless asked for
// (UPBIT_TUI_SOURCEMAP=1 npm run build): it would be 5 MB next to a 3 MB bundle.
// Runs after tsc (npm run build), whose output it reads for the Ink check.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { fastTextPlugin } from './fast-text-plugin.mjs';

const OUTFILE = 'dist/bundle/upbit-tui.mjs';
const sourcemap = process.env.UPBIT_TUI_SOURCEMAP === '1';

// The Ink esbuild bundles is the one in node_modules: the same check the UI makes from source.
const { installedInkHasFix } = await import('../dist/ui/ink-renderer.js');
const { installedInkHasBoundedTextCaches, installedInkBuildsRowsWithoutGrid } = await import('../dist/ui/ink-renderer.js');
const inkFixed = installedInkHasFix();
// Without the bound, Ink keeps every line it ever measured (ink#986): the TUI's memory grows
// without end. No fallback can make up for it, so no bundle without it.
if (!installedInkHasBoundedTextCaches()) {
  process.stderr.write(
    'upbit-tui build: node_modules/ink lacks the bounded text caches (patches/ink+6.8.0.patch, https://github.com/vadimdemedes/ink/issues/986); run "npx patch-package" and build again.\n',
  );
  process.exit(1);
}
// Without it every frame builds Ink's cell grid, a third of a frame's cost (issue 9).
if (!installedInkBuildsRowsWithoutGrid()) {
  process.stderr.write('upbit-tui build: node_modules/ink lacks the grid-free Output rows (patches/ink+6.8.0.patch, output-rows.js); run "npx patch-package" and build again.\n');
  process.exit(1);
}
if (!inkFixed) {
  process.stderr.write(
    'upbit-tui build: node_modules/ink lacks the incremental-render fix (patches/ink+6.8.0.patch); run "npx patch-package" and build again. This bundle uses Ink\'s full-frame renderer.\n',
  );
}

// A map left by an earlier debug build would no longer match.
if (!sourcemap) rmSync(`${OUTFILE}.map`, { force: true });

// Which imports the fast text path took over (scripts/fast-text-plugin.mjs).
const redirected = new Set();
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: OUTFILE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  alias: {
    'react-devtools-core': './scripts/react-devtools-stub.mjs',
    'is-in-ci': './scripts/is-in-ci-tty.mjs',
  },
  define: { 'process.env.NODE_ENV': '"production"', UPBIT_TUI_BUNDLED_INK_FIXED: String(inkFixed) },
  banner: { js: "import { createRequire as __upbitTuiCreateRequire } from 'node:module'; const require = __upbitTuiCreateRequire(import.meta.url);" },
  plugins: [fastTextPlugin({ redirected })],
  sourcemap,
  logLevel: 'error',
});

// Ink's per-frame text work must run on the fast path; an Ink whose imports moved would
// silently go back to the general one.
const required = [
  'ink/build/output.js -> string-width',
  'ink/build/output.js -> @alcalzone/ansi-tokenize',
  'ink/build/output-rows.js -> string-width',
  'widest-line/index.js -> string-width',
];
const took = [...redirected].map((r) => r.replace(/^.*node_modules\//, ''));
const missed = required.filter((r) => !took.includes(r));
if (missed.length > 0) {
  process.stderr.write(`upbit-tui build: the fast text path did not replace ${missed.join(', ')} (scripts/fast-text-plugin.mjs); check the Ink version.\n`);
  process.exit(1);
}
