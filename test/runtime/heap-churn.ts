/**
 * A child process for test/runtime/heap-policy.test.ts: optionally starts the CLI's `main`
 * (`--version`, which returns at once) as the bin does, then allocates the way the TUI does
 * while it draws (a steady live set, and short-lived objects that last long enough to be
 * promoted, then die), and prints as its last line how big the old space got against what
 * stays live. Run with `--expose-gc --max-semi-space-size=1` (promotion after ~2 MB, so the
 * old generation is exercised in a few seconds).
 */
import { getHeapSpaceStatistics } from 'node:v8';

import { main } from '../../src/cli/main.js';

if (process.argv.includes('--through-main')) await main(['node', 'upbit-tui', '--version']);

const oldSpace = (): { size: number; used: number } => {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'old_space');
  return { size: s?.space_size ?? 0, used: s?.space_used_size ?? 0 };
};

const kept = Array.from({ length: 120_000 }, (_, i) => ({ i, s: `row ${i}`, a: [i, i + 1] }));
const inFlight: Array<Array<{ round: number; i: number; s: string }>> = [];
let maxOld = 0;
for (let round = 0; round < 1500; round++) {
  inFlight.push(Array.from({ length: 2000 }, (_, i) => ({ round, i, s: `cell ${round}:${i}` })));
  if (inFlight.length > 8) inFlight.shift();
  if (round > 300) maxOld = Math.max(maxOld, oldSpace().size);
}
inFlight.length = 0;
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(`${JSON.stringify({ kept: kept.length, maxOld, live: oldSpace().used })}\n`);
