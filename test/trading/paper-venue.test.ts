/**
 * Paper trading against the embedded simulator's quotation REST on port 0: orders fill by the
 * simulator's engine against the book the venue fetched, errors are the REST client's, and
 * the wallet survives a restart.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../src/sim/index.js';
import { startSimServer } from '../../src/sim/index.js';
import type { PaperVenue } from '../../src/trading/paper/index.js';
import { PaperWalletError, createPaperVenue, walletPath } from '../../src/trading/paper/index.js';
import { Secret } from '../../src/upbit/credentials.js';
import type { OrderbookSnapshot, TickerSnapshot } from '../../src/upbit/rest/index.js';
import { UpbitRestClient, UserActionError } from '../../src/upbit/rest/index.js';
import type { MyAssetEvent, MyOrderEvent } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';

const MARKET = 'KRW-BTC';
const KEYS = { accessKey: 'paper-test-access', secretKey: 'paper-test-secret' };

let server: SimServer;
let quotes: UpbitRestClient;
let dataDir: string;
const venues: PaperVenue[] = [];
let ids = 0;
const identifier = (): string => `paper-test-${process.pid}-${++ids}`;

beforeEach(async () => {
  server = await startSimServer({ port: 0, seed: 7, markets: [MARKET, 'KRW-ETH'], accounts: [{ ...KEYS, krw: '10000000' }] });
  quotes = new UpbitRestClient({ baseUrl: server.restUrl });
  dataDir = await mkdtemp(path.join(tmpdir(), 'upbit-tui-paper-'));
});

afterEach(async () => {
  for (const v of venues.splice(0)) await v.close();
  await quotes.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function open(options: Partial<Parameters<typeof createPaperVenue>[0]> = {}): Promise<PaperVenue> {
  const venue = await createPaperVenue({ dataDir, quotes, quotesLabel: 'sim', ...options });
  venues.push(venue);
  return venue;
}

async function balance(venue: PaperVenue, currency: string): Promise<{ balance: string; locked: string }> {
  const b = (await venue.accounts()).find((x) => x.currency === currency);
  return { balance: b?.balance.toFixed() ?? '0', locked: b?.locked.toFixed() ?? '0' };
}

function quotesOf(q: UpbitRestClient) {
  return { orderbook: q.orderbook.bind(q), instruments: q.instruments.bind(q), tickers: q.tickers.bind(q), candles: q.candles.bind(q) };
}

/** A bid far below the market, on every KRW grid: it rests. */
async function restingBidPrice(): Promise<Decimal> {
  const [t] = await quotes.tickers([MARKET]);
  if (t === undefined) throw new Error('no ticker');
  return t.tradePrice.mul('0.8').div(100_000).floor().mul(100_000);
}

describe('PaperVenue', () => {
  it('is a paper venue on its quotes and starts with 10,000,000 KRW', async () => {
    const venue = await open();
    expect([venue.kind, venue.endpoint, venue.accountId]).toEqual(['paper', 'paper:sim', 'paper']);
    expect(await balance(venue, 'KRW')).toEqual({ balance: '10000000', locked: '0' });
    expect(venue.onReconnected(() => undefined)).toBeTypeOf('function');
  });

  it('walks the current book for a market buy by total, refunds the dust and ends cancel, balances exact', async () => {
    // Record the book the venue fetched, to check the fills walked exactly that book.
    let seen: OrderbookSnapshot | undefined;
    const recording = {
      orderbook: async (m: readonly string[], count?: number) => {
        const books = await quotes.orderbook(m, count);
        seen = books[0];
        return books;
      },
      instruments: (m: readonly string[]) => quotes.instruments(m),
      tickers: (m: readonly string[]) => quotes.tickers(m),
      candles: quotes.candles.bind(quotes),
    };
    const venue = await open({ quotes: recording });
    const orderEvents: MyOrderEvent[] = [];
    venue.onOrderEvent((e) => orderEvents.push(e));

    const total = new Decimal(5_000_000);
    const placed = await venue.placeOrder({ market: MARKET, side: 'bid', ordType: 'price', price: total, identifier: identifier() });
    expect(placed.state).toBe('wait');
    expect(placed.ordType).toBe('price');

    const order = await venue.getOrder({ uuid: placed.uuid });
    expect(order.state).toBe('cancel');
    expect(order.trades.length).toBeGreaterThan(0);
    const asks = seen?.units.map((u) => u.askPrice.toFixed()) ?? [];
    expect(order.trades.map((t) => t.price.toFixed())).toEqual(asks.slice(0, order.trades.length));
    // Every level but the last is taken whole.
    order.trades.slice(0, -1).forEach((t, i) => expect(t.volume.toFixed()).toBe(seen?.units[i]?.askSize.toFixed()));

    const funds = order.trades.reduce((s, t) => s.plus(t.funds), new Decimal(0));
    const volume = order.trades.reduce((s, t) => s.plus(t.volume), new Decimal(0));
    const fee = funds.mul('0.0005');
    expect(funds.lte(total)).toBe(true);
    expect(order.executedFunds?.toFixed()).toBe(funds.toFixed());
    expect(order.paidFee.toFixed()).toBe(fee.toFixed());
    // The unspent dust (and its fee) went back to the wallet: nothing stays locked.
    expect(await balance(venue, 'KRW')).toEqual({ balance: new Decimal(10_000_000).minus(funds).minus(fee).toFixed(), locked: '0' });
    expect(await balance(venue, 'BTC')).toEqual({ balance: volume.toFixed(), locked: '0' });
    expect(orderEvents.filter((e) => e.state === 'trade')).toHaveLength(order.trades.length);
    expect(orderEvents.at(-1)?.state).toBe('cancel');
  });

  it('refuses off-tick prices and totals under 5,000 KRW with the same errors as the exchange', async () => {
    const venue = await open();
    const live = new UpbitRestClient({ baseUrl: server.restUrl, keys: { accessKey: KEYS.accessKey, secretKey: new Secret(KEYS.secretKey), source: 'test' } });
    try {
      const base = await restingBidPrice();
      const cases = [
        { price: base.plus(1), volume: new Decimal('0.001'), name: 'invalid_price_bid' },
        { price: base, volume: new Decimal('0.00001'), name: 'under_min_total_bid' },
      ];
      for (const c of cases) {
        const request = { market: MARKET, side: 'bid' as const, ordType: 'limit' as const, price: c.price, volume: c.volume };
        const paper = await venue.placeOrder({ ...request, identifier: identifier() }).catch((e: unknown) => e);
        const real = await live.placeOrder({ ...request, identifier: identifier() }).catch((e: unknown) => e);
        expect(paper).toBeInstanceOf(UserActionError);
        expect(real).toBeInstanceOf(UserActionError);
        const pe = paper as UserActionError;
        const re = real as UserActionError;
        expect([pe.name, pe.upbitName, pe.status, pe.message]).toEqual([re.name, re.upbitName, re.status, re.message]);
        expect(pe.upbitName).toBe(c.name);
      }
      expect(await balance(venue, 'KRW')).toEqual({ balance: '10000000', locked: '0' });
      expect(await venue.openOrders()).toEqual([]);
    } finally {
      await live.close();
    }
  });

  it('answers OrderNotFoundError for an unknown order', async () => {
    const venue = await open();
    await expect(venue.getOrder({ identifier: 'never-placed' })).rejects.toMatchObject({ name: 'OrderNotFoundError', upbitName: 'order_not_found' });
    await expect(venue.cancelOrder({ uuid: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ name: 'OrderNotFoundError' });
  });

  it('fills a resting limit bid when the market trades through it, with trade and done events', async () => {
    const venue = await open();
    const orderEvents: MyOrderEvent[] = [];
    const assetEvents: MyAssetEvent[] = [];
    venue.onOrderEvent((e) => orderEvents.push(e));
    venue.onAssetEvent((e) => assetEvents.push(e));
    const price = await restingBidPrice();
    const placed = await venue.placeOrder({ market: MARKET, side: 'bid', ordType: 'limit', price, volume: new Decimal('0.0001'), identifier: identifier() });
    const cost = price.mul('0.0001');
    const fee = cost.mul('0.0005');
    expect(await balance(venue, 'KRW')).toEqual({ balance: new Decimal(10_000_000).minus(cost).minus(fee).toFixed(), locked: cost.plus(fee).toFixed() });
    expect((await venue.openOrders({ market: MARKET })).map((o) => o.uuid)).toEqual([placed.uuid]);

    venue.notifyTrade(MARKET, price.plus(100_000), new Decimal(1)); // above the bid: nothing
    expect((await venue.getOrder({ uuid: placed.uuid })).state).toBe('wait');
    venue.notifyTrade(MARKET, price.minus(100_000), new Decimal(1));

    const states = orderEvents.filter((e) => e.uuid === placed.uuid).map((e) => e.state);
    expect(states).toEqual(['wait', 'trade', 'done']);
    const trade = orderEvents.find((e) => e.state === 'trade');
    expect(trade?.fill?.price.toFixed()).toBe(price.toFixed());
    expect(trade?.fill?.isMaker).toBe(true);
    expect(assetEvents.length).toBeGreaterThan(0);
    const done = await venue.getOrder({ uuid: placed.uuid });
    expect(done.state).toBe('done');
    expect(done.trades.map((t) => [t.price.toFixed(), t.volume.toFixed()])).toEqual([[price.toFixed(), '0.0001']]);
    expect(await balance(venue, 'KRW')).toEqual({ balance: new Decimal(10_000_000).minus(cost).minus(fee).toFixed(), locked: '0' });
    expect(await balance(venue, 'BTC')).toEqual({ balance: '0.0001', locked: '0' });
  });

  it('polls tickers for open orders when nobody feeds trades', async () => {
    const price = await restingBidPrice();
    let tradeTimestamp = Date.now() + 1000;
    const feed = {
      orderbook: (m: readonly string[], count?: number) => quotes.orderbook(m, count),
      instruments: (m: readonly string[]) => quotes.instruments(m),
      candles: quotes.candles.bind(quotes),
      tickers: async (m: readonly string[]): Promise<TickerSnapshot[]> => {
        const real = await quotes.tickers(m);
        return real.map((t) => ({ ...t, tradePrice: price.minus(100_000), tradeVolume: new Decimal(1), tradeTimestamp: tradeTimestamp++ }));
      },
    };
    const venue = await open({ quotes: feed, pollMs: 20 });
    const placed = await venue.placeOrder({ market: MARKET, side: 'bid', ordType: 'limit', price, volume: new Decimal('0.0001'), identifier: identifier() });
    const stop = new AbortController();
    const running = venue.run(stop.signal);
    try {
      await waitFor(async () => (await venue.getOrder({ uuid: placed.uuid })).state === 'done', 'the polled trade to fill the bid');
    } finally {
      stop.abort();
      await running;
    }
  });

  it('a poll that finds no open order takes no lock and writes nothing; one placed by another process is still found', async () => {
    const price = await restingBidPrice();
    let looks = 0;
    const polled: string[][] = [];
    const feed = { ...quotesOf(quotes), tickers: async (m: readonly string[]) => (polled.push([...m]), quotes.tickers(m)) };
    const venue = await open({ quotes: feed, pollMs: 10, now: () => (looks++, Date.now()) });
    const owner = `${walletPath(dataDir, 'sim')}.lock.owner`;
    await rm(owner, { force: true });
    const stop = new AbortController();
    const running = venue.run(stop.signal);
    try {
      const from = looks;
      await waitFor(() => looks >= from + 5, 'five polls');
      // Each poll took the wallet's lock, which rewrote the owner file, before the fix.
      await expect(stat(owner)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(polled).toEqual([]);
      // Another process's order: the file changed, so the poll reads it again (under the lock).
      const other = await open();
      await other.placeOrder({ market: MARKET, side: 'bid', ordType: 'limit', price, volume: new Decimal('0.0001'), identifier: identifier() });
      await waitFor(() => polled.length > 0, 'a poll of the market the other process has an order on');
      expect(polled[0]).toEqual([MARKET]);
    } finally {
      stop.abort();
      await running;
    }
  });

  it('keeps the wallet and its open orders across a restart', async () => {
    const first = await open();
    await first.placeOrder({ market: MARKET, side: 'bid', ordType: 'price', price: new Decimal(100_000), identifier: identifier() });
    const resting = await first.placeOrder({
      market: MARKET,
      side: 'bid',
      ordType: 'limit',
      price: await restingBidPrice(),
      volume: new Decimal('0.0002'),
      identifier: identifier(),
    });
    // On disk before placeOrder answered, without waiting for close (a crash keeps the last change).
    const file = walletPath(dataDir, 'sim');
    expect(await readFile(file, 'utf8')).toContain(resting.uuid);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const before = await first.accounts();
    await first.close();

    const second = await open();
    expect(await second.accounts()).toEqual(before);
    const open2 = await second.openOrders();
    expect(open2.map((o) => [o.uuid, o.identifier, o.state])).toEqual([[resting.uuid, resting.identifier, 'wait']]);
    // The identifier stays used after the restart.
    const again = await second
      .placeOrder({ market: MARKET, side: 'bid', ordType: 'limit', price: await restingBidPrice(), volume: new Decimal('0.0002'), identifier: resting.identifier ?? '' })
      .catch((e: unknown) => e);
    expect(again).toMatchObject({ kind: 'bug' });
    // And the restored order still fills.
    second.notifyTrade(MARKET, new Decimal(1_000), new Decimal(1));
    expect((await second.getOrder({ uuid: resting.uuid })).state).toBe('done');
  });

  it('fills orders that rested while it was closed from the candles of that time, once, and no others', async () => {
    const MIN = 60_000;
    const placedAt = Math.floor(Date.now() / MIN) * MIN - 180 * MIN;
    let clock: number;
    const [instrument] = await quotes.instruments([MARKET]);
    const tick = instrument?.tickSize ?? new Decimal(1000);
    // What the market did since the orders were placed (the simulator's 1-minute history).
    const since = (await quotes.candles(MARKET, 1, 200)).filter((c) => c.start >= placedAt);
    const low = Decimal.min(...since.map((c) => c.low));
    const high = Decimal.max(...since.map((c) => c.high));
    const [book] = await quotes.orderbook([MARKET], 1);
    const bestAsk = book?.units[0]?.askPrice ?? new Decimal(0);
    const bestBid = book?.units[0]?.bidPrice ?? new Decimal(0);
    const bid = low.div(tick).ceil().mul(tick); // traded through at the window's low
    const ask = high.div(tick).floor().mul(tick); // traded through at its high
    expect(bid.lt(bestAsk) && ask.gt(bestBid), `the window's range ${low.toFixed()}–${high.toFixed()} must reach past the book ${bestBid.toFixed()}/${bestAsk.toFixed()}`).toBe(true);

    clock = placedAt - 1; // the buy that pays for the ask comes first
    const first = await open({ now: () => clock });
    await first.placeOrder({ market: MARKET, side: 'bid', ordType: 'price', price: new Decimal(1_000_000), identifier: identifier() });
    clock = placedAt;
    const volume = new Decimal('0.0001');
    const place = (side: 'bid' | 'ask', price: Decimal) => first.placeOrder({ market: MARKET, side, ordType: 'limit', price, volume, identifier: identifier() });
    const filledBid = await place('bid', bid);
    const restingBid = await place('bid', bid.minus(tick.mul(5)));
    const filledAsk = await place('ask', ask);
    const restingAsk = await place('ask', ask.plus(tick.mul(5)));
    expect((await first.openOrders()).length).toBe(4);
    await first.close();

    clock = Date.now();
    const second = await open({ now: () => clock });
    const state = async (uuid: string) => (await second.getOrder({ uuid })).state;
    expect(await state(filledBid.uuid)).toBe('done');
    expect(await state(filledAsk.uuid)).toBe('done');
    expect(await state(restingBid.uuid)).toBe('wait');
    expect(await state(restingAsk.uuid)).toBe('wait');
    const bidFill = (await second.getOrder({ uuid: filledBid.uuid })).trades;
    expect(bidFill.map((t) => t.price.toFixed())).toEqual([bid.toFixed()]); // a maker at its own price
    expect(bidFill[0]?.createdAt).toBeGreaterThanOrEqual(placedAt);
    expect(bidFill[0]?.createdAt).toBeLessThanOrEqual(clock);
    // The same candles are not replayed: nothing more fills on the next start.
    expect(await second.catchUp()).toBe(0);
    const krw = await balance(second, 'KRW');
    await second.close();
    const third = await open();
    expect(await balance(third, 'KRW')).toEqual(krw);
    expect((await third.openOrders()).map((o) => o.uuid).sort()).toEqual([restingBid.uuid, restingAsk.uuid].sort());
  });

  it('opens when the candles cannot be read, leaving resting orders open for the next start', async () => {
    let clock = Date.now() - 30 * 60_000;
    const first = await open({ now: () => clock });
    const resting = await first.placeOrder({ market: MARKET, side: 'bid', ordType: 'limit', price: await restingBidPrice(), volume: new Decimal('0.0002'), identifier: identifier() });
    await first.close();
    clock = Date.now();
    const offline = { ...quotesOf(quotes), candles: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const second = await open({ quotes: offline, now: () => clock });
    expect((await second.getOrder({ uuid: resting.uuid })).state).toBe('wait');
  });

  it('refuses a corrupt wallet file with a message naming it, and leaves it untouched', async () => {
    const file = walletPath(dataDir, 'sim');
    await (await open()).close();
    for (const text of ['{"format": "not json', '{"format": "something else"}']) {
      await writeFile(file, text);
      const error = await createPaperVenue({ dataDir, quotes, quotesLabel: 'sim' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaperWalletError);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(/move it away/);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  });

  it('keeps one wallet per quotes label', async () => {
    const sim = await open({ quotesLabel: 'sim' });
    const upbit = await open({ quotesLabel: 'upbit' });
    expect(upbit.endpoint).toBe('paper:upbit');
    expect(sim.file).not.toBe(upbit.file);
    await sim.placeOrder({ market: MARKET, side: 'bid', ordType: 'price', price: new Decimal(100_000), identifier: identifier() });
    expect((await sim.accounts()).map((b) => b.currency)).toContain('BTC');
    expect(await upbit.accounts()).toHaveLength(1);
    await sim.close();
    await upbit.close();
    const reopened = await open({ quotesLabel: 'upbit' });
    expect(await balance(reopened, 'KRW')).toEqual({ balance: '10000000', locked: '0' });
    expect(JSON.parse(await readFile(walletPath(dataDir, 'upbit'), 'utf8'))).not.toEqual(JSON.parse(await readFile(walletPath(dataDir, 'sim'), 'utf8')));
  });
  it('two venues on one wallet (two processes side by side) keep every order of both, and each sees the other', async () => {
    const a = await open();
    const b = await open();
    const price = await restingBidPrice();
    const place = (v: PaperVenue) => v.placeOrder({ market: MARKET, side: 'bid', ordType: 'limit', price, volume: new Decimal('0.0001'), identifier: identifier() });
    // Interleaved, each against a wallet the other changed since it last looked.
    const placed = [await place(a), await place(b), await place(a), await place(b)];
    const uuids = placed.map((o) => o.uuid).sort();
    expect((await a.openOrders()).map((o) => o.uuid).sort()).toEqual(uuids);
    expect((await b.openOrders()).map((o) => o.uuid).sort()).toEqual(uuids);
    const cost = price.mul('0.0001').mul('1.0005').mul(4);
    expect(await balance(b, 'KRW')).toEqual({ balance: new Decimal(10_000_000).minus(cost).toFixed(), locked: cost.toFixed() });
    // A cancel by one is a cancel for the other, and the wallet on disk holds all of it.
    await b.cancelOrder({ uuid: placed[0]?.uuid ?? '' });
    await waitFor(async () => (await a.getOrder({ uuid: placed[0]?.uuid ?? '' })).state === 'cancel', 'the cancel to complete');
    expect((await a.openOrders()).map((o) => o.uuid).sort()).toEqual(placed.slice(1).map((o) => o.uuid).sort());
    const onDisk = await readFile(walletPath(dataDir, 'sim'), 'utf8');
    for (const o of placed) expect(onDisk).toContain(o.uuid);
  });
});
