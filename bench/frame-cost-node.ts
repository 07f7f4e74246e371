/**
 * Issue 9's support-floor question (docs/performance.md, "Node 22/24 and Ink 8: the figures
 * for the support floor"): what one frame of the ticker table costs in the Ink we ship (6.8 +
 * patches/ink+6.8.0.patch, with and without the fast text path of scripts/fast-text-plugin.mjs)
 * on Node 20, 22 and 24, against stock Ink 8 (its own React 19) on Node 22 and 24. Same screen
 * as bench/frame-cost.ts (bench/frame-cost/app.tsx, debug mode as the TUI's painter has it),
 * bundled per variant by esbuild and run by each Node in its own process, the processes
 * interleaved round by round. Frames are checked equal (with ANSI stripped, and byte for byte).
 *
 * Ink 8 is never installed in this repository; give a directory where it is:
 *   mkdir /tmp/ink8 && cd /tmp/ink8 && npm init -y && npm install ink@8 react@19
 *   npx tsx bench/frame-cost-node.ts --ink8 /tmp/ink8 --node22 "$(npx -p node@22 which node)" \
 *     --node24 "$(npx -p node@24 which node)" [--rounds 3] [--frames 100] [--blocks 5]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { fastTextPlugin } from '../scripts/fast-text-plugin.mjs';
import { CHECKED } from './frame-cost-node/checked.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    ink8: { type: 'string' },
    node22: { type: 'string' },
    node24: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    frames: { type: 'string', default: '100' },
    blocks: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});
const fail = (msg: string): never => {
  process.stderr.write(`frame-cost-node: ${msg}\n`);
  process.exit(2);
};
const ink8 = values.ink8 ?? fail('--ink8 DIR is required: a directory with ink@8 and react@19 installed (see the header of bench/frame-cost-node.ts)');
for (const dep of ['ink', 'react']) if (!existsSync(path.join(ink8, 'node_modules', dep, 'package.json'))) fail(`${ink8}/node_modules/${dep} is missing: npm install ink@8 react@19 there`);
const ink8Version = (JSON.parse(readFileSync(path.join(ink8, 'node_modules/ink/package.json'), 'utf8')) as { version: string }).version;
const nodes: Record<string, string> = { '20': process.execPath };
for (const v of ['22', '24'] as const) {
  const bin = values[`node${v}`] ?? fail(`--node${v} PATH is required (e.g. "$(npx -p node@${v} which node)")`);
  if (!existsSync(bin)) fail(`--node${v}: ${bin} does not exist`);
  nodes[v] = bin;
}

/** esbuild plugin: `ink` and `react` (and their subpaths) resolved from `dir`, as if imported there. */
function fromDir(dir: string): Plugin {
  return {
    name: 'frame-cost-node-from-dir',
    setup(b) {
      b.onResolve({ filter: /^(ink|react)(\/.*)?$/ }, async (args) => {
        if (args.pluginData === 'from-dir') return undefined;
        const found = await b.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: 'from-dir' });
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
      });
    },
  };
}

/**
 * esbuild plugin: Ink 8's own string-width imports (same 8.3 as ours) replaced by
 * src/ui/text-width.ts, i.e. what our fast width path would give on Ink 8 (its
 * @alcalzone/ansi-tokenize is 0.3, which src/ui/ansi-tokenize-fast.ts is not written for).
 */
function fastWidthIn(dir: string): Plugin {
  const fast = path.join(ROOT, 'src/ui/text-width.ts');
  const under = `${realpathSync(dir)}${path.sep}`;
  return {
    name: 'frame-cost-node-fast-width',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, (args) => (args.importer.startsWith(under) ? { path: fast } : undefined));
    },
  };
}

async function bundle(name: string, o: { fast: boolean; ink8: boolean; fastWidth?: boolean }): Promise<string> {
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'upbit-tui-frame-cost-node-')), `${name}.mjs`);
  await build({
    entryPoints: [path.join(ROOT, 'bench/frame-cost-node/runner.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    alias: { 'react-devtools-core': path.join(ROOT, 'scripts/react-devtools-stub.mjs') },
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: [...(o.fast ? [fastTextPlugin()] : []), ...(o.ink8 ? [fromDir(ink8)] : []), ...(o.fastWidth === true ? [fastWidthIn(ink8)] : [])],
    logLevel: 'error',
  });
  return outfile;
}

const bundles = [
  { variant: 'ink 6.8 + patch + fast text (ships)', file: await bundle('ink6-fast', { fast: true, ink8: false }), minNode: 20 },
  { variant: 'ink 6.8 + patch', file: await bundle('ink6', { fast: false, ink8: false }), minNode: 20 },
  { variant: `ink ${ink8Version} (stock)`, file: await bundle('ink8', { fast: false, ink8: true }), minNode: 22 }, // Ink 8: engines node >= 22
  { variant: `ink ${ink8Version} + fast width`, file: await bundle('ink8-fast-width', { fast: false, ink8: true, fastWidth: true }), minNode: 22 },
];
const combos = bundles.flatMap(({ variant, file, minNode }) =>
  Object.entries(nodes)
    .filter(([v]) => Number(v) >= minNode)
    .map(([v, bin]) => ({ key: `${variant} on node ${v}`, variant, nodeMajor: v, bin, file })),
);
type Out = { node: string; perFrame: number[]; checked: Record<string, string> };
const results = new Map<string, Out>();
const rounds = Number(values.rounds);
const loads: string[] = [readFileSync('/proc/loadavg', 'utf8').trim()];
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round, so no combination always runs first or last.
  const order = combos.map((_, i) => combos[(i + r) % combos.length]!);
  for (const c of order) {
    const raw = execFileSync(c.bin, [c.file, values.frames, values.blocks, String(r * 1000)], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1', CI: '' }, maxBuffer: 1 << 26 });
    const out = JSON.parse(raw.trim().split('\n').at(-1)!) as Out;
    const prev = results.get(c.key);
    if (prev === undefined) results.set(c.key, out);
    else prev.perFrame.push(...out.perFrame);
  }
  loads.push(readFileSync('/proc/loadavg', 'utf8').trim());
  process.stderr.write(`  round ${r + 1}/${rounds} done (load ${loads.at(-1)})\n`);
}

const CSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
const strip = (s: string): string => s.replace(CSI, '');
const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const base = results.get(combos[0]!.key)!;
const baseMedian = q(base.perFrame, 0.5);
const rows = combos.map((c) => {
  const res = results.get(c.key)!;
  const sameVisible = CHECKED.every((i) => strip(res.checked[i] ?? '') === strip(base.checked[i] ?? ''));
  const sameBytes = CHECKED.every((i) => res.checked[i] === base.checked[i]);
  return { ...c, node: res.node, median: q(res.perFrame, 0.5), p90: q(res.perFrame, 0.9), blocks: res.perFrame.length, vsShipped20: q(res.perFrame, 0.5) / baseMedian, sameVisible, sameBytes };
});
console.log(`frame-cost-node: ${rounds} rounds × ${values.blocks} blocks × ${values.frames} frames (35 rows × 120 cols, debug mode); load average ${loads.join(' → ')}`);
const w = Math.max(...rows.map((r) => r.key.length));
console.log(`  ${'variant on node'.padEnd(w)}  ms/frame median   p90  vs shipped on 20  frames equal (visible / bytes)`);
for (const r of rows) console.log(`  ${r.key.padEnd(w)}  ${r.median.toFixed(3).padStart(15)}  ${r.p90.toFixed(3).padStart(5)}  ${r.vsShipped20.toFixed(2).padStart(15)}x  ${r.sameVisible ? 'yes' : 'NO'} / ${r.sameBytes ? 'yes' : 'no'}`);
const differ = rows.filter((r) => !r.sameVisible);
if (differ.length > 0) {
  const r = differ[0]!;
  const i = CHECKED.find((k) => strip(results.get(r.key)!.checked[k] ?? '') !== strip(base.checked[k] ?? ''))!;
  console.log(`visible frames differ (${r.key}, frame ${i}):\n${JSON.stringify(strip(results.get(r.key)!.checked[i] ?? '').slice(0, 400))}\nvs\n${JSON.stringify(strip(base.checked[i] ?? '').slice(0, 400))}`);
  process.exitCode = 1;
}
if (!values['no-write']) {
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `frame-cost-node-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'frame-cost-node', ink8: ink8Version, loadavg: loads, options: values, rows: rows.map(({ file: _f, bin: _b, ...r }) => ({ ...r, perFrame: results.get(r.key)!.perFrame })) }, null, 2)}\n`);
  console.log(`written: ${file}`);
}
