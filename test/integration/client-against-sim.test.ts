/**
 * The quotation client against the real embedded exchange on port 0: the seam the TUI runs
 * on offline and in CI. Each case waits on what the client reports, never on a fixed sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/sim/index.js';
import { QuotationClient, type ConnectionStatus, type QuotationClientOptions } from '../../src/upbit/quotation-client.js';
import type { Ticker } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(): Promise<SimServer> {
  const server = await startSimServer({ seed: 7 });
  cleanups.push(() => server.close());
  return server;
}

function client(url: string, codes: string[], opts: Partial<QuotationClientOptions> = {}) {
  const tickers: Ticker[] = [];
  const statuses: ConnectionStatus[] = [];
  let invalid = 0;
  const c = new QuotationClient({
    url,
    backoff: { baseMs: 20, capMs: 200 },
    ...opts,
    onTicker: (t) => tickers.push(t),
    onStatus: (s) => statuses.push(s),
    onInvalid: () => (invalid += 1),
  });
  c.setSubscriptions([{ type: 'ticker', codes }]);
  const controller = new AbortController();
  const done = c.run(controller.signal);
  cleanups.push(async () => {
    controller.abort();
    await done;
  });
  return { c, tickers, statuses, invalid: () => invalid };
}

const snapshotsOf = (ts: Ticker[], code: string) => ts.filter((t) => t.market === code && t.streamType === 'SNAPSHOT');

describe('QuotationClient against the embedded exchange', () => {
  it.each(['DEFAULT', 'SIMPLE'] as const)('gets a snapshot per market, then realtime ticks (%s format)', async (format) => {
    const server = await sim();
    const h = client(server.wsUrl, ['KRW-BTC', 'KRW-ETH'], { format });
    await waitFor(() => snapshotsOf(h.tickers, 'KRW-BTC').length === 1 && snapshotsOf(h.tickers, 'KRW-ETH').length === 1, 'both snapshots');
    await waitFor(() => h.tickers.some((t) => t.streamType === 'REALTIME'), 'a realtime tick', 8000);
    const firstRealtime = h.tickers.findIndex((t) => t.streamType === 'REALTIME');
    const lastSnapshot = h.tickers.findLastIndex((t) => t.streamType === 'SNAPSHOT');
    expect(lastSnapshot).toBeLessThan(firstRealtime);
    const btc = h.tickers.find((t) => t.market === 'KRW-BTC');
    expect(btc?.tradePrice).toBeGreaterThan(1_000_000);
    expect((btc?.tradePrice ?? 1) % 1000).toBe(0);
    expect(h.invalid()).toBe(0);
  });

  it('reconnects after the server drops it and resends the whole wanted set, including a change made meanwhile', async () => {
    const server = await sim();
    const h = client(server.wsUrl, ['KRW-BTC']);
    await waitFor(() => snapshotsOf(h.tickers, 'KRW-BTC').length === 1, 'first snapshot');
    // Drop, and change the wanted set while the socket is down.
    server.dropConnections();
    h.c.setSubscriptions([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-XRP'] }]);
    await waitFor(() => snapshotsOf(h.tickers, 'KRW-BTC').length >= 2 && snapshotsOf(h.tickers, 'KRW-XRP').length >= 1, 'fresh snapshots for the whole set after reconnect');
    expect(h.statuses.some((s) => s.state === 'reconnecting')).toBe(true);
    expect(h.statuses.at(-1)?.state).toBe('live');
    expect(h.c.stats().connects).toBeGreaterThanOrEqual(2);
  });

  it('detects a server that goes silent (no data, no pong) and replaces the connection', async () => {
    const server = await sim();
    const h = client(server.wsUrl, ['KRW-BTC'], { pingIntervalMs: 100, livenessTimeoutMs: 200 });
    await waitFor(() => h.statuses.at(-1)?.state === 'live', 'live');
    server.faults.silent = true;
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting' && /no data or pong/.test(s.reason)), 'silence detected', 5000);
    server.faults.silent = false;
    // The replacement may have opened while the server was still silent (its snapshot then
    // dropped), so what counts is that ticks flow again on a new connection.
    const seen = h.tickers.length;
    await waitFor(() => h.statuses.at(-1)?.state === 'live' && h.tickers.length > seen, 'live again with ticks flowing', 8000);
    expect(h.c.stats().connects).toBeGreaterThanOrEqual(2);
  });

  it('survives garbage frames: counts them and keeps delivering tickers', async () => {
    const server = await sim();
    const h = client(server.wsUrl, ['KRW-BTC']);
    await waitFor(() => snapshotsOf(h.tickers, 'KRW-BTC').length === 1, 'snapshot');
    server.injectFrame(Buffer.from([0xff, 0xfe, 0x00, 0x7b]));
    server.injectFrame('{"type":"ticker","code":"KRW-BTC","trade_price":"NaN"}');
    server.injectFrame('[1,2,');
    server.injectFrame(JSON.stringify({ type: 'nonsense' }), { binary: true });
    await waitFor(() => h.invalid() >= 4, 'the four garbage frames counted');
    const before = h.tickers.length;
    h.c.setSubscriptions([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }]);
    await waitFor(() => h.tickers.length > before && snapshotsOf(h.tickers, 'KRW-ETH').length === 1, 'tickers keep coming');
    expect(h.statuses.filter((s) => s.state === 'reconnecting')).toHaveLength(0);
  });
});
