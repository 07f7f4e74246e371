/**
 * ccxt's `upbit` class (the most used open-source Upbit driver on npm), unmodified, against a
 * real simulator on port 0: it is pointed at the simulator only through `urls.api`, then driven
 * through ccxt's unified API. A failure here means the simulator answers differently from what
 * a real-world client expects of Upbit (docs/upbit-protocol.md#rest-requests, #other-clients).
 */
import { randomBytes } from 'node:crypto';

import type { Order } from 'ccxt';
import { AuthenticationError, ExchangeError, InsufficientFunds, InvalidOrder, OrderNotFound, pro, upbit } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../src/sim/index.js';
import { startSimServer } from '../../src/sim/index.js';
import { krwTickSize } from '../../src/upbit/tick-size.js';
import { waitFor } from '../helpers/wait-for.js';

const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'];
const START_KRW = 10_000_000;

let server: SimServer;
let accessKey: string;
let secretKey: string;
let ex: upbit;

/** A ccxt client aimed at the simulator through configuration alone (both API hosts). */
function client(apiKey: string, secret: string): upbit {
  const exchange = new upbit({ apiKey, secret });
  exchange.urls['api'] = { public: server.restUrl, private: server.restUrl };
  return exchange;
}

type UpbitPro = InstanceType<typeof pro.upbit>;

/**
 * ccxt.pro's upbit aimed at the simulator. ccxt refuses a plain ws:// URL until its HTTP
 * agent is loaded (`loadHttpProxyAgent`): a ccxt quirk for non-TLS sockets, configuration only.
 */
async function proClient(): Promise<UpbitPro> {
  const exchange = new pro.upbit({ apiKey: accessKey, secret: secretKey });
  exchange.urls['api'] = { public: server.restUrl, private: server.restUrl, ws: server.wsUrl };
  await exchange.loadHttpProxyAgent();
  await exchange.loadMarkets();
  return exchange;
}

const onGrid = (price: number): boolean => price % Number(krwTickSize(price)) === 0;

/** The last trade price of BTC/KRW as ccxt sees it. */
async function lastBtcPrice(): Promise<number> {
  const last = (await ex.fetchTicker('BTC/KRW')).last;
  if (last === undefined) throw new Error('fetchTicker gave no last price');
  return last;
}

/** A price `factor` × last, floored onto the KRW tick grid (so a 0.8 bid and a 1.2 ask rest). */
function gridPrice(last: number, factor: number): number {
  const raw = last * factor;
  const tick = Number(krwTickSize(raw));
  return Math.floor(raw / tick) * tick;
}

async function krwBalance(): Promise<{ free: number; used: number }> {
  const balance = await ex.fetchBalance();
  const krw = balance['KRW'] as { free?: number; used?: number } | undefined;
  return { free: krw?.free ?? Number.NaN, used: krw?.used ?? Number.NaN };
}

/** Poll fetchOrder until the order leaves `open` (a market order's fill is reported after the POST). */
function settled(id: string | undefined): Promise<Order> {
  if (id === undefined) throw new Error('ccxt parsed an order without an id');
  return waitFor(async () => {
    const order = await ex.fetchOrder(id);
    return order.status !== 'open' ? order : undefined;
  }, `order ${id} to settle`);
}

beforeEach(async () => {
  accessKey = randomBytes(20).toString('hex');
  secretKey = randomBytes(20).toString('hex');
  server = await startSimServer({ seed: 7, markets: MARKETS, accounts: [{ accessKey, secretKey, krw: String(START_KRW) }] });
  ex = client(accessKey, secretKey);
  await ex.loadMarkets();
});

afterEach(async () => {
  await server.close();
});

describe('ccxt upbit: market data', () => {
  it('loads the markets under their unified symbols', () => {
    expect(Object.keys(ex.markets ?? {}).sort()).toEqual(['BTC/KRW', 'ETH/KRW', 'XRP/KRW']);
    const btc = ex.market('BTC/KRW');
    expect(btc).toMatchObject({ id: 'KRW-BTC', base: 'BTC', quote: 'KRW', spot: true, taker: 0.0005, maker: 0.0005 });
  });

  it('fetches a ticker and tickers that agree with the engine', async () => {
    const ticker = await ex.fetchTicker('BTC/KRW');
    expect(ticker.symbol).toBe('BTC/KRW');
    const last = ticker.last ?? Number.NaN;
    expect(onGrid(last)).toBe(true);
    expect(ticker.high ?? 0).toBeGreaterThanOrEqual(last);
    expect(ticker.low ?? Infinity).toBeLessThanOrEqual(last);
    expect(ticker.baseVolume ?? 0).toBeGreaterThan(0);
    expect(ticker.change).toBeCloseTo(last - (ticker.previousClose ?? Number.NaN), 6);

    const some = await ex.fetchTickers(['BTC/KRW', 'ETH/KRW']);
    expect(Object.keys(some).sort()).toEqual(['BTC/KRW', 'ETH/KRW']);
    expect(some['ETH/KRW']?.last ?? 0).toBeGreaterThan(0);
    // Without symbols ccxt asks /v1/ticker/all?quote_currencies=KRW.
    const all = await ex.fetchTickers();
    expect(Object.keys(all).sort()).toEqual(['BTC/KRW', 'ETH/KRW', 'XRP/KRW']);
  });

  it('fetches an order book with bids below asks on the tick grid', async () => {
    const book = await ex.fetchOrderBook('BTC/KRW');
    expect(book.symbol).toBe('BTC/KRW');
    expect(book.bids.length).toBe(30);
    expect(book.asks.length).toBe(30);
    const bestBid = book.bids[0]?.[0] ?? Number.NaN;
    const bestAsk = book.asks[0]?.[0] ?? Number.NaN;
    expect(bestBid).toBeLessThan(bestAsk);
    for (const [price, size] of [...book.bids, ...book.asks]) {
      expect(onGrid(price ?? Number.NaN), `price ${price}`).toBe(true);
      expect(size ?? 0).toBeGreaterThan(0);
    }
    // ccxt sorts bids descending and asks ascending; the sim's levels must already be distinct.
    expect(new Set(book.bids.map(([p]) => p)).size).toBe(30);
    expect((await ex.fetchOrderBook('BTC/KRW', 5)).bids).toHaveLength(5);
    const books = await ex.fetchOrderBooks(['BTC/KRW', 'ETH/KRW']);
    expect(Object.keys(books).sort()).toEqual(['BTC/KRW', 'ETH/KRW']);
  });

  it('fetches recent trades', async () => {
    const trades = await waitFor(async () => {
      const got = await ex.fetchTrades('BTC/KRW', undefined, 20);
      return got.length >= 2 ? got : undefined;
    }, 'two BTC trades on the tape');
    expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
    for (const t of trades) {
      expect(t.symbol).toBe('BTC/KRW');
      expect(['buy', 'sell']).toContain(t.side);
      expect(onGrid(t.price ?? Number.NaN)).toBe(true);
      expect(t.amount ?? 0).toBeGreaterThan(0);
    }
    const times = trades.map((t) => t.timestamp ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it.each([
    ['1m', 60_000],
    ['1d', 86_400_000],
  ])('fetches %s OHLCV candles on bucket boundaries', async (timeframe, bucketMs) => {
    const candles = await ex.fetchOHLCV('BTC/KRW', timeframe, undefined, 10);
    expect(candles.length).toBe(10);
    for (const [ts, open, high, low, close, volume] of candles) {
      expect((ts ?? 1) % bucketMs).toBe(0);
      expect(high ?? 0).toBeGreaterThanOrEqual(Math.max(open ?? Infinity, close ?? Infinity));
      expect(low ?? Infinity).toBeLessThanOrEqual(Math.min(open ?? 0, close ?? 0));
      expect(volume ?? 0).toBeGreaterThan(0);
    }
    const times = candles.map(([ts]) => ts ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // `since` becomes an ISO-8601 `to` (with millis and Z): the window ends at since + limit buckets.
    const since = (times[times.length - 1] ?? 0) - 4 * bucketMs;
    const window = await ex.fetchOHLCV('BTC/KRW', timeframe, since, 3);
    expect(window.map(([ts]) => ts)).toEqual([since, since + bucketMs, since + 2 * bucketMs]);
  });
});

describe('ccxt upbit: account and orders', () => {
  it('reports the starting KRW balance', async () => {
    expect(await krwBalance()).toEqual({ free: START_KRW, used: 0 });
  });

  it('places, finds, lists and cancels a resting limit buy, unlocking the KRW', async () => {
    const price = gridPrice(await lastBtcPrice(), 0.8);
    const placed = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, price);
    expect(placed).toMatchObject({ symbol: 'BTC/KRW', type: 'limit', side: 'buy', price, amount: 0.001, status: 'open', filled: 0, remaining: 0.001 });
    const locked = price * 0.001 * 1.0005;
    const during = await krwBalance();
    expect(during.used).toBeCloseTo(locked, 6);
    expect(during.free).toBeCloseTo(START_KRW - locked, 6);

    const fetched = await ex.fetchOrder(placed.id ?? '');
    expect(fetched).toMatchObject({ id: placed.id, status: 'open', price, amount: 0.001, trades: [] });
    expect((await ex.fetchOpenOrders('BTC/KRW')).map((o) => o.id)).toEqual([placed.id]);
    expect((await ex.fetchOpenOrders()).map((o) => o.id)).toEqual([placed.id]);

    // Upbit answers a cancel with the order as it was when accepted (state wait).
    const cancel = await ex.cancelOrder(placed.id ?? '');
    expect(cancel.id).toBe(placed.id);
    const ended = await settled(placed.id);
    expect(ended).toMatchObject({ status: 'canceled', filled: 0 });
    expect(await ex.fetchOpenOrders('BTC/KRW')).toEqual([]);
    expect((await ex.fetchCanceledOrders('BTC/KRW')).map((o) => o.id)).toEqual([placed.id]);
    expect(await krwBalance()).toEqual({ free: START_KRW, used: 0 });
    await expect(ex.cancelOrder(placed.id ?? '')).rejects.toThrow(ExchangeError);
  });

  it('buys at market by cost, rests a limit sell, sells at market, and lists closed orders', async () => {
    const last = await lastBtcPrice();
    // ccxt sends ord_type=price with price = the KRW to spend (the `cost` param).
    const buy = await ex.createOrder('BTC/KRW', 'market', 'buy', 0, undefined, { cost: 200_000 });
    expect(buy.info).toMatchObject({ ord_type: 'price', price: '200000' });
    const bought = await settled(buy.id);
    // A market buy that cannot spend its total exactly ends `cancel` on Upbit (docs/upbit-protocol.md#exchange-endpoints).
    expect(['closed', 'canceled']).toContain(bought.status);
    const btc = bought.filled ?? 0;
    expect(btc).toBeGreaterThan(0);
    expect(bought.cost ?? 0).toBeLessThanOrEqual(200_000);
    expect(bought.cost ?? 0).toBeGreaterThan(200_000 - (bought.average ?? 0) * 1e-8 * 2);
    expect(bought.fee?.cost).toBeCloseTo((bought.cost ?? 0) * 0.0005, 6);
    expect(bought.trades.length).toBeGreaterThan(0);

    // The same through createMarketBuyOrderRequiresPrice: amount × price is the cost.
    const buy2 = await ex.createOrder('BTC/KRW', 'market', 'buy', 0.001, gridPrice(last, 0.1));
    expect(buy2.info).toMatchObject({ ord_type: 'price' });
    expect(Number((buy2.info as { price: string }).price)).toBeCloseTo(gridPrice(last, 0.1) * 0.001, 6);
    await settled(buy2.id);

    const balance = await ex.fetchBalance();
    const held = (balance['BTC'] as { free?: number } | undefined)?.free ?? 0;
    expect(held).toBeGreaterThan(btc);

    const askPrice = gridPrice(last, 1.2);
    const rest = await ex.createOrder('BTC/KRW', 'limit', 'sell', 0.0005, askPrice);
    expect(rest).toMatchObject({ side: 'sell', status: 'open', price: askPrice, amount: 0.0005 });
    const afterAsk = (await ex.fetchBalance())['BTC'] as { free?: number; used?: number } | undefined;
    expect(afterAsk?.used).toBeCloseTo(0.0005, 8);

    const sell = await ex.createOrder('BTC/KRW', 'market', 'sell', 0.0005);
    expect(sell.info).toMatchObject({ ord_type: 'market', volume: '0.0005' });
    const sold = await settled(sell.id);
    expect(sold).toMatchObject({ status: 'closed', filled: 0.0005, remaining: 0 });

    const closed = await ex.fetchClosedOrders('BTC/KRW');
    expect(closed.map((o) => o.id)).toContain(sell.id);
    expect(closed.every((o) => o.status === 'closed')).toBe(true);
    // With `since` ccxt sends start_time as a ms timestamp (Upbit accepts it since 2024-12-18).
    const since = await ex.fetchClosedOrders('BTC/KRW', Date.now() - 3_600_000);
    expect(since.map((o) => o.id)).toContain(sell.id);
    expect((await ex.fetchOpenOrders('BTC/KRW')).map((o) => o.id)).toEqual([rest.id]);
  });

  it('replaces an order with editOrder (cancel_and_new)', async () => {
    const price = gridPrice(await lastBtcPrice(), 0.8);
    const first = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, price);
    const lower = gridPrice(price, 0.9);
    const edited = await ex.editOrder(first.id ?? '', 'BTC/KRW', 'limit', 'buy', 0.002, lower);
    expect(edited.id).not.toBe(first.id);
    await settled(first.id);
    expect(await ex.fetchOrder(edited.id ?? '')).toMatchObject({ status: 'open', price: lower, amount: 0.002 });
  });

  it('passes clientOrderId, postOnly and test through', async () => {
    const price = gridPrice(await lastBtcPrice(), 0.8);
    const tagged = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, price, { clientOrderId: 'ccxt-compat-1', postOnly: true });
    // ccxt parses Upbit's time_in_force verbatim ('POST_ONLY') and derives postOnly only from
    // 'PO', so its postOnly flag stays false: a ccxt quirk; the wire field is what matters.
    expect(tagged).toMatchObject({ clientOrderId: 'ccxt-compat-1', timeInForce: 'POST_ONLY', info: { identifier: 'ccxt-compat-1', time_in_force: 'post_only' } });
    expect(await ex.fetchOrder(tagged.id ?? '')).toMatchObject({ clientOrderId: 'ccxt-compat-1', status: 'open' });
    const probe = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, price, { test: true });
    await expect(ex.fetchOrder(probe.id ?? '')).rejects.toThrow(OrderNotFound);
  });
});

describe('ccxt upbit: errors map onto ccxt exception classes', () => {
  it('raises InsufficientFunds for either side', async () => {
    const last = await lastBtcPrice();
    await expect(ex.createOrder('BTC/KRW', 'limit', 'buy', 0.5, gridPrice(last, 0.8))).rejects.toThrow(InsufficientFunds);
    await expect(ex.createOrder('BTC/KRW', 'market', 'sell', 0.01)).rejects.toThrow(InsufficientFunds);
    await expect(ex.createOrder('BTC/KRW', 'market', 'buy', 0, undefined, { cost: 20_000_000 })).rejects.toThrow(InsufficientFunds);
  });

  it('rejects a below-minimum order', async () => {
    // Upbit names it under_min_total_bid (docs/upbit-protocol.md#order-size), which ccxt 4.5.84's exception map does not
    // list, so ccxt raises its generic ExchangeError, not InvalidOrder (a ccxt quirk).
    const attempt = ex.createOrder('BTC/KRW', 'limit', 'buy', 0.00001, gridPrice(await lastBtcPrice(), 0.8));
    await expect(attempt).rejects.toThrow(ExchangeError);
    await expect(attempt).rejects.toThrow(/under_min_total_bid/);
    // ccxt's own pre-flight InvalidOrder (no amount×price for a market buy) never reaches the server.
    await expect(ex.createOrder('BTC/KRW', 'market', 'buy', 0.001)).rejects.toThrow(InvalidOrder);
  });

  it('raises OrderNotFound for an unknown uuid', async () => {
    await expect(ex.fetchOrder('00000000-0000-4000-8000-000000000000')).rejects.toThrow(OrderNotFound);
    await expect(ex.cancelOrder('00000000-0000-4000-8000-000000000000')).rejects.toThrow(OrderNotFound);
  });

  it('raises AuthenticationError for a wrong secret or an unknown key', async () => {
    await expect(client(accessKey, randomBytes(20).toString('hex')).fetchBalance()).rejects.toThrow(AuthenticationError);
    await expect(client(randomBytes(20).toString('hex'), secretKey).fetchBalance()).rejects.toThrow(AuthenticationError);
  });
});

describe('ccxt.pro upbit: WebSocket streams', () => {
  let ws: UpbitPro;

  beforeEach(async () => {
    ws = await proClient();
  });

  afterEach(async () => {
    await ws.close();
  });

  it('watches ticker, order book, trades and 1s candles on one connection', async () => {
    // ccxt resends the union of its subscriptions with every new watch (docs/upbit-protocol.md#other-clients): each one
    // below replaces the connection's set, and the earlier streams must keep flowing.
    const ticker = await ws.watchTicker('BTC/KRW');
    expect(ticker.symbol).toBe('BTC/KRW');
    expect(onGrid(ticker.last ?? Number.NaN)).toBe(true);

    const book = await ws.watchOrderBook('BTC/KRW');
    expect(book.bids.length).toBe(15); // ccxt's default depth for upbit (options.watchOrderBook.limit)
    expect(book.bids[0]?.[0] ?? Infinity).toBeLessThan(book.asks[0]?.[0] ?? 0);

    const trades = await ws.watchTrades('BTC/KRW');
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.every((t) => t.symbol === 'BTC/KRW' && (t.amount ?? 0) > 0)).toBe(true);

    // ccxt 4.5.84's upbit handleOHLCV resolves one candle, not the OHLCV[] its types declare
    // (a ccxt quirk): accept either.
    const got: unknown[] = await ws.watchOHLCV('BTC/KRW', '1s');
    const candle = (Array.isArray(got[0]) ? got[0] : got) as Array<number | undefined>;
    const [ts, open, high, low, close, volume] = candle;
    expect((ts ?? 1) % 1000).toBe(0);
    expect(high ?? 0).toBeGreaterThanOrEqual(Math.max(open ?? Infinity, close ?? Infinity));
    expect(low ?? Infinity).toBeLessThanOrEqual(Math.min(open ?? 0, close ?? 0));
    expect(volume ?? 0).toBeGreaterThan(0);

    const tickers = await ws.watchTickers(['BTC/KRW', 'ETH/KRW']);
    expect(Object.keys(tickers).every((symbol) => symbol === 'BTC/KRW' || symbol === 'ETH/KRW')).toBe(true);
  });

  it('watches myOrder and myAsset: orders, fills and balances', async () => {
    const orders = ws.watchOrders('BTC/KRW');
    const balance = ws.watchBalance();
    const fills = ws.watchMyTrades('BTC/KRW');
    const price = gridPrice(await lastBtcPrice(), 0.8);
    // The private stream is realtime only and says nothing when a subscription lands, so
    // place resting orders until the watch sees one of them.
    const placed: string[] = [];
    let seen: Order[] | undefined;
    void orders.then((list) => (seen = list));
    await waitFor(
      async () => {
        if (seen !== undefined) return true;
        placed.push((await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.001, price)).id ?? '');
        return false;
      },
      'watchOrders to report a placed order',
      5000,
      200,
    );
    const order = seen?.[0];
    expect(placed).toContain(order?.id);
    expect(order).toMatchObject({ symbol: 'BTC/KRW', side: 'buy', type: 'limit', status: 'open', price, amount: 0.001 });

    const krw = (await balance)['KRW'] as { free?: number; used?: number } | undefined;
    expect(krw?.used ?? 0).toBeGreaterThan(0);
    expect((krw?.free ?? 0) + (krw?.used ?? 0)).toBeCloseTo(START_KRW, 6);

    const buy = await ex.createOrder('BTC/KRW', 'market', 'buy', 0, undefined, { cost: 100_000 });
    const [fill] = await fills;
    expect(fill).toMatchObject({ symbol: 'BTC/KRW', side: 'buy', order: buy.id });
    expect((fill?.cost ?? 0) / (fill?.amount ?? 1)).toBeCloseTo(fill?.price ?? 0, 0);
    expect(fill?.fee?.cost).toBeCloseTo((fill?.cost ?? 0) * 0.0005, 6);
  });
});
