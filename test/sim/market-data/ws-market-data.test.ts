import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { isOnGrid } from '../../../src/sim/market-data/grid.js';
import { CANDLE_SIMPLE_KEYS } from '../../../src/sim/market-data/ws-candles.js';
import { Dec } from '../../../src/sim/price-grid.js';
import { ORDERBOOK_SIMPLE_KEYS, ORDERBOOK_UNIT_SIMPLE_KEYS, TRADE_SIMPLE_KEYS } from '../../../src/upbit/wire.js';
import type { Received } from '../helpers.js';
import { TestClient, isErrorNamed, isRecord, manualClock, tradeUntil } from '../helpers.js';
import { UNLIMITED, get, isMessage, num, record, rows } from './support.js';

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

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
  server = await startSimServer({ seed: 5, now: clock.now, markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'], ...UNLIMITED });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

const units = (m: Record<string, unknown>): Array<Record<string, unknown>> => {
  const list = m['orderbook_units'] ?? m['obu'];
  if (!Array.isArray(list)) throw new Error(`no units in ${JSON.stringify(m)}`);
  return list.filter(isRecord);
};

describe('trade', () => {
  it('DEFAULT: a snapshot of the last trade, then one REALTIME message per trade, every key of the documented trade message', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'trade', codes: ['KRW-BTC'] }]);
    await client.next(isMessage('trade', 'KRW-BTC', 'SNAPSHOT'), 'the trade snapshot');
    const seen: number[] = [];
    const off = server.engine.onTrade((t) => {
      if (t.code === 'KRW-BTC') seen.push(t.sequentialId);
    });
    tradeUntil(server, clock, 'KRW-BTC', 5);
    off();
    await client.until(() => client.received.filter(isMessage('trade', 'KRW-BTC', 'REALTIME')).length >= seen.length, 'a realtime trade per trade');

    const [snapshot, ...live] = client.received.filter(isMessage('trade')).map(record);
    expect(client.received.every((r) => r.binary)).toBe(true);
    for (const m of [snapshot, ...live]) expect(sorted(Object.keys(m ?? {}))).toEqual(sorted(Object.keys(TRADE_SIMPLE_KEYS)));
    expect(live.map((m) => m['sequential_id'])).toEqual(seen);
    for (const m of live) {
      expect(m['trade_date']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(m['trade_time']).toMatch(/^\d{2}:\d{2}:\d{2}$/);
      expect(num(m['timestamp'])).toBeGreaterThanOrEqual(num(m['trade_timestamp']));
      expect(m['change_price']).toBeGreaterThanOrEqual(0);
    }
  });

  it('SIMPLE: every key abbreviated, values as in DEFAULT', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'trade', codes: ['KRW-ETH'] }, { format: 'SIMPLE' }]);
    await client.next(isMessage('trade', 'KRW-ETH', 'SNAPSHOT'), 'the snapshot');
    tradeUntil(server, clock, 'KRW-ETH', 1);
    await client.next(isMessage('trade', 'KRW-ETH', 'REALTIME'), 'a realtime trade');
    const simple = client.received.filter(isMessage('trade')).map(record);
    for (const m of simple) expect(sorted(Object.keys(m))).toEqual(sorted(Object.values(TRADE_SIMPLE_KEYS)));
    const [rest] = rows(await get(server.restUrl, '/v1/trades/ticks?market=KRW-ETH'));
    expect(simple.at(-1)).toMatchObject({ ty: 'trade', cd: 'KRW-ETH', st: 'REALTIME', sid: rest?.['sequential_id'], tp: rest?.['trade_price'], tv: rest?.['trade_volume'] });
  });
});

describe('orderbook', () => {
  it('DEFAULT: a 30-unit snapshot on the grid, then full REALTIME books as the market trades', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC'] }]);
    await client.next(isMessage('orderbook', 'KRW-BTC', 'SNAPSHOT'), 'the snapshot');
    tradeUntil(server, clock, 'KRW-BTC', 3);
    await client.next(isMessage('orderbook', 'KRW-BTC', 'REALTIME'), 'a realtime book');

    for (const m of client.received.filter(isMessage('orderbook')).map(record)) {
      expect(sorted(Object.keys(m))).toEqual(sorted(Object.keys(ORDERBOOK_SIMPLE_KEYS)));
      expect(m['level']).toBe(0);
      const list = units(m);
      expect(list).toHaveLength(30);
      let askTotal = new Dec(0);
      let bidTotal = new Dec(0);
      list.forEach((u, i) => {
        expect(sorted(Object.keys(u))).toEqual(sorted(Object.keys(ORDERBOOK_UNIT_SIMPLE_KEYS)));
        const [ap, bp] = [new Dec(num(u['ask_price'])), new Dec(num(u['bid_price']))];
        expect(isOnGrid(ap) && isOnGrid(bp)).toBe(true);
        const prev = list[i - 1];
        if (prev !== undefined) {
          expect(ap.gt(num(prev['ask_price']))).toBe(true);
          expect(bp.lt(num(prev['bid_price']))).toBe(true);
        }
        askTotal = askTotal.plus(num(u['ask_size']));
        bidTotal = bidTotal.plus(num(u['bid_size']));
      });
      expect(num(list[0]?.['ask_price'])).toBeGreaterThan(num(list[0]?.['bid_price']));
      expect(m['total_ask_size']).toBe(askTotal.toNumber());
      expect(m['total_bid_size']).toBe(bidTotal.toNumber());
    }
  });

  it('SIMPLE: obu units with ap/bp/as/bs, and SIMPLE_LIST wraps them in arrays', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-ETH'] }, { format: 'SIMPLE' }]);
    await client.next(isMessage('orderbook', 'KRW-ETH', 'SNAPSHOT'), 'the snapshot');
    const snapshot = record(client.received[0]);
    expect(sorted(Object.keys(snapshot))).toEqual(sorted(Object.values(ORDERBOOK_SIMPLE_KEYS)));
    expect(snapshot).toMatchObject({ ty: 'orderbook', cd: 'KRW-ETH', lv: 0, st: 'SNAPSHOT' });
    for (const u of units(snapshot)) expect(sorted(Object.keys(u))).toEqual(['ap', 'as', 'bp', 'bs']);

    const from = client.received.length;
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-ETH', 'KRW-BTC'] }, { format: 'SIMPLE_LIST' }]);
    const i = await client.next((r) => Array.isArray(r.json), 'a list frame', from);
    const list = client.received[i]?.json;
    expect(Array.isArray(list) && list.map((m: unknown) => isRecord(m) && [m['cd'], Array.isArray(m['obu']) && m['obu'].length])).toEqual([
      ['KRW-ETH', 30],
      ['KRW-BTC', 30],
    ]);
    tradeUntil(server, clock, 'KRW-ETH', 1);
    const j = await client.next((r) => Array.isArray(r.json) && r.json.length === 1, 'a realtime list frame', i + 1);
    expect(client.received[j]?.json).toMatchObject([{ ty: 'orderbook', cd: 'KRW-ETH', st: 'REALTIME' }]);
  });

  it.each([
    ['KRW-BTC.5', 5],
    ['KRW-BTC.1', 1],
    ['KRW-BTC.15', 15],
    ['KRW-BTC.30', 30],
    ['KRW-BTC.7', 30],
  ])('%s gives %i units, with the code unsuffixed', async (code, n) => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: [code] }]);
    await client.next(isMessage('orderbook', 'KRW-BTC', 'SNAPSHOT'), 'the snapshot');
    tradeUntil(server, clock, 'KRW-BTC', 2);
    await client.next(isMessage('orderbook', 'KRW-BTC', 'REALTIME'), 'a realtime book');
    for (const m of client.received.filter(isMessage('orderbook')).map(record)) expect(units(m)).toHaveLength(n);
    // The same top units as the REST book at the same moment.
    await client.sync();
    const from = client.received.length;
    client.send([{ ticket: 't2' }, { type: 'orderbook', codes: [code], is_only_snapshot: true }]);
    const k = await client.next(isMessage('orderbook', 'KRW-BTC', 'SNAPSHOT'), 'a second snapshot', from);
    const [rest] = rows(await get(server.restUrl, `/v1/orderbook?markets=KRW-BTC&count=${n}`));
    expect(units(record(client.received[k]))).toEqual(rest?.['orderbook_units']);
  });

  it('a supported level aggregates; an unsupported one sends nothing; LIST_SUBSCRIPTIONS shows codes and levels', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC', 'KRW-XRP.5'], level: 100_000 }, { type: 'trade', codes: ['KRW-ETH'], is_only_realtime: true }]);
    await client.sync();
    // 100,000 is a KRW-BTC level (tick 1,000) but not one of KRW-XRP (tick 1): only BTC answers.
    const books = client.received.filter(isMessage('orderbook')).map(record);
    expect(books.map((m) => m['code'])).toEqual(['KRW-BTC']);
    expect(books[0]?.['level']).toBe(100_000);
    const list = units(books[0] ?? {});
    expect(list.length).toBeGreaterThan(0);
    for (const u of list) for (const k of ['ask_price', 'bid_price']) expect(num(u[k]) % 100_000).toBe(0);
    const [rest] = rows(await get(server.restUrl, '/v1/orderbook?markets=KRW-BTC&level=100000'));
    expect(rest?.['orderbook_units']).toEqual(list);

    client.send([{ ticket: 'list' }, { method: 'LIST_SUBSCRIPTIONS' }]);
    const i = await client.next((r: Received) => isRecord(r.json) && r.json['method'] === 'LIST_SUBSCRIPTIONS', 'the list');
    expect(client.received[i]?.json).toEqual({
      method: 'LIST_SUBSCRIPTIONS',
      result: [
        { type: 'orderbook', codes: ['KRW-BTC', 'KRW-XRP.5'], level: 100_000 },
        { type: 'trade', codes: ['KRW-ETH'] },
      ],
      ticket: 'list',
    });
  });

  it('refuses a level that is not a number', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC'], level: 'deep' }]);
    await client.next(isErrorNamed('INVALID_PARAM'), 'the error');
  });

  it('throttles realtime books to about 10 a second, and the last one is the current book', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC'], is_only_realtime: true }, { type: 'trade', codes: ['KRW-BTC'], is_only_realtime: true }]);
    await client.sync();
    // One synchronous burst of trades: one book at once, the latest one when the window ends.
    tradeUntil(server, clock, 'KRW-BTC', 20);
    const trades = (): number => client.received.filter(isMessage('trade', 'KRW-BTC')).length;
    await client.until(() => trades() >= 20, 'the trades');
    const [rest] = rows(await get(server.restUrl, '/v1/orderbook?markets=KRW-BTC'));
    await client.until(
      () => {
        const last = client.received.filter(isMessage('orderbook', 'KRW-BTC', 'REALTIME')).at(-1);
        return last !== undefined && JSON.stringify(units(record(last))) === JSON.stringify(rest?.['orderbook_units']);
      },
      'a realtime book equal to the current one',
    );
    const books = client.received.filter(isMessage('orderbook', 'KRW-BTC', 'REALTIME'));
    expect(books.length).toBeLessThan(trades() / 2);
  });
});

describe('candle', () => {
  it('DEFAULT: the current minute candle as the REST candle shows it, then REALTIME candles at most once a second', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'candle.1m', codes: ['KRW-BTC'] }]);
    await client.next(isMessage('candle.1m', 'KRW-BTC', 'SNAPSHOT'), 'the candle snapshot');
    const snapshot = record(client.received.find(isMessage('candle.1m', 'KRW-BTC', 'SNAPSHOT')));
    expect(sorted(Object.keys(snapshot))).toEqual(sorted(Object.keys(CANDLE_SIMPLE_KEYS)));
    const [rest] = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-BTC'));
    for (const key of ['candle_date_time_utc', 'candle_date_time_kst', 'opening_price', 'high_price', 'low_price', 'trade_price', 'candle_acc_trade_volume', 'candle_acc_trade_price', 'timestamp']) {
      expect(snapshot[key], key).toEqual(rest?.[key]);
    }

    // A burst of trades within the same real second: one candle at once, the latest when the window ends.
    tradeUntil(server, clock, 'KRW-BTC', 20);
    const [now] = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-BTC'));
    await client.until(() => {
      const last = client.received.filter(isMessage('candle.1m', 'KRW-BTC', 'REALTIME')).at(-1);
      return last !== undefined && record(last)['candle_acc_trade_volume'] === now?.['candle_acc_trade_volume'] && record(last)['candle_date_time_utc'] === now?.['candle_date_time_utc'];
    }, 'a realtime candle equal to the current one');
    expect(client.received.filter(isMessage('candle.1m', 'KRW-BTC', 'REALTIME')).length).toBeLessThanOrEqual(3);
  });

  it('candle.1s sums the trades of the latest trade second; SIMPLE abbreviates every key', async () => {
    tradeUntil(server, clock, 'KRW-ETH', 3);
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'candle.1s', codes: ['KRW-ETH'], is_only_snapshot: true }, { format: 'SIMPLE' }]);
    await client.next((r) => isRecord(r.json) && r.json['ty'] === 'candle.1s', 'the 1s candle snapshot');
    const candle = record(client.received.find((r) => isRecord(r.json) && r.json['ty'] === 'candle.1s'));
    expect(sorted(Object.keys(candle))).toEqual(sorted(Object.values(CANDLE_SIMPLE_KEYS)));
    expect(candle['cd']).toBe('KRW-ETH');
    const second = Date.parse(`${String(candle['cdttmu'])}Z`);
    const ticks = rows(await get(server.restUrl, '/v1/trades/ticks?market=KRW-ETH&count=500')).filter((t) => num(t['timestamp']) >= second && num(t['timestamp']) < second + 1000);
    expect(ticks.length).toBeGreaterThan(0);
    const volume = ticks.reduce((sum, t) => sum.plus(new Dec(num(t['trade_volume']))), new Dec(0));
    expect(candle['catv']).toBe(volume.toNumber());
    expect(candle['tp']).toBe(ticks[0]?.['trade_price']);
    expect(candle['op']).toBe(ticks.at(-1)?.['trade_price']);
    expect(candle['hp']).toBe(Math.max(...ticks.map((t) => num(t['trade_price']))));
    expect(candle['lp']).toBe(Math.min(...ticks.map((t) => num(t['trade_price']))));
  });
});
