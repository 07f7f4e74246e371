/**
 * Resizing the real binary's terminal (built dist/, --sim) in a real pseudo-terminal, with
 * @xterm/headless as the screen: after every resize the screen must hold exactly what a fresh
 * start at that size draws — no ghost header, no second BTC row — and quitting must leave
 * nothing of the frame on the main screen.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, exitCodeOf, runInPty, type PtyRun } from '../helpers/pty.js';
import { TmuxPane, tmuxAvailable } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait-for.js';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
const SEED = '7';
/** A price in a market row (not the status bar's KRW figures, which look alike). */
const PRICE = /^.{0,3}[A-Z0-9]+\/KRW\b.*?\d{1,3}(,\d{3})+/m;

/**
 * The layout of a screen without what differs between two runs: figures (prices, ages, msg/s,
 * lag), signs, sparkline blocks and the width that differing figures take.
 */
function layoutOf(screen: readonly string[]): string[] {
  return screen.map((line) =>
    line
      .replace(/[▁▂▃▄▅▆▇█]+/g, '~')
      .replace(/[+-]?\d[\d,.]*[KMBT%]?/g, '#')
      .replace(/\s+/g, ' ')
      // The status line's figures come and go (the loop lag once there are samples), and so
      // does where a narrow terminal cuts it: its first run, the connection state, is compared.
      .replace(/^(\S+) · .*$/, '$1 · …')
      .trimEnd(),
  );
}

/** Wait until the screen shows live prices for both markets and its layout holds still. */
async function settledLayout(run: PtyRun | TmuxPane, what: string): Promise<string[]> {
  let previous: string[] = [];
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await run.screen();
      const text = last.join('\n');
      const layout = layoutOf(last);
      const ready = text.includes('BTC') && text.includes('live') && PRICE.test(text) && !text.includes('waiting');
      const same = ready && layout.join('\n') === previous.join('\n');
      previous = layout;
      return same;
    },
    what,
    10_000,
    150,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${last.join('\n')}`);
  });
  return previous;
}

const runs: Array<PtyRun | TmuxPane> = [];
function start(cols: number, rows: number): PtyRun {
  const run = runInPty(['--sim', '--seed', SEED], { cols, rows });
  runs.push(run);
  return run;
}

async function quit(run: PtyRun): Promise<void> {
  run.write('q');
  expect(await exitCodeOf(run, 8000)).toBe(0);
}

describe('resizing the built binary in a pseudo-terminal', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });
  afterEach(() => {
    for (const run of runs.splice(0)) run.kill();
  });

  it('after every resize the screen is what a fresh start at that size draws', { timeout: 90_000 }, async () => {
    const run = start(80, 24);
    await settledLayout(run, 'the first frame at 80x24');
    const sizes: ReadonlyArray<readonly [number, number]> = [
      [60, 20],
      [80, 24],
      [50, 8],
      [100, 30],
      [36, 6],
      [80, 24],
    ];
    const fresh = new Map<string, string[]>();
    for (const [cols, rows] of sizes) {
      run.resize(cols, rows);
      const resized = await settledLayout(run, `the frame after resizing to ${cols}x${rows}`);
      const key = `${cols}x${rows}`;
      let expected = fresh.get(key);
      if (expected === undefined) {
        const other = start(cols, rows);
        expected = await settledLayout(other, `a fresh start at ${key}`);
        await quit(other);
        fresh.set(key, expected);
      }
      expect({ size: key, screen: resized }).toEqual({ size: key, screen: expected });
      // One market row per market, never a ghost of an older frame.
      expect(resized.filter((line) => line.startsWith('BTC/KRW'))).toHaveLength(1);
    }
    await quit(run);
  });

  it('started at 20x5 and widened, it leaves nothing of the frame on the main screen', { timeout: 30_000 }, async () => {
    const run = start(20, 5);
    await waitFor(async () => (await run.screen()).join('\n').includes('live'), 'the first frame at 20x5', 10_000);
    run.resize(80, 24);
    await settledLayout(run, 'the frame after widening to 80x24');
    await quit(run);
    await run.exited;
    const main = (await run.mainScreen()).join('\n');
    expect(main).toContain('EXIT=0');
    for (const piece of ['BTC', 'ETH', 'MARKET', 'msg/s', 'live', 'ctrl+c']) expect(main).not.toContain(piece);
  });
});

describe('quitting the built binary in a pseudo-terminal', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });
  afterEach(() => {
    for (const run of runs.splice(0)) run.kill();
  });

  it.each([
    ['q', 'q', 0],
    ['Ctrl+C twice (forced)', '\x03\x03', 130],
  ] as const)('on %s leaves nothing of the frame on the main screen', { timeout: 30_000 }, async (_name, keys, code) => {
    const run = start(80, 24);
    await settledLayout(run, 'the first frame');
    run.write(keys);
    expect(await exitCodeOf(run, 8000)).toBe(code);
    await run.exited;
    const main = (await run.mainScreen()).join('\n');
    for (const piece of ['BTC', 'ETH', 'MARKET', 'msg/s', 'shutting down', 'ctrl+c']) expect(main).not.toContain(piece);
  });
});

/** tmux re-wraps and keeps lines its own way: the second emulator the ghosts showed up in. */
describe.runIf(tmuxAvailable())('resizing the built binary in a tmux pane', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });
  afterEach(() => {
    for (const run of runs.splice(0)) run.kill();
  });

  function pane(cols: number, rows: number): TmuxPane {
    const p = new TmuxPane(['--sim', '--seed', SEED], cols, rows);
    runs.push(p);
    return p;
  }

  it('80x24 to 60x20 and back: one frame, as a fresh start draws it', { timeout: 60_000 }, async () => {
    const p = pane(80, 24);
    const fresh = await settledLayout(p, 'the first frame at 80x24');
    p.resize(60, 20);
    const narrow = await settledLayout(p, 'the frame at 60x20');
    const other = pane(60, 20);
    expect(narrow).toEqual(await settledLayout(other, 'a fresh start at 60x20'));
    p.resize(80, 24);
    expect(await settledLayout(p, 'the frame back at 80x24')).toEqual(fresh);
  });

  it('started at 20x5 and widened, quitting leaves nothing of the frame in the pane', { timeout: 30_000 }, async () => {
    const p = pane(20, 5);
    await waitFor(() => p.screen().join('\n').includes('live'), 'the first frame at 20x5', 10_000);
    p.resize(80, 24);
    await settledLayout(p, 'the frame after widening to 80x24');
    p.sendKeys('q');
    const main = await waitFor(() => {
      const text = p.everything().join('\n');
      return text.includes('EXIT=') ? text : null;
    }, 'the exit code in the pane', 8000);
    expect(main).toContain('EXIT=0');
    for (const piece of ['BTC', 'ETH', 'MARKET', 'msg/s', 'live', 'shutting down', 'ctrl+c']) expect(main).not.toContain(piece);
  });
});
