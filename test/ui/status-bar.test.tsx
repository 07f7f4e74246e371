import { render, cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketSnapshot } from '../../src/trading/market-store.js';
import { StatusBar } from '../../src/ui/StatusBar.js';
import { describeConnection, statusText } from '../../src/ui/status-text.js';
import { themeFor } from '../../src/ui/theme.js';
import type { ConnectionStatus } from '../../src/upbit/quotation-client.js';
import { frameWhere } from './ink-helpers.js';

afterEach(() => {
  cleanup();
});

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
    expect(`${t.lead}${t.connection}${t.rest}`).toBe('live · 1,234 msg/s · lag p99 3ms · last 0.2s ago · 2 invalid');
  });

  it('leaves out what is not known yet', () => {
    const t = statusText(snapshot({ lagP99Ms: null, lastMessageAt: null, msgPerSec: 0 }));
    expect(`${t.lead}${t.connection}${t.rest}`).toBe('live · 0 msg/s');
  });

  it.each(CASES)('renders %o', async (status, words) => {
    const { lastFrame } = render(<StatusBar snapshot={snapshot({ connection: status })} columns={200} showNotice theme={themeFor('none')} />);
    await frameWhere(lastFrame, (f) => f.includes(words), words);
  });

  it('leads with the shutdown state and shows the notice on its own line', async () => {
    const s = snapshot({ shuttingDown: true, notice: 'api.upbit.com unreachable — try --sim' });
    const { lastFrame } = render(<StatusBar snapshot={s} columns={200} showNotice theme={themeFor('none')} />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('shutting down'), 'the shutdown line');
    expect(frame.split('\n')).toEqual(['shutting down… (Ctrl+C again to force) · live · 1,234 msg/s · lag p99 3ms · last 0.2s ago', 'api.upbit.com unreachable — try --sim']);
  });
});
