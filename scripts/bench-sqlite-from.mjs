// For `npm run bench -- tui --node` (docs/performance.md, "Node 22/24 and Ink 8: the figures
// for the support floor"): better-sqlite3 is native and the shared node_modules holds the
// build for Node 20, so a TUI run by Node 22 or 24 resolves it from a directory built for
// that Node instead, given in BENCH_BETTER_SQLITE3 (its package directory). Preloaded into the
// TUI only: --node "NODE --import ./scripts/bench-sqlite-from.mjs". Needs module.registerHooks
// (Node 22.15+, 24).
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.BENCH_BETTER_SQLITE3;
if (dir === undefined || dir === '') throw new Error('bench-sqlite-from.mjs: set BENCH_BETTER_SQLITE3 to a better-sqlite3 package directory built for this Node');
const target = pathToFileURL(path.join(path.resolve(dir), 'lib', 'index.js')).href;
registerHooks({
  resolve: (specifier, context, next) => (specifier === 'better-sqlite3' ? next(target, context) : next(specifier, context)),
});
