import chalk from 'chalk';
import { render, cleanup } from 'ink-testing-library';
import type { ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/app/config.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { App } from '../../src/ui/App.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { frameLines, frameWhere, stripAnsi, until } from './ink-helpers.js';

const RED = '\u001B[31m';
const GREEN = '\u001B[32m';
const BRIGHT_BLUE = '\u001B[94m';
const MAGENTA = '\u001B[35m';
const CYAN = '\u001B[36m';

const escape = (s: string): string => s.replace(/[[\]\\^$.|?*+()]/g, '\\$&');

function liveStore(markets = ['KRW-BTC', 'KRW-ETH']): MarketStore {
  const store = new MarketStore({ markets });
  store.setConnection({ state: 'live', since: Date.now() });
  return store;
}

let savedLevel: typeof chalk.level;
beforeEach(() => {
  // Worker stdout is not a TTY, so chalk starts at level 0; Ink's Text colours through the
  // same chalk instance, so raising it here makes colour (and its absence) observable.
  savedLevel = chalk.level;
  chalk.level = 1;
});
afterEach(() => {
  chalk.level = savedLevel;
  cleanup();
});

describe('<App>', () => {
  it('shows both markets with prices formatted to their ticks, then follows new ticks', async () => {
    const store = liveStore();
    const { lastFrame } = render(<App store={store} onQuit={() => {}} colors="korean" />);
    await frameWhere(lastFrame, (f) => f.includes('waiting'), 'the waiting rows');

    store.applyTicker(makeTicker('KRW-BTC', 130_512_000, { prevClose: 129_000_000 }));
    store.applyTicker(makeTicker('KRW-ETH', 4_812_000, { prevClose: 4_900_000 }));
    store.flush();
    const first = stripAnsi(await frameWhere(lastFrame, (f) => f.includes('4,812,000'), 'the first prices'));
    expect(first).toMatch(/BTC\/KRW +130,512,000 +\+1,512,000 +\+1\.17%/);
    expect(first).toMatch(/ETH\/KRW +4,812,000 +-88,000 +-1\.80%/);
    expect(first).toContain('live');
    expect(first).toContain('q/ctrl+c quit');

    store.applyTicker(makeTicker('KRW-BTC', 131_000_000, { prevClose: 129_000_000 }));
    store.flush();
    const second = stripAnsi(await frameWhere(lastFrame, (f) => f.includes('131,000,000'), 'the new BTC price'));
    expect(second).not.toContain('130,512,000');
    expect(second).toContain('4,812,000');
  });

  it('redraws from the store flush loop alone (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const store = liveStore();
      const ac = new AbortController();
      const loop = store.run(ac.signal);
      const { lastFrame } = render(<App store={store} onQuit={() => {}} colors="none" />);
      await frameWhere(lastFrame, (f) => f.includes('waiting'), 'the waiting rows');
      for (let i = 0; i < 500; i += 1) store.applyTicker(makeTicker('KRW-BTC', 130_000_000 + i * 1000));
      expect(lastFrame()).not.toContain('130,499,000');
      await vi.advanceTimersByTimeAsync(100);
      await frameWhere(lastFrame, (f) => f.includes('130,499,000'), 'the coalesced price');
      ac.abort();
      await loop;
    } finally {
      vi.useRealTimers();
    }
  });

  /** The frame of the App in `props`' colours once BTC rose (130,512,000) and ETH fell (4,812,000). */
  async function riseAndFallFrame(props: Pick<ComponentProps<typeof App>, 'colors' | 'palette'>): Promise<string> {
    const store = liveStore();
    const { lastFrame } = render(<App store={store} onQuit={() => {}} {...props} />);
    store.applyTicker(makeTicker('KRW-BTC', 130_512_000, { prevClose: 129_000_000 }));
    store.applyTicker(makeTicker('KRW-ETH', 4_812_000, { prevClose: 4_900_000 }));
    store.flush();
    return frameWhere(lastFrame, (f) => f.includes('4,812,000'), 'both prices');
  }

  it.each([
    ['korean', RED, BRIGHT_BLUE],
    ['global', GREEN, RED],
  ] as const)('paints rises and falls in the %s convention', async (colors, rise, fall) => {
    const frame = await riseAndFallFrame({ colors });
    // The colour opens before the right-aligned cell's padding.
    expect(frame).toMatch(new RegExp(`${escape(rise)} *130,512,000`));
    expect(frame).toMatch(new RegExp(`${escape(fall)} *4,812,000`));
  });

  it("paints rises and falls in the config file's theme colours, over the convention's", async () => {
    // As src/cli/main.ts hands it over: the config file's `theme` is the App's palette.
    const { config, problems } = parseConfig(JSON.stringify({ theme: { rise: 'magenta', fall: 'cyan' } }), '/config/upbit-tui/config.json');
    expect(problems).toEqual([]);
    const frame = await riseAndFallFrame({ colors: 'korean', palette: config.theme });
    expect(frame).toMatch(new RegExp(`${escape(MAGENTA)} *130,512,000`));
    expect(frame).toMatch(new RegExp(`${escape(CYAN)} *4,812,000`));
    expect(frame).not.toMatch(new RegExp(`${escape(RED)} *130,512,000`));
    expect(frame).not.toMatch(new RegExp(`${escape(BRIGHT_BLUE)} *4,812,000`));
  });

  it('writes no escape sequence at all in none mode', async () => {
    const store = liveStore();
    store.setNotice('api.upbit.com unreachable — try --sim');
    store.setShuttingDown();
    const { lastFrame } = render(<App store={store} onQuit={() => {}} colors="none" />);
    store.applyTicker(makeTicker('KRW-BTC', 130_512_000, { prevClose: 129_000_000 }));
    store.applyTicker(makeTicker('KRW-ETH', 4_812_000, { prevClose: 4_900_000 }));
    store.flush();
    const frame = await frameWhere(lastFrame, (f) => f.includes('4,812,000'), 'both prices');
    expect(frame).toContain('shutting down');
    expect(frame).not.toContain('\u001B');
  });

  it('fits an 80×24 terminal after a resize, with "+N more" for markets that do not fit', async () => {
    const markets = Array.from({ length: 30 }, (_, i) => `KRW-C${i}`);
    const store = liveStore(markets);
    for (const [i, m] of markets.entries()) store.applyTicker(makeTicker(m, 1_000_000 + i * 1000, { prevClose: 1_000_000 }));
    store.setNotice('a notice long enough to need cutting at eighty columns, which it will be, cleanly and without wrapping');
    store.flush();
    const { lastFrame, stdout } = render(<App store={store} onQuit={() => {}} colors="korean" />);
    await frameWhere(lastFrame, (f) => f.includes('+'), 'the first frame');

    // ink-testing-library's stdout is 100 columns with no rows; become an 80×24 terminal.
    Object.defineProperty(stdout, 'columns', { value: 80, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: 24, configurable: true });
    stdout.emit('resize');
    const frame = await frameWhere(lastFrame, (f) => frameLines(f).every((l) => [...l].length <= 80) && f.includes('more'), 'an 80-column frame');
    const lines = frameLines(frame);
    expect(lines.length).toBeLessThanOrEqual(23);
    expect(frame).toMatch(/\+\d+ more/);
    expect(frame).toContain('C0/KRW');
    expect(frame).toContain('q/ctrl+c quit');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('calls onQuit on q, and on every Ctrl+C', async () => {
    const onQuit = vi.fn();
    const { stdin } = render(<App store={liveStore()} onQuit={onQuit} colors="none" />);
    await until(() => stdin.listenerCount('readable') > 0, 'the input hook');
    stdin.write('q');
    await until(() => onQuit.mock.calls.length === 1, 'q to quit');
    stdin.write('\u0003');
    stdin.write('\u0003');
    await until(() => onQuit.mock.calls.length === 3, 'Ctrl+C twice');
    stdin.write('x');
    expect(onQuit).toHaveBeenCalledTimes(3);
  });

  it('routes Ctrl+C to onInterrupt when one is given', async () => {
    const onQuit = vi.fn();
    const onInterrupt = vi.fn();
    const { stdin } = render(<App store={liveStore()} onQuit={onQuit} onInterrupt={onInterrupt} colors="none" />);
    await until(() => stdin.listenerCount('readable') > 0, 'the input hook');
    stdin.write('\u0003');
    await until(() => onInterrupt.mock.calls.length === 1, 'Ctrl+C');
    expect(onQuit).not.toHaveBeenCalled();
  });

  it('counts two Ctrl+C presses that arrive in one chunk (slow SSH link) as two', async () => {
    const onQuit = vi.fn();
    const onInterrupt = vi.fn();
    const { stdin } = render(<App store={liveStore()} onQuit={onQuit} onInterrupt={onInterrupt} colors="none" />);
    await until(() => stdin.listenerCount('readable') > 0, 'the input hook');
    stdin.write('\u0003\u0003');
    await until(() => onInterrupt.mock.calls.length === 2, 'both presses');
  });
});
