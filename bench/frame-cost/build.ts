/**
 * Bundles bench/frame-cost/app.tsx as scripts/bundle.mjs bundles the TUI (production React,
 * Ink from node_modules), with or without the fast text path, and loads it. With `grid`,
 * Ink's Output.get always takes its cell grid (./grid-stub.ts replaces the patch's
 * rowsWithoutGrid, node_modules/ink/build/output-rows.js): Ink as before that patch hunk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fastTextPlugin } from '../../scripts/fast-text-plugin.mjs';
import type { Plugin } from 'esbuild';
import type { mount } from './app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Variant {
  mount: typeof mount;
  /** Modules whose string-width import the fast path replaced. */
  redirected: string[];
}

/** Ink's output.js importing its grid-free rows (patches/ink+6.8.0.patch) gets the stub instead. */
const gridOnly: Plugin = {
  name: 'frame-cost-grid-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/output-rows\.js$/ }, (args) =>
      /[\\/]ink[\\/]build[\\/]output\.js$/.test(args.importer) ? { path: path.join(ROOT, 'bench/frame-cost/grid-stub.ts') } : undefined,
    );
  },
};

export async function buildVariant(fast: boolean, { grid = false }: { grid?: boolean } = {}): Promise<Variant> {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-tui-frame-cost-'));
  const outfile = path.join(dir, `${fast ? 'fast' : 'reference'}${grid ? '-grid' : ''}.mjs`);
  const redirected = new Set<string>();
  await build({
    entryPoints: [path.join(ROOT, 'bench/frame-cost/app.tsx')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    alias: { 'react-devtools-core': path.join(ROOT, 'scripts/react-devtools-stub.mjs') },
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: [...(fast ? [fastTextPlugin({ redirected })] : []), ...(grid ? [gridOnly] : [])],
    logLevel: 'error',
  });
  const mod = (await import(pathToFileURL(outfile).href)) as { mount: typeof mount };
  return { mount: mod.mount, redirected: [...redirected].map((r) => r.replace(/^.*node_modules\//, "")) };
}
