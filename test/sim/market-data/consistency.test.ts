import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { TestClient, isTicker, manualClock, tradeUntil } from '../helpers.js';
import { UNLIMITED, get, isMessage, num, record, rows } from './support.js';

/**
 * REST and WebSocket show one market: the same ticker, the same book, the same trades, and
 * candles that add those trades up. The market clock is injected and only moves when a test
 * moves it, so "the same moment" is exact.
 */

let clock: ReturnType<typeof manualClock>;
let server: SimServer;
let clients: TestClient[];

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  clock = manualClock();
  clients = [];
  server = await startSimServer({ seed: 21, now: clock.now, markets: ['KRW-BTC', 'KRW-ETH', 'KRW-SHIB'], ...UNLIMITED });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('same moment, same answer', () => {
  it('REST orderbook equals the WebSocket orderbook snapshot', async () => {
    tradeUntil(server, clock, 'KRW-BTC', 25);
    const rest = rows(await get(server.restUrl, '/v1/orderbook?markets=KRW-BTC,KRW-ETH'));
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC', 'KRW-ETH'], is_only_snapshot: true }]);
    await client.until(() => client.received.filter(isMessage('orderbook')).length === 2, 'two orderbook snapshots');
    const ws = client.received.filter(isMessage('orderbook')).map(record);
    for (const [i, code] of ['KRW-BTC', 'KRW-ETH'].entries()) {
      const { type, code: wsCode, stream_type: streamType, ...book } = ws[i] ?? {};
      expect([type, wsCode, streamType]).toEqual(['orderbook', code, 'SNAPSHOT']);
      const { market, ...restBook } = rest[i] ?? {};
      expect(market).toBe(code);
      expect(book).toEqual(restBook);
      expect(book['timestamp']).toBe(clock.now());
    }
  });

  it('REST ticker trade_price (and the day figures) equal the WebSocket ticker', async () => {
    tradeUntil(server, clock, 'KRW-ETH', 10);
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-ETH'], is_only_snapshot: true }]);
    await client.next(isTicker('KRW-ETH', 'SNAPSHOT'), 'the ticker snapshot');
    const ws = record(client.received[0]);
    const [rest] = rows(await get(server.restUrl, '/v1/ticker?markets=KRW-ETH'));
    for (const key of ['trade_price', 'opening_price', 'high_price', 'low_price', 'prev_closing_price', 'change', 'signed_change_price', 'acc_trade_volume', 'acc_trade_price_24h', 'trade_timestamp', 'timestamp']) {
      expect(rest?.[key], key).toEqual(ws[key]);
    }
  });

  it('the WebSocket trades are the REST trades, newest first with decreasing sequential_id', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'trade', codes: ['KRW-SHIB'], is_only_realtime: true }]);
    await client.sync();
    tradeUntil(server, clock, 'KRW-SHIB', 40);
    await client.until(() => client.received.filter(isMessage('trade', 'KRW-SHIB', 'REALTIME')).length >= 40, '40 realtime trades');
    const ws = client.received.filter(isMessage('trade', 'KRW-SHIB', 'REALTIME')).map(record);
    const rest = rows(await get(server.restUrl, `/v1/trades/ticks?market=KRW-SHIB&count=${ws.length}`));

    const ids = rest.map((t) => num(t['sequential_id']));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect(rest.map((t) => t['sequential_id'])).toEqual(ws.map((t) => t['sequential_id']).reverse());
    expect(rest.map((t) => t['trade_price'])).toEqual(ws.map((t) => t['trade_price']).reverse());
    for (const t of ws) {
      const price = num(t['trade_price']);
      // A buy took the ask at its price; a sell the bid.
      if (t['ask_bid'] === 'BID') expect(num(t['best_bid_price']) < price && price <= num(t['best_ask_price'])).toBe(true);
      else expect(num(t['best_bid_price']) <= price && price < num(t['best_ask_price'])).toBe(true);
      // REST change_price is signed; the WebSocket's is absolute.
      expect(num(t['change_price'])).toBe(Math.abs(new Decimal(price).minus(num(t['prev_closing_price'])).toNumber()));
    }
  });

  it('pages trades/ticks with cursor and to, and keeps them to the day asked for', async () => {
    tradeUntil(server, clock, 'KRW-ETH', 30);
    const first = rows(await get(server.restUrl, '/v1/trades/ticks?market=KRW-ETH&count=10'));
    const cursor = first.at(-1)?.['sequential_id'];
    const next = rows(await get(server.restUrl, `/v1/trades/ticks?market=KRW-ETH&count=10&cursor=${String(cursor)}`));
    const all = rows(await get(server.restUrl, '/v1/trades/ticks?market=KRW-ETH&count=20'));
    expect([...first, ...next].map((t) => t['sequential_id'])).toEqual(all.map((t) => t['sequential_id']));

    const middle = all[10];
    const time = new Date(num(middle?.['timestamp'])).toISOString().slice(11, 19);
    const before = rows(await get(server.restUrl, `/v1/trades/ticks?market=KRW-ETH&count=500&to=${time.replaceAll(':', '')}`));
    const cut = Date.parse(`${new Date(clock.now()).toISOString().slice(0, 10)}T${time}Z`);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((t) => num(t['timestamp']) < cut)).toBe(true);
    expect(rows(await get(server.restUrl, '/v1/trades/ticks?market=KRW-ETH&days_ago=1&count=500'))).toEqual([]);
  });
});

describe('candles add up the trades', () => {
  it('minute candles: open/high/low/close/volume/timestamp of the trades in each bucket, newest first', async () => {
    const start = clock.now();
    tradeUntil(server, clock, 'KRW-SHIB', 150);
    const tape = rows(await get(server.restUrl, '/v1/trades/ticks?market=KRW-SHIB&count=500'));
    // Nothing has fallen off the tape: every trade since the start is here (the one with id 0 is the opening one).
    expect(tape.length).toBeLessThan(500);
    const trades = tape.filter((t) => num(t['sequential_id']) > 0);
    const candles = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-SHIB&count=200'));

    const starts = candles.map((c) => Date.parse(`${c['candle_date_time_utc'] as string}Z`));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    for (const c of candles) {
      const [o, h, l, close] = ['opening_price', 'high_price', 'low_price', 'trade_price'].map((k) => num(c[k]));
      expect(h).toBeGreaterThanOrEqual(Math.max(o ?? NaN, close ?? NaN));
      expect(l).toBeLessThanOrEqual(Math.min(o ?? NaN, close ?? NaN));
      expect(c['unit']).toBe(1);
    }

    // Buckets since the start hold exactly the trades since the start (history is before it).
    let checked = 0;
    for (const [i, c] of candles.entries()) {
      const bucket = starts[i] ?? NaN;
      if (bucket < start) continue;
      const inBucket = trades.filter((t) => num(t['timestamp']) >= bucket && num(t['timestamp']) < bucket + 60_000).reverse();
      const prices = inBucket.map((t) => num(t['trade_price']));
      expect(inBucket.length).toBeGreaterThan(0);
      expect(c['opening_price']).toBe(prices[0]);
      expect(c['trade_price']).toBe(prices.at(-1));
      expect(c['high_price']).toBe(Math.max(...prices));
      expect(c['low_price']).toBe(Math.min(...prices));
      expect(c['timestamp']).toBe(inBucket.at(-1)?.['timestamp']);
      const volume = inBucket.reduce((s, t) => s.plus(num(t['trade_volume'])), new Decimal(0));
      expect(c['candle_acc_trade_volume']).toBe(volume.toNumber());
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('3-minute candles gather the 1-minute ones; `to` and `count` page back', async () => {
    tradeUntil(server, clock, 'KRW-SHIB', 200);
    const ones = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-SHIB&count=200'));
    const threes = rows(await get(server.restUrl, '/v1/candles/minutes/3?market=KRW-SHIB&count=20'));
    for (const three of threes) {
      const from = Date.parse(`${three['candle_date_time_utc'] as string}Z`);
      const parts = ones.filter((c) => {
        const t = Date.parse(`${c['candle_date_time_utc'] as string}Z`);
        return t >= from && t < from + 180_000;
      });
      if (parts.length === 0 || Date.parse(`${ones.at(-1)?.['candle_date_time_utc'] as string}Z`) > from) continue;
      expect(three['high_price']).toBe(Math.max(...parts.map((c) => num(c['high_price']))));
      expect(three['low_price']).toBe(Math.min(...parts.map((c) => num(c['low_price']))));
      expect(three['trade_price']).toBe(parts[0]?.['trade_price']);
      expect(three['opening_price']).toBe(parts.at(-1)?.['opening_price']);
    }

    const page = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-SHIB&count=5'));
    const to = page.at(-1)?.['candle_date_time_utc'] as string;
    const older = rows(await get(server.restUrl, `/v1/candles/minutes/1?market=KRW-SHIB&count=5&to=${to}Z`));
    const both = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-SHIB&count=10'));
    expect([...page, ...older].map((c) => c['candle_date_time_utc'])).toEqual(both.map((c) => c['candle_date_time_utc']));
    // The same instant in KST, written with an offset (and a `+` that arrived unencoded).
    const kst = new Date(Date.parse(`${to}Z`) + 9 * 3_600_000).toISOString().slice(0, 19);
    expect(rows(await get(server.restUrl, `/v1/candles/minutes/1?market=KRW-SHIB&count=5&to=${kst}%2B09:00`))).toEqual(older);
    expect(rows(await get(server.restUrl, `/v1/candles/minutes/1?market=KRW-SHIB&count=5&to=${kst}+09:00`))).toEqual(older);
  });

  it("today's day candle is the ticker's day; older days chain their closes", async () => {
    tradeUntil(server, clock, 'KRW-BTC', 20);
    const [ticker] = rows(await get(server.restUrl, '/v1/ticker?markets=KRW-BTC'));
    const days = rows(await get(server.restUrl, '/v1/candles/days?market=KRW-BTC&count=200'));
    expect(days).toHaveLength(200);
    const [today, yesterday] = days;
    expect(today).toMatchObject({
      candle_date_time_utc: `${new Date(clock.now()).toISOString().slice(0, 10)}T00:00:00`,
      opening_price: ticker?.['opening_price'],
      high_price: ticker?.['high_price'],
      low_price: ticker?.['low_price'],
      trade_price: ticker?.['trade_price'],
      prev_closing_price: ticker?.['prev_closing_price'],
      change_price: ticker?.['signed_change_price'],
      change_rate: ticker?.['signed_change_rate'],
      candle_acc_trade_volume: ticker?.['acc_trade_volume'],
      candle_acc_trade_price: ticker?.['acc_trade_price'],
      timestamp: ticker?.['trade_timestamp'],
    });
    expect(yesterday?.['trade_price']).toBe(ticker?.['prev_closing_price']);
    for (const [i, day] of days.entries()) {
      const [o, h, l, c] = ['opening_price', 'high_price', 'low_price', 'trade_price'].map((k) => num(day[k]));
      expect(h).toBeGreaterThanOrEqual(Math.max(o ?? NaN, c ?? NaN));
      expect(l).toBeLessThanOrEqual(Math.min(o ?? NaN, c ?? NaN));
      const older = days[i + 1];
      if (older !== undefined) expect(day['prev_closing_price']).toBe(older['trade_price']);
    }
    // The minute history the simulator invented stays inside today's range.
    const minutes = rows(await get(server.restUrl, '/v1/candles/minutes/60?market=KRW-BTC&count=200'));
    for (const m of minutes.filter((c) => (c['candle_date_time_utc'] as string) >= (today?.['candle_date_time_utc'] as string))) {
      expect(num(m['high_price'])).toBeLessThanOrEqual(num(today?.['high_price']));
      expect(num(m['low_price'])).toBeGreaterThanOrEqual(num(today?.['low_price']));
    }
  });
});
