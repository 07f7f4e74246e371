/**
 * One process of bench/frame-cost-node.ts: bundled (with Ink 6.8 or Ink 8) and run by the Node
 * under test. Renders bench/frame-cost's screen through bench/frame-cost/app.tsx's `mount`
 * (Ink's debug mode, as the TUI's screen painter has it) and prints one JSON line: ms per frame
 * for each timed block, and the frames at a few fixed indexes for the equivalence check.
 *
 *   node runner.mjs FRAMES BLOCKS START
 */
import { performance } from 'node:perf_hooks';
import { mount } from '../frame-cost/app.js';
import { rowsFor } from '../frame-cost/rows.js';
import { CHECKED } from './checked.js';

const WARMUP = 200;

const [frames = 100, blocks = 5, start = 0] = process.argv.slice(2).map(Number);
const screen = mount(120, 40);
const checked: Record<number, string> = {};
for (let i = 0; i < WARMUP; i++) {
  const frame = screen.frame(rowsFor(i));
  if ((CHECKED as readonly number[]).includes(i)) checked[i] = frame;
}
const perFrame: number[] = [];
let n = start + WARMUP;
for (let b = 0; b < blocks; b++) {
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) screen.frame(rowsFor(n++));
  perFrame.push((performance.now() - t0) / frames);
}
screen.unmount();
process.stdout.write(`${JSON.stringify({ node: process.version, perFrame, checked })}\n`);
