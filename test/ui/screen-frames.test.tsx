/**
 * The screen draws a frame only when something on it changed (src/ui/screen-view.ts). Every
 * React commit is a whole Ink frame, so each of these counts frames (ink-testing-library
 * renders in Ink's debug mode: one written frame per commit).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MarketStore } from '../../src/trading/market-store.js';
import { App } from '../../src/ui/App.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { frameWhere, stripAnsi, until } from './ink-helpers.js';
import { FakeTaskSource, taskRow } from './task-fixtures.js';

/** 30 markets: at ink-testing-library's 24 default rows, C0…C18 are on screen, the rest behind "+N more". */
const MARKETS = Array.from({ length: 30 }, (_, i) => `KRW-C${i}`);
const OFF_SCREEN = 'KRW-C29';

function liveStore(opts: { marketStaleAfterMs?: number } = {}): MarketStore {
  const store = new MarketStore({ markets: MARKETS, ...opts });
  store.setConnection({ state: 'live', since: Date.now() });
  for (const [i, m] of MARKETS.entries()) store.applyTicker(makeTicker(m, 1_000_000 + i * 1000, { prevClose: 1_000_000 }));
  store.flush();
  return store;
}

/** Let React and Ink finish whatever a flush started. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await nextTurn();
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('frames only for what is on screen', () => {
  it('draws no frame for the ticks of a market behind "+N more", and one for a market on screen', async () => {
    const store = liveStore();
    const { lastFrame, frames } = render(<App store={store} onQuit={() => {}} colors="korean" />);
    await frameWhere(lastFrame, (f) => f.includes('+11 more'), 'the table with 11 markets off screen');
    await settle();
    const before = frames.length;

    for (let i = 1; i <= 5; i += 1) {
      store.applyTicker(makeTicker(OFF_SCREEN, 2_000_000 + i * 1000, { prevClose: 1_000_000 }));
      expect(store.flush()).toBe(true);
      await settle();
    }
    expect(frames.length).toBe(before);

    store.applyTicker(makeTicker('KRW-C3', 1_234_000, { prevClose: 1_000_000 }));
    store.flush();
    await frameWhere(lastFrame, (f) => f.includes('1,234,000'), 'the on-screen tick');
    expect(frames.length).toBe(before + 1);
  });

  it('draws no frame for a tick that leaves its row as it was (same price, no sparkline at 64 columns)', async () => {
    const store = liveStore();
    const { lastFrame, frames, stdout } = render(<App store={store} onQuit={() => {}} colors="korean" />);
    await frameWhere(lastFrame, (f) => f.includes('C0/KRW'), 'the first frame');
    Object.defineProperty(stdout, 'columns', { value: 64, configurable: true });
    stdout.emit('resize');
    await frameWhere(lastFrame, (f) => !f.includes('TREND'), 'the table without its sparkline');
    await settle();
    const before = frames.length;

    store.applyTicker(makeTicker('KRW-C0', 1_000_000, { prevClose: 1_000_000 }));
    expect(store.flush()).toBe(true);
    await settle();
    expect(frames.length).toBe(before);
  });

  it('shows the status line numbers at most once a second, and a change of state at once', async () => {
    const store = liveStore();
    const ac = new AbortController();
    const loop = store.run(ac.signal);
    const { lastFrame, frames } = render(<App store={store} onQuit={() => {}} colors="none" />);
    await frameWhere(lastFrame, (f) => f.includes('+11 more'), 'the first frame');
    await settle();
    const before = frames.length;
    // 3 s of an off-screen market ticking ever faster (1 to 6 times a flush): throughput
    // changes at nearly every one of the ~36 flushes, the screen only when a second has passed.
    let n = 0;
    for (let i = 0; i < 36; i += 1) {
      for (let k = 0; k <= i / 6; k += 1) store.applyTicker(makeTicker(OFF_SCREEN, 2_000_000 + (n += 1) * 1000, { prevClose: 1_000_000 }));
      await vi.advanceTimersByTimeAsync(84);
      await settle();
    }
    const drawn = frames.length - before;
    expect(drawn).toBeGreaterThanOrEqual(2);
    expect(drawn).toBeLessThanOrEqual(4);
    expect(stripAnsi(lastFrame() ?? '')).toMatch(/\b[4-7]\d msg\/s/);

    store.setConnection({ state: 'reconnecting', attempt: 1, retryInMs: 5000, retryAt: Date.now() + 5000, reason: 'connection dropped', drops: [] });
    await vi.advanceTimersByTimeAsync(84);
    await frameWhere(lastFrame, (f) => f.includes('reconnecting in 5s'), 'the new state at the next flush');
    ac.abort();
    await loop;
  });

  it('ticks the STALE ages of all rows over together, once a second', async () => {
    const store = liveStore({ marketStaleAfterMs: 2_000 });
    // The rows on screen last ticked at different moments of a second.
    for (let i = 0; i < 5; i += 1) {
      store.applyTicker(makeTicker(`KRW-C${i}`, 1_100_000, { prevClose: 1_000_000 }));
      await vi.advanceTimersByTimeAsync(170);
    }
    const ac = new AbortController();
    const loop = store.run(ac.signal);
    const { lastFrame, frames } = render(<App store={store} onQuit={() => {}} colors="none" />);
    await vi.advanceTimersByTimeAsync(2_500);
    await frameWhere(lastFrame, (f) => (f.match(/STALE/g) ?? []).length === 19, 'all 19 rows on screen stale');
    await settle();
    const before = frames.length;
    // An off-screen market keeps the store publishing at every flush for 3 s.
    for (let i = 0; i < 36; i += 1) {
      store.applyTicker(makeTicker(OFF_SCREEN, 2_000_000 + i * 1000, { prevClose: 1_000_000 }));
      await vi.advanceTimersByTimeAsync(84);
      await settle();
    }
    // Once a second for the ages, once a second for the status line (the two may coincide);
    // each row counting its own second would draw some 15 frames for the 5 rows' ages alone.
    expect(frames.length - before).toBeLessThanOrEqual(7);
    expect(stripAnsi(lastFrame() ?? '')).toMatch(/C0\/KRW .*STALE [4-6]s/);
    ac.abort();
    await loop;
  });

  it('brings the open tasks panel\'s ages up to date once a second, not at every flush', async () => {
    const store = liveStore();
    const tasks = new FakeTaskSource([taskRow('market-store')]);
    const ac = new AbortController();
    const loop = store.run(ac.signal);
    const { lastFrame, frames, stdin } = render(<App store={store} tasks={tasks} onQuit={() => {}} colors="none" />);
    await until(() => stdin.listenerCount('readable') > 0, 'the input hook');
    stdin.write('t');
    await frameWhere(lastFrame, (f) => f.includes('market-store'), 'the tasks panel');
    await until(() => tasks.subscribers === 1, 'the tasks-mode keys');
    await settle();
    const before = frames.length;
    let n = 0;
    for (let i = 0; i < 36; i += 1) {
      for (let k = 0; k <= i / 6; k += 1) store.applyTicker(makeTicker('KRW-C0', 2_000_000 + (n += 1) * 1000, { prevClose: 1_000_000 }));
      await vi.advanceTimersByTimeAsync(84);
      await settle();
    }
    // The ages and the status numbers together, once a second.
    const drawn = frames.length - before;
    expect(drawn).toBeGreaterThanOrEqual(2);
    expect(drawn).toBeLessThanOrEqual(4);
    expect(stripAnsi(lastFrame() ?? '')).toMatch(/^market-store +- +running +0 +[23](\.\d)?s/m);
    ac.abort();
    await loop;
  });
});
