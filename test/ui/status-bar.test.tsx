import chalk from 'chalk';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketSnapshot } from '../../src/trading/market-store.js';
import { StatusBar } from '../../src/ui/StatusBar.js';
import { describeConnection, lagTone, statusText, type StatusText } from '../../src/ui/status-text.js';
import { themeFor, type ColorMode } from '../../src/ui/theme.js';
import type { ConnectionStatus } from '../../src/upbit/quotation-client.js';
import { frameWhere, stripAnsi } from './ink-helpers.js';

const YELLOW = '\u001B[33m';
const RED = '\u001B[31m';

let savedLevel: typeof chalk.level;
beforeEach(() => {
  // As in app.test.tsx: make colour (and its absence) observable in a non-TTY worker.
  savedLevel = chalk.level;
  chalk.level = 1;
});
afterEach(() => {
  chalk.level = savedLevel;
  cleanup();
});

const line = (t: StatusText): string => `${t.lead}${t.connection}${t.rest.map((r) => r.text).join('')}`;

function snapshot(over: Partial<MarketSnapshot> = {}): MarketSnapshot {
  return {
    version: 1,
    publishedAt: 10_000,
    markets: [],
    rows: new Map(),
    connection: { state: 'live', since: 0 },
    msgPerSec: 1234,
    lagP99Ms: 3.4,
    lastMessageAt: 9_800,
    invalidCount: 0,
    shuttingDown: false,
    notice: null,
    ...over,
  };
}

const CASES: Array<[ConnectionStatus, string]> = [
  [{ state: 'connecting', attempt: 1 }, 'connecting…'],
  [{ state: 'connecting', attempt: 2 }, 'connecting… (attempt 2)'],
  [{ state: 'live', since: 0 }, 'live'],
  [{ state: 'reconnecting', attempt: 3, retryInMs: 2100, reason: 'connection dropped' }, 'reconnecting (attempt 3, in 2.1s): connection dropped'],
  [
    { state: 'offline', attempt: 4, retryInMs: 4000, reason: 'cannot resolve api.upbit.com (no network?)' },
    'offline: cannot resolve api.upbit.com (no network?) — retrying in 4s · try --sim',
  ],
];

describe('status bar', () => {
  it.each(CASES)('describes %o in plain words', (status, words) => {
    expect(describeConnection(status)).toBe(words);
  });

  it('adds throughput, loop lag, message age and invalid count', () => {
    const t = statusText(snapshot({ invalidCount: 2 }));
    expect(line(t)).toBe('live · 1,234 msg/s · lag p99 3ms · last 0.2s ago · 2 invalid');
  });

  it('leaves out what is not known yet', () => {
    const t = statusText(snapshot({ lagP99Ms: null, lastMessageAt: null, msgPerSec: 0 }));
    expect(line(t)).toBe('live · 0 msg/s');
  });

  it.each(CASES)('renders %o', async (status, words) => {
    const { lastFrame } = render(<StatusBar snapshot={snapshot({ connection: status })} columns={200} showNotice lagWarnMs={100} theme={themeFor('none')} />);
    await frameWhere(lastFrame, (f) => f.includes(words), words);
  });

  it('leads with the shutdown state and shows the notice on its own line', async () => {
    const s = snapshot({ shuttingDown: true, notice: 'api.upbit.com unreachable — try --sim' });
    const { lastFrame } = render(<StatusBar snapshot={s} columns={200} showNotice lagWarnMs={100} theme={themeFor('none')} />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('shutting down'), 'the shutdown line');
    expect(frame.split('\n')).toEqual(['shutting down… (Ctrl+C again to force) · live · 1,234 msg/s · lag p99 3ms · last 0.2s ago', 'api.upbit.com unreachable — try --sim']);
  });

  it('grades loop lag against the threshold: above it a warning, above twice it an alarm', () => {
    expect(lagTone(100, 100)).toBe('plain');
    expect(lagTone(100.5, 100)).toBe('warn');
    expect(lagTone(200, 100)).toBe('warn');
    expect(lagTone(201, 100)).toBe('bad');
    expect(lagTone(20, 20)).toBe('plain');
    expect(lagTone(40, 20)).toBe('warn');
    expect(lagTone(41, 20)).toBe('bad');
    const t = statusText(snapshot({ lagP99Ms: 150 }), { lagWarnMs: 100 });
    expect(t.rest).toEqual([
      { text: ' · 1,234 msg/s · ', tone: 'plain' },
      { text: 'lag p99 150ms', tone: 'warn' },
      { text: ' · last 0.2s ago', tone: 'plain' },
    ]);
    expect(line(statusText(snapshot({ lagP99Ms: 150 }), { lagWarnMs: 100, markers: true }))).toContain('lag p99 150ms! ·');
    expect(line(statusText(snapshot({ lagP99Ms: 250 }), { lagWarnMs: 100, markers: true }))).toContain('lag p99 250ms!! ·');
    expect(line(statusText(snapshot({ lagP99Ms: 50 }), { lagWarnMs: 100, markers: true }))).toContain('lag p99 50ms ·');
  });

  const renderLag = (lagP99Ms: number, colors: ColorMode, lagWarnMs = 100) =>
    render(<StatusBar snapshot={snapshot({ lagP99Ms })} columns={200} showNotice lagWarnMs={lagWarnMs} theme={themeFor(colors)} />).lastFrame;

  it('highlights the lag in yellow above the threshold and in red above twice it', async () => {
    const warn = await frameWhere(renderLag(150, 'korean'), (f) => f.includes('lag p99'), 'the warning frame');
    expect(warn).toContain(`${YELLOW}lag p99 150ms\u001B[39m`);
    const alarm = await frameWhere(renderLag(250, 'global'), (f) => f.includes('lag p99'), 'the alarm frame');
    expect(alarm).toContain(`${RED}lag p99 250ms\u001B[39m`);
    // The threshold comes from the caller (the kernel's), not a constant.
    const custom = await frameWhere(renderLag(30, 'korean', 20), (f) => f.includes('lag p99'), 'the custom-threshold frame');
    expect(custom).toContain(`${YELLOW}lag p99 30ms`);
  });

  it('leaves the lag plain at or below the threshold', async () => {
    const frame = await frameWhere(renderLag(100, 'korean'), (f) => f.includes('lag p99'), 'the calm frame');
    expect(stripAnsi(frame)).toContain('lag p99 100ms · last');
    expect(frame).not.toContain(`${YELLOW}lag`);
    expect(frame).not.toContain(`${RED}lag`);
    expect(frame).not.toContain('ms!');
  });

  it('marks a late loop with ! (and !! above twice the threshold) when colour is off', async () => {
    const warn = await frameWhere(renderLag(150, 'none'), (f) => f.includes('lag p99'), 'the warning frame');
    expect(warn).toBe('live · 1,234 msg/s · lag p99 150ms! · last 0.2s ago');
    const alarm = await frameWhere(renderLag(250, 'none'), (f) => f.includes('lag p99'), 'the alarm frame');
    expect(alarm).toBe('live · 1,234 msg/s · lag p99 250ms!! · last 0.2s ago');
  });
});
