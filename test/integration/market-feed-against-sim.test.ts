/**
 * The market feed on the real path: the embedded exchange on 127.0.0.1 port 0, the feed's own
 * QuotationClient, the tickers store and the slices. What the simulator saw (its connections,
 * the requests on each, what each is subscribed to) is read from `quotationConnections()`.
 * Every case waits on what arrives, never on a fixed sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startSimServer, type SimServer, type SimTrade } from '../../src/sim/index.js';
import { MarketFeed } from '../../src/trading/feed/index.js';
import { MarketStore } from '../../src/trading/market-store.js';
import type { ConnectionStatus } from '../../src/upbit/quotation-client.js';
import type { Ticker, Trade } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The TUI's wiring (src/app/tui.ts): a table of `table`, the feed over it, running. */
async function harness(table: string[]) {
  const server = await startSimServer({ seed: 11 });
  cleanups.push(() => server.close());
  const log = memoryLogger();
  const store = new MarketStore({ markets: table, logger: log });
  const statuses: ConnectionStatus[] = [];
  const feed = new MarketFeed({ url: server.wsUrl, tickers: store, logger: log, backoff: { baseMs: 20, capMs: 200 }, onStatus: (s) => statuses.push(s) });
  const controller = new AbortController();
  let ended: { how: 'resolved' } | { how: 'rejected'; error: unknown } | null = null;
  const done = feed.run(controller.signal).then(
    () => void (ended = { how: 'resolved' }),
    (error: unknown) => void (ended = { how: 'rejected', error }),
  );
  cleanups.push(async () => {
    controller.abort();
    await done;
  });
  return { server, store, feed, log, statuses, ended: () => ended };
}

/** The engine's trades of `market` from now on, in order. */
function engineTrades(server: SimServer, market: string): SimTrade[] {
  const trades: SimTrade[] = [];
  const off = server.engine.onTrade((t) => {
    if (t.code === market) trades.push(t);
  });
  cleanups.push(() => Promise.resolve(off()));
  return trades;
}

const openConnections = (server: SimServer) => server.quotationConnections().filter((c) => c.open);

describe('the market feed against the embedded exchange', () => {
  it('a demand for a market outside the watchlist gets every tick of it, in order, and the table still shows only its own', async () => {
    const h = await harness(['KRW-BTC']);
    const xrpTrades = engineTrades(h.server, 'KRW-XRP');
    h.feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'] });
    const ticks: Ticker[] = [];
    h.feed.demand('stop-loss KRW-XRP', { type: 'ticker', codes: ['KRW-XRP'], listener: (t) => ticks.push(t) });

    const first = await waitFor(() => ticks.find((t) => t.streamType === 'REALTIME'), 'a live KRW-XRP tick at the listener', 8000);
    // From the first live tick on, one ticker per engine trade of KRW-XRP: none may be missing.
    const after = (ts: number) => xrpTrades.filter((t) => t.timestamp > first.tradeTimestamp && t.timestamp <= ts);
    const cutoff = await waitFor(() => xrpTrades.filter((t) => t.timestamp > first.tradeTimestamp)[4]?.timestamp, 'five more KRW-XRP trades', 10000);
    await waitFor(() => ticks.some((t) => t.tradeTimestamp >= cutoff), 'the listener to catch up with the fifth', 5000);
    const seen = ticks.filter((t) => t.streamType === 'REALTIME' && t.tradeTimestamp > first.tradeTimestamp && t.tradeTimestamp <= cutoff);
    expect(seen.map((t) => t.tradeTimestamp)).toEqual(after(cutoff).map((t) => t.timestamp));
    expect(seen.map((t) => t.tradePrice)).toEqual(after(cutoff).map((t) => t.price));
    expect(ticks.every((t) => t.market === 'KRW-XRP')).toBe(true);

    // The store's rows stay the table's; the store let the tick through to the listener anyway.
    h.store.flush();
    expect(h.store.getSnapshot().rows.has('KRW-XRP')).toBe(false);
    expect(h.server.quotationConnections()).toEqual([expect.objectContaining({ id: 1, open: true, requests: 1, subscriptions: [{ type: 'ticker', codes: ['KRW-BTC', 'KRW-XRP'] }] })]);
  });

  it('a trade demand gets every trade of its market once, by trade number, and the tape holds them', async () => {
    const h = await harness(['KRW-BTC']);
    const ethTrades = engineTrades(h.server, 'KRW-ETH');
    const trades: Trade[] = [];
    h.feed.demand('tape panel', { type: 'trade', codes: ['KRW-ETH'], listener: (t) => trades.push(t) });
    const first = await waitFor(() => trades.find((t) => t.streamType === 'REALTIME'), 'a live KRW-ETH trade', 8000);
    const later = await waitFor(() => {
      const next = ethTrades.filter((t) => t.sequentialId > first.sequentialId);
      return next.length >= 5 ? next.slice(0, 5) : null;
    }, 'five more KRW-ETH trades', 10000);
    const last = later.at(-1)?.sequentialId ?? Infinity;
    await waitFor(() => trades.some((t) => t.sequentialId === last), 'the listener to get the fifth', 5000);
    expect(trades.filter((t) => t.sequentialId > first.sequentialId && t.sequentialId <= last).map((t) => t.sequentialId)).toEqual(later.map((t) => t.sequentialId));
    await waitFor(() => h.feed.tapes.flush() || h.feed.tapes.select('KRW-ETH')?.some((t) => t.sequentialId === last), 'the tape to show it');
    expect(h.feed.tapes.select('KRW-ETH')?.[0]?.sequentialId).toBeGreaterThanOrEqual(last);
  });

  it('a change of demand sends exactly one new request, on the same connection', async () => {
    const h = await harness(['KRW-BTC']);
    h.feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'] });
    await waitFor(() => h.server.quotationConnections()[0]?.requests === 1, 'the first request');
    await waitFor(() => (h.store.flush(), h.store.getSnapshot().rows.get('KRW-BTC')?.ticker), 'a KRW-BTC tick');

    // A panel opens on KRW-ETH: book, tape and 1 m candles, demanded in one go.
    h.feed.demand('panel', { type: 'orderbook', codes: ['KRW-ETH'] });
    h.feed.demand('panel', { type: 'trade', codes: ['KRW-ETH'] });
    h.feed.demand('panel', { type: 'candle.1m', codes: ['KRW-ETH'] });
    await waitFor(() => (h.feed.books.flush(), h.feed.books.select('KRW-ETH')), 'the KRW-ETH book', 8000);
    await waitFor(() => (h.feed.tapes.flush(), h.feed.tapes.select('KRW-ETH')), 'the KRW-ETH tape', 8000);
    expect(h.server.quotationConnections()).toEqual([
      expect.objectContaining({
        id: 1,
        open: true,
        requests: 2,
        subscriptions: [
          { type: 'ticker', codes: ['KRW-BTC'] },
          { type: 'trade', codes: ['KRW-ETH'] },
          { type: 'orderbook', codes: ['KRW-ETH'], level: 0 },
          { type: 'candle.1m', codes: ['KRW-ETH'] },
        ],
      }),
    ]);
    expect(h.feed.stats().connects).toBe(1);
    // Idle until the first demand, then live throughout: no reconnect, no idle spell.
    const sinceLive = h.statuses.slice(h.statuses.findIndex((s) => s.state === 'live'));
    expect(sinceLive.map((s) => s.state)).toEqual(['live']);
  });

  it('releasing a demand narrows the subscription on the same connection; releasing the last one closes it (1000) and the simulator sends no more', async () => {
    const h = await harness(['KRW-BTC']);
    const btcTrades = engineTrades(h.server, 'KRW-BTC');
    const ticks: Ticker[] = [];
    const trades: Trade[] = [];
    const releaseTicker = h.feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'], listener: (t) => ticks.push(t) });
    const releaseTrades = h.feed.demand('tape', { type: 'trade', codes: ['KRW-BTC'], listener: (t) => trades.push(t) });
    await waitFor(() => trades.length > 0 && ticks.length > 0, 'a trade and a tick', 8000);

    releaseTrades();
    await waitFor(() => h.server.quotationConnections()[0]?.requests === 2, 'the narrowed request');
    expect(h.server.quotationConnections()).toEqual([expect.objectContaining({ id: 1, open: true, subscriptions: [{ type: 'ticker', codes: ['KRW-BTC'] }] })]);

    releaseTicker();
    releaseTicker(); // a release is safe to call twice
    await waitFor(() => h.server.quotationConnections()[0]?.open === false, 'the connection to close', 5000);
    expect(h.server.quotationConnections()).toEqual([expect.objectContaining({ id: 1, open: false, closeCode: 1000, requests: 2 })]);
    await waitFor(() => h.statuses.at(-1)?.state === 'idle', 'the feed to say idle');
    // The market goes on trading; nothing reaches us and no connection is made.
    const ticksThen = ticks.length;
    const statsThen = h.feed.stats();
    const tradesThen = btcTrades.length;
    await waitFor(() => btcTrades.length >= tradesThen + 3, 'three more KRW-BTC trades at the simulator', 10000);
    expect(ticks.length).toBe(ticksThen);
    expect(h.feed.stats().messages).toBe(statsThen.messages);
    expect(h.server.connectionCount()).toBe(0);

    // A demand comes back: a new connection, the whole set on it, data again.
    h.feed.demand('monitor', { type: 'ticker', codes: ['KRW-ETH'], listener: (t) => ticks.push(t) });
    await waitFor(() => ticks.length > ticksThen, 'a KRW-ETH tick after the idle spell', 8000);
    expect(openConnections(h.server)).toEqual([expect.objectContaining({ id: 2, requests: 1, subscriptions: [{ type: 'ticker', codes: ['KRW-ETH'] }] })]);
    expect(h.ended()).toBeNull();
  });

  it('with nothing demanded no connection is made; the first demand connects at once', async () => {
    const h = await harness(['KRW-BTC']);
    await waitFor(() => h.statuses.at(-1)?.state === 'idle', 'the feed to say idle');
    expect(h.server.quotationConnections()).toEqual([]);
    const ticks: Ticker[] = [];
    h.feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'], listener: (t) => ticks.push(t) });
    await waitFor(() => ticks.length > 0, 'a tick', 8000);
    expect(h.server.quotationConnections()).toEqual([expect.objectContaining({ id: 1, open: true, requests: 1 })]);
    expect(h.statuses.map((s) => s.state)).toEqual(['idle', 'connecting', 'live']);
  });

  it('a demand released and another made in the same tick: no close, one request for the new set', async () => {
    const h = await harness(['KRW-BTC']);
    const release = h.feed.demand('panel', { type: 'orderbook', codes: ['KRW-BTC'] });
    await waitFor(() => (h.feed.books.flush(), h.feed.books.select('KRW-BTC')), 'the KRW-BTC book', 8000);
    release();
    h.feed.demand('panel', { type: 'orderbook', codes: ['KRW-ETH'] });
    await waitFor(() => (h.feed.books.flush(), h.feed.books.select('KRW-ETH')), 'the KRW-ETH book', 8000);
    expect(h.server.quotationConnections()).toEqual([expect.objectContaining({ id: 1, open: true, requests: 2, subscriptions: [{ type: 'orderbook', codes: ['KRW-ETH'], level: 0 }] })]);
    expect(h.feed.books.select('KRW-BTC')).toBeUndefined();
  });

  it('after a drop the whole demanded set is sent again on the new connection', async () => {
    const h = await harness(['KRW-BTC']);
    h.feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'] });
    h.feed.demand('panel', { type: 'orderbook', codes: ['KRW-ETH'] });
    await waitFor(() => h.server.quotationConnections()[0]?.requests === 1, 'the first request');
    h.server.dropConnections();
    await waitFor(() => openConnections(h.server)[0]?.id === 2 && openConnections(h.server)[0]?.requests === 1, 'the second connection and its request', 8000);
    expect(openConnections(h.server)[0]?.subscriptions).toEqual([
      { type: 'ticker', codes: ['KRW-BTC'] },
      { type: 'orderbook', codes: ['KRW-ETH'], level: 0 },
    ]);
  });

  it('a throwing listener of a demand: the stream and the other listeners go on, the error is counted and its owner told', async () => {
    const h = await harness(['KRW-BTC']);
    const told: unknown[] = [];
    const healthy: Trade[] = [];
    h.feed.demand('broken rule', {
      type: 'trade',
      codes: ['KRW-BTC'],
      listener: () => {
        throw new Error('rule bug');
      },
      onError: (error) => told.push(error),
    });
    h.feed.demand('healthy panel', { type: 'trade', codes: ['KRW-BTC'], listener: (t) => healthy.push(t) });
    await waitFor(() => healthy.length >= 1, 'the first trade', 8000);
    const seenThen = healthy.length;
    await waitFor(() => healthy.length >= seenThen + 3, 'three more trades after the listener threw', 10000);
    expect(h.ended()).toBeNull();
    expect(h.feed.stats().connects).toBe(1);
    expect(h.feed.listenerErrorCount()).toBeGreaterThanOrEqual(seenThen + 3);
    // Every trade the healthy one saw, the broken one threw on, and its owner was told each time.
    expect(told).toHaveLength(h.feed.listenerErrorCount());
    expect(told.length).toBe(healthy.length);
    expect(h.log.records.some((r) => r.level === 'error' && r.fields['owner'] === 'broken rule')).toBe(true);
    // The tape got them all too.
    h.feed.tapes.flush();
    expect(h.feed.tapes.select('KRW-BTC')?.length).toBe(Math.min(200, new Set(healthy.map((t) => t.sequentialId)).size));
  });
});
