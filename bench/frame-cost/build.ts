/**
 * Bundles bench/frame-cost/app.tsx as scripts/bundle.mjs bundles the TUI (production React,
 * Ink from node_modules), with or without the fast text path, and loads it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fastTextPlugin } from '../../scripts/fast-text-plugin.mjs';
import type { mount } from './app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Variant {
  mount: typeof mount;
  /** Modules whose string-width import the fast path replaced. */
  redirected: string[];
}

export async function buildVariant(fast: boolean): Promise<Variant> {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-tui-frame-cost-'));
  const outfile = path.join(dir, fast ? 'fast.mjs' : 'reference.mjs');
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
    plugins: fast ? [fastTextPlugin({ redirected })] : [],
    logLevel: 'error',
  });
  const mod = (await import(pathToFileURL(outfile).href)) as { mount: typeof mount };
  return { mount: mod.mount, redirected: [...redirected].map((r) => r.replace(/^.*node_modules\//, "")) };
}
