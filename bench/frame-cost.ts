/**
 * What one frame of the ticker table costs in Ink, with and without the fast text path
 * (src/ui/text-width.ts substituted for string-width, scripts/fast-text-plugin.mjs), side by
 * side in one process: both variants are bundled like the TUI, render the same frames
 * (35 rows × 120 columns, half Korean names, a sparkline changing on every row), in
 * alternating blocks, and must write byte-identical frames.
 *
 *   npx tsx bench/frame-cost.ts [--frames 120] [--rounds 10] [--pair text|rows]
 *   node --cpu-prof --import tsx bench/frame-cost.ts --only fast   (one variant, for a profile)
 *
 * `--pair rows` compares instead, both on the fast text path, Ink's Output.get with its cell
 * grid ("grid", as upstream) and without it ("rows", patches/ink+6.8.0.patch's
 * node_modules/ink/build/output-rows.js); `--only grid|rows` profiles one of them.
 *
 * Prints ms per frame (median and p90 over blocks) for each and the ratio, with the load average.
 * Both variants run the installed (patched) Ink: patches/ink+6.8.0.patch's bounded caches and
 * sanitizeAnsi fast answer are in the reference too; the difference is the substitution alone.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { styledCharsFromTokens, styledCharsToString, tokenize } from '@alcalzone/ansi-tokenize';
import { buildVariant } from './frame-cost/build.js';
import { rowsFor } from './frame-cost/rows.js';

// Colours on, as on a terminal (chalk reads this when the bundles load).
process.env.FORCE_COLOR = '1';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '120' }, rounds: { type: 'string', default: '10' }, only: { type: 'string' }, pair: { type: 'string', default: 'text' } },
});
const frames = Number(values.frames);
const rounds = Number(values.rounds);
const rowsPair = values.pair === 'rows' || values.only === 'grid' || values.only === 'rows';

// Under `--pair rows` the names stand for: reference = grid, fast = rows.
const variants = rowsPair
  ? { reference: await buildVariant(true, { grid: true }), fast: await buildVariant(true) }
  : { reference: await buildVariant(false), fast: await buildVariant(true) };
const only = values.only === 'grid' ? 'reference' : values.only === 'rows' ? 'fast' : values.only;
if (only === 'fast' || only === 'reference') {
  const screen = variants[only].mount(120, 40);
  const t0 = performance.now();
  for (let i = 0; i < frames * rounds; i++) screen.frame(rowsFor(i));
  console.log(`${values.only}: ${((performance.now() - t0) / (frames * rounds)).toFixed(3)} ms per frame`);
  screen.unmount();
  process.exit(0);
}
console.log(`fast path replaces string-width in: ${variants.fast.redirected.join(', ')}`);
const screens = { reference: variants.reference.mount(120, 40), fast: variants.fast.mount(120, 40) };
const perFrame: Record<keyof typeof screens, number[]> = { reference: [], fast: [] };
let mismatches = 0;
let n = 0;
// The grid re-serializes each row's SGR codes and the rows path keeps them as written
// (test/ui/ink-output-rows.test.ts shows a terminal draws the same): compare them serialized alike.
const normal = (frame: string) => (rowsPair ? frame.split('\n').map((line) => styledCharsToString(styledCharsFromTokens(tokenize(line))).trimEnd()).join('\n') : frame);
const differ = (rows: ReturnType<typeof rowsFor>) => normal(screens.reference.frame(rows)) !== normal(screens.fast.frame(rows));

// Warm-up: JIT both, and check the frames agree.
for (let i = 0; i < 60; i++, n++) {
  if (differ(rowsFor(n))) mismatches++;
}
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? (['reference', 'fast'] as const) : (['fast', 'reference'] as const);
  const start = n;
  for (const name of order) {
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) screens[name].frame(rowsFor(start + i));
    perFrame[name].push((performance.now() - t0) / frames);
  }
  n += frames;
  if (differ(rowsFor(n++))) mismatches++;
}
screens.reference.unmount();
screens.fast.unmount();

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const fmt = (x: number) => x.toFixed(3);
const ref = q(perFrame.reference, 0.5);
const fast = q(perFrame.fast, 0.5);
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
console.log(`${rounds} blocks of ${frames} frames each, ms per frame (median / p90 of blocks):`);
const [refName, fastName] = rowsPair ? ['grid (Ink cell grid)   ', 'rows (output-rows.js)  '] : ['reference (string-width)', 'fast (text-width)       '];
console.log(`  ${refName}  ${fmt(ref)} / ${fmt(q(perFrame.reference, 0.9))}`);
console.log(`  ${fastName}  ${fmt(fast)} / ${fmt(q(perFrame.fast, 0.9))}`);
console.log(`  ${rowsPair ? 'rows / grid' : 'fast / reference'}          ${(fast / ref).toFixed(2)}x`);
console.log(`frames that differ: ${mismatches} of ${rounds + 60} compared`);
if (mismatches > 0) process.exitCode = 1;
