// Benchmark: launch → first frame with prices, and q / Ctrl+C → exit, of the built binary in a
// real pty (--sim, 80x24). Run: npx tsx bench/startup-exit.ts (after npm run build).
import { runInPty, exitCodeOf } from '../test/helpers/pty.js';
import { waitFor } from '../test/helpers/wait-for.js';
const first: number[] = []; const quit: number[] = []; const ctrlc: number[] = [];
for (let i = 0; i < 5; i++) {
  for (const key of ['q', '\x03']) {
    const t0 = Date.now();
    const run = runInPty(['--sim']);
    await waitFor(async () => /\d{1,3}(,\d{3})+/.test((await run.screen()).join('\n')), 'prices', 10000, 5);
    first.push(Date.now() - t0);
    const t1 = Date.now(); run.write(key); await exitCodeOf(run); (key === 'q' ? quit : ctrlc).push(Date.now() - t1);
  }
}
const s = (a: number[]) => `median ${a.sort((x, y) => x - y)[Math.floor(a.length / 2)]} ms, max ${Math.max(...a)} ms (n=${a.length})`;
console.log('launch→first price frame:', s(first)); console.log('q→exit:', s(quit)); console.log('Ctrl+C→exit:', s(ctrlc));
process.exit(0);
