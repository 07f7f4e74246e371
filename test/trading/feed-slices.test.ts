/**
 * The market feed's store slices (src/trading/feed/): books, trade tapes and candles are
 * published at most flushHz times a second however fast data arrives, and read per market with
 * a selector whose snapshot is the same object until that market's slice changes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CandleSeries, OrderBooks, TradeTapes, tickerRowSource } from '../../src/trading/feed/index.js';
import { unionOf } from '../../src/trading/feed/demands.js';
import { MarketFeed } from '../../src/trading/feed/market-feed.js';
import { MarketStore } from '../../src/trading/market-store.js';
import type { Candle, Orderbook, Trade } from '../../src/upbit/types.js';
import { makeTicker } from './ticker-fixture.js';

function book(market: string, bid: number, at = 0): Orderbook {
  return { market, units: [{ askPrice: bid + 1000, askSize: 1, bidPrice: bid, bidSize: 1 }], totalAskSize: 1, totalBidSize: 1, level: 0, timestamp: at, streamType: 'REALTIME' };
}

function trade(market: string, id: number, price = 1000): Trade {
  return { market, price, volume: 1, askBid: 'BID', sequentialId: id, tradeTimestamp: id, timestamp: id, prevClosingPrice: null, change: null, changePrice: null, bestAsk: null, bestBid: null, streamType: 'REALTIME' };
}

function candle(market: string, start: number, close: number, unit: Candle['unit'] = '1m'): Candle {
  return { market, unit, start, open: close, high: close, low: close, close, volume: 1, turnover: close, timestamp: start, streamType: 'REALTIME' };
}

describe('publish rate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([10, 12, 15])('a book slice at flushHz %i never publishes more than that in any second under 10,000 books a second', async (flushHz) => {
    const books = new OrderBooks({ flushHz });
    const at: number[] = [];
    const ofBtc: number[] = [];
    books.subscribe(() => at.push(Date.now()));
    books.source('KRW-BTC').subscribe(() => ofBtc.push(Date.now()));
    const ac = new AbortController();
    const loop = books.run(ac.signal);
    let bid = 100_000_000;
    const feed = setInterval(() => {
      for (let i = 0; i < 10; i++) books.apply(book(i % 2 === 0 ? 'KRW-BTC' : 'KRW-ETH', (bid += 1000)));
    }, 1);
    await vi.advanceTimersByTimeAsync(3000);
    clearInterval(feed);
    ac.abort();
    await loop;
    expect(at.length).toBeGreaterThanOrEqual(3 * flushHz - 1);
    for (let i = 0; i + flushHz < at.length; i++) expect((at[i + flushHz] ?? 0) - (at[i] ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(ofBtc.length).toBeLessThanOrEqual(at.length);
    // The last book applied is the one published.
    books.flush();
    expect(books.select('KRW-ETH')?.units[0]?.bidPrice).toBe(bid);
  });
});

describe('selectors', () => {
  it('a market’s book is the same object until that market changes; its subscribers hear only of it', () => {
    const books = new OrderBooks();
    const source = books.source('KRW-BTC');
    expect(books.source('KRW-BTC')).toBe(source);
    let told = 0;
    source.subscribe(() => (told += 1));
    books.apply(book('KRW-BTC', 100_000_000));
    expect(source.getSnapshot()).toBeUndefined(); // not before the flush
    books.flush();
    const first = source.getSnapshot();
    expect(first?.units[0]?.bidPrice).toBe(100_000_000);
    expect(told).toBe(1);
    books.apply(book('KRW-ETH', 3_000_000));
    books.flush();
    expect(source.getSnapshot()).toBe(first);
    expect(told).toBe(1);
    books.apply(book('KRW-BTC', 100_001_000));
    books.flush();
    expect(source.getSnapshot()).not.toBe(first);
    expect(told).toBe(2);
    expect(books.flush()).toBe(false); // nothing changed: nothing published
  });

  it('a trade tape is bounded, newest first, counts a trade once by its number, and keeps its array until it changes', () => {
    const tapes = new TradeTapes({ length: 3 });
    for (const id of [1, 2, 3, 4]) tapes.apply(trade('KRW-BTC', id));
    // The snapshot after a resubscription repeats the latest trade.
    expect(tapes.apply(trade('KRW-BTC', 4))).toBe(false);
    tapes.flush();
    const tape = tapes.select('KRW-BTC');
    expect(tape?.map((t) => t.sequentialId)).toEqual([4, 3, 2]);
    tapes.apply(trade('KRW-ETH', 9));
    tapes.flush();
    expect(tapes.select('KRW-BTC')).toBe(tape);
    tapes.apply(trade('KRW-BTC', 5));
    tapes.flush();
    expect(tapes.select('KRW-BTC')?.map((t) => t.sequentialId)).toEqual([5, 4, 3]);
    expect(tape?.map((t) => t.sequentialId)).toEqual([4, 3, 2]); // a published tape never changes
  });

  it('candles: the same start replaces, a newer one opens a new candle, bounded per market and unit', () => {
    const candles = new CandleSeries({ length: 2 });
    candles.apply(candle('KRW-BTC', 60_000, 1000));
    candles.apply(candle('KRW-BTC', 60_000, 1100));
    candles.apply(candle('KRW-BTC', 120_000, 1200));
    candles.apply(candle('KRW-BTC', 180_000, 1300));
    candles.apply(candle('KRW-BTC', 60_000, 999)); // older than all kept: falls off
    candles.apply(candle('KRW-BTC', 0, 5, '5m'));
    candles.flush();
    expect(candles.select('KRW-BTC', '1m')?.map((c) => [c.start, c.close])).toEqual([
      [120_000, 1200],
      [180_000, 1300],
    ]);
    expect(candles.select('KRW-BTC', '5m')?.map((c) => c.close)).toEqual([5]);
    const oneMinute = candles.select('KRW-BTC', '1m');
    candles.apply(candle('KRW-BTC', 300_000, 6, '5m'));
    candles.flush();
    expect(candles.select('KRW-BTC', '1m')).toBe(oneMinute);
    candles.apply(candle('KRW-BTC', 180_000, 1350));
    candles.flush();
    expect(candles.select('KRW-BTC', '1m')?.map((c) => c.close)).toEqual([1200, 1350]);
  });

  it('a ticker row of the table keeps its object while other markets tick', () => {
    const store = new MarketStore({ markets: ['KRW-BTC', 'KRW-ETH'] });
    const btc = tickerRowSource(store, 'KRW-BTC');
    expect(tickerRowSource(store, 'KRW-BTC')).toBe(btc);
    store.applyTicker(makeTicker('KRW-BTC', 100_000_000));
    store.flush();
    const row = btc.getSnapshot();
    expect(row?.ticker?.tradePrice).toBe(100_000_000);
    store.applyTicker(makeTicker('KRW-ETH', 3_000_000));
    store.flush();
    expect(btc.getSnapshot()).toBe(row);
    store.applyTicker(makeTicker('KRW-BTC', 100_001_000));
    store.flush();
    expect(btc.getSnapshot()).not.toBe(row);
  });

  it('a subscriber that throws does not keep the others from hearing; the flush then throws', () => {
    const books = new OrderBooks();
    let heard = 0;
    books.source('KRW-BTC').subscribe(() => {
      throw new Error('panel bug');
    });
    books.subscribe(() => (heard += 1));
    books.apply(book('KRW-BTC', 100_000_000));
    expect(() => books.flush()).toThrow('panel bug');
    expect(heard).toBe(1);
  });
});

describe('demands', () => {
  it('the union is per type, each code once, in a fixed order', () => {
    expect(
      unionOf([
        { type: 'candle.1m', codes: ['KRW-ETH'] },
        { type: 'ticker', codes: ['KRW-XRP', 'KRW-BTC'] },
        { type: 'ticker', codes: ['KRW-BTC'] },
        { type: 'orderbook', codes: [] },
      ]),
    ).toEqual([
      { type: 'ticker', codes: ['KRW-BTC', 'KRW-XRP'] },
      { type: 'candle.1m', codes: ['KRW-ETH'] },
    ]);
  });

  it('a release gives its markets back, twice is harmless, and the slices forget what nobody demands', () => {
    const feed = new MarketFeed({ url: 'ws://127.0.0.1:9/websocket/v1', tickers: new MarketStore({ markets: ['KRW-BTC'] }) });
    const offWatch = feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'] });
    const offPanel = feed.demand('panel', { type: 'orderbook', codes: ['KRW-ETH'] });
    feed.demand('monitor', { type: 'ticker', codes: ['KRW-BTC', 'KRW-XRP'] });
    expect(feed.desired()).toEqual([
      { type: 'ticker', codes: ['KRW-BTC', 'KRW-XRP'] },
      { type: 'orderbook', codes: ['KRW-ETH'] },
    ]);
    feed.books.apply(book('KRW-ETH', 3_000_000));
    feed.books.flush();
    offPanel();
    offPanel();
    offWatch();
    expect(feed.desired()).toEqual([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-XRP'] }]);
    feed.books.flush();
    expect(feed.books.select('KRW-ETH')).toBeUndefined();
    expect(() => feed.demand('typo', { type: 'trade', codes: ['krw-btc'] })).toThrow(RangeError);
  });
});
