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
    silent: false,
    invalidCount: 0,
    shuttingDown: false,
    notice: null,
    ...over,
  };
}

/** Statuses as of publishedAt 10_000. */
const CASES: Array<[ConnectionStatus, string]> = [
  [{ state: 'idle' }, 'idle (nothing subscribed)'],
  [{ state: 'connecting', attempt: 1 }, 'connecting…'],
  [{ state: 'connecting', attempt: 2 }, 'connecting… (attempt 2)'],
  [{ state: 'live', since: 0 }, 'live'],
  [{ state: 'reconnecting', attempt: 3, retryInMs: 2100, retryAt: 12_100, reason: 'connection dropped' }, 'reconnecting in 3s (attempt 3)'],
  [{ state: 'offline', attempt: 4, retryInMs: 4000, retryAt: 14_000, reason: 'cannot resolve api.upbit.com (no network?)' }, 'offline, retrying in 4s (attempt 4)'],
];

describe('status bar', () => {
  it.each(CASES)('describes %o in plain words', (status, words) => {
    expect(describeConnection(status, 10_000)).toBe(words);
  });

  it('counts the retry down from its deadline as the clock moves, never from a stored string', () => {
    const status: ConnectionStatus = { state: 'reconnecting', attempt: 2, retryInMs: 2_500, retryAt: 12_500, reason: 'connection dropped' };
    const at = (now: number): string => line(statusText(snapshot({ connection: status, publishedAt: now })));
    expect(at(10_000)).toMatch(/^reconnecting in 3s \(attempt 2\) · /);
    expect(at(10_600)).toMatch(/^reconnecting in 2s /);
    expect(at(11_600)).toMatch(/^reconnecting in 1s /);
    expect(at(12_500)).toMatch(/^reconnecting in 0s /);
    expect(at(13_000)).toMatch(/^reconnecting in 0s /);
    const offline: ConnectionStatus = { state: 'offline', attempt: 5, retryInMs: 3_000, retryAt: 13_000, reason: 'connection refused by api.upbit.com' };
    expect(line(statusText(snapshot({ connection: offline, publishedAt: 10_001 })))).toMatch(/^offline, retrying in 3s \(attempt 5\)/);
    expect(line(statusText(snapshot({ connection: offline, publishedAt: 12_001 })))).toMatch(/^offline, retrying in 1s \(attempt 5\)/);
  });

  it('puts the state and the age first, the reason next, then throughput, lag and invalid count', () => {
    expect(line(statusText(snapshot({ invalidCount: 2 })))).toBe('live · last 0.2s ago · 1,234 msg/s · lag p99 3ms · 2 invalid');
    const down: ConnectionStatus = { state: 'offline', attempt: 4, retryInMs: 2_000, retryAt: 12_000, reason: 'cannot resolve api.upbit.com (no network?)' };
    const text = line(statusText(snapshot({ connection: down, lastMessageAt: 1_000, msgPerSec: 0 })));
    expect(text).toBe('offline, retrying in 2s (attempt 4) · last 9s ago · cannot resolve api.upbit.com (no network?) · 0 msg/s · lag p99 3ms');
    // What an 80-column terminal keeps: the state, the countdown and the age.
    expect(text.slice(0, 80)).toContain('last 9s ago');
    // No hint in the status line: the notice line carries it, and only when it applies.
    expect(text).not.toContain('--sim');
  });

  it('says silent, not live, when an open connection has gone quiet', () => {
    const t = statusText(snapshot({ silent: true, lastMessageAt: 3_000 }));
    expect(line(t)).toMatch(/^silent · last 7s ago · /);
    expect(statusText(snapshot({ silent: true }), { markers: true }).connection).toBe('silent!');
  });

  it('shows a flapping link while short-lived connections keep dropping, and forgets them after a minute', () => {
    const drops = [1_000, 4_000, 7_000, 9_000];
    const live: ConnectionStatus = { state: 'live', since: 9_500, drops };
    expect(line(statusText(snapshot({ connection: live })))).toBe('live · last 0.2s ago · flapping: 4 drops in 1m · 1,234 msg/s · lag p99 3ms');
    const reconnecting: ConnectionStatus = { state: 'reconnecting', attempt: 1, retryInMs: 400, retryAt: 10_400, reason: 'connection dropped', drops };
    expect(line(statusText(snapshot({ connection: reconnecting })))).toMatch(/^reconnecting in 1s \(attempt 1\) · last 0.2s ago · flapping: 4 drops in 1m · connection dropped · /);
    // Two drops are bad luck, not a pattern; and drops older than the window do not count.
    expect(line(statusText(snapshot({ connection: { ...live, drops: [8_000, 9_000] } })))).not.toContain('flapping');
    expect(line(statusText(snapshot({ connection: live, publishedAt: 64_500 })))).not.toContain('flapping');
    expect(line(statusText(snapshot({ connection: live, publishedAt: 62_000 })))).toContain('flapping: 3 drops');
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
    expect(frame.split('\n')).toEqual(['shutting down… (Ctrl+C again to force) · live · last 0.2s ago · 1,234 msg/s · lag p99 3ms', 'api.upbit.com unreachable — try --sim']);
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
      { text: ' · last 0.2s ago · 1,234 msg/s · ', tone: 'plain' },
      { text: 'lag p99 150ms', tone: 'warn' },
    ]);
    expect(line(statusText(snapshot({ lagP99Ms: 150 }), { lagWarnMs: 100, markers: true }))).toContain('lag p99 150ms!');
    expect(line(statusText(snapshot({ lagP99Ms: 250 }), { lagWarnMs: 100, markers: true }))).toContain('lag p99 250ms!!');
    expect(line(statusText(snapshot({ lagP99Ms: 50 }), { lagWarnMs: 100, markers: true }))).toMatch(/lag p99 50ms$/);
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
    expect(stripAnsi(frame)).toMatch(/lag p99 100ms$/);
    expect(frame).not.toContain(`${YELLOW}lag`);
    expect(frame).not.toContain(`${RED}lag`);
    expect(frame).not.toContain('ms!');
  });

  it('marks a late loop with ! (and !! above twice the threshold) when colour is off', async () => {
    const warn = await frameWhere(renderLag(150, 'none'), (f) => f.includes('lag p99'), 'the warning frame');
    expect(warn).toBe('live · last 0.2s ago · 1,234 msg/s · lag p99 150ms!');
    const alarm = await frameWhere(renderLag(250, 'none'), (f) => f.includes('lag p99'), 'the alarm frame');
    expect(alarm).toBe('live · last 0.2s ago · 1,234 msg/s · lag p99 250ms!!');
  });
});
