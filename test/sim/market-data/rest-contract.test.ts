import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { parseMarketInfo } from '../../../src/upbit/market-list.js';
import { manualClock, tradeUntil } from '../helpers.js';
import { UNLIMITED, fixture, get, rows, shapeProblems } from './support.js';

/**
 * Contract: every quotation endpoint answers in the shape Upbit's recorded responses have
 * (test/fixtures/rest/v1/<path>/GET-200.json): same keys, same JSON kinds, integers where
 * Upbit sends integers. Values are the simulator's own.
 */

let server: SimServer;

beforeAll(async () => {
  const clock = manualClock();
  server = await startSimServer({ seed: 11, now: clock.now, markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SHIB'], ...UNLIMITED });
  tradeUntil(server, clock, 'KRW-BTC', 30);
});

afterAll(async () => {
  await server.close();
});

describe.each([
  ['/v1/market/all', 'market/all/GET-200.json', 'market', []],
  ['/v1/market/all?is_details=false', 'market/all/GET-200.json', 'market', []],
  ['/v1/market/all?is_details=true', 'market/all/GET-200-is_details.json', 'market', []],
  ['/v1/ticker?markets=KRW-BTC,KRW-SHIB', 'ticker/GET-200.json', 'ticker', []],
  ['/v1/ticker/all?quote_currencies=KRW', 'ticker/all/GET-200.json', 'ticker', []],
  ['/v1/orderbook?markets=KRW-BTC,KRW-ETH', 'orderbook/GET-200.json', 'orderbook', []],
  ['/v1/orderbook?markets=KRW-BTC&level=100000&count=5', 'orderbook/GET-200.json', 'orderbook', []],
  ['/v1/orderbook/instruments?markets=KRW-BTC,KRW-XRP,KRW-SHIB', 'orderbook/instruments/GET-200.json', 'orderbook', []],
  ['/v1/trades/ticks?market=KRW-BTC&count=20', 'trades/ticks/GET-200.json', 'crix-trades', []],
  ['/v1/candles/minutes/1?market=KRW-BTC&count=200', 'candles/minutes/1/GET-200.json', 'candles', []],
  ['/v1/candles/minutes/240?market=KRW-SHIB&count=10', 'candles/minutes/1/GET-200.json', 'candles', []],
  ['/v1/candles/days?market=KRW-ETH&count=200', 'candles/days/GET-200.json', 'candles', []],
  ['/v1/candles/days?market=KRW-ETH&count=3&converting_price_unit=KRW', 'candles/days/GET-200.json', 'candles', ['converted_trade_price']],
] as const)('GET %s', (path, file, group, optional) => {
  it(`has the shape of ${file}, JSON numbers, and the ${group} rate-limit group`, async () => {
    const reply = await get(server.restUrl, path);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(rows(reply).length).toBeGreaterThan(0);
    expect(shapeProblems(reply.json, fixture(file), optional)).toEqual([]);
    // Remaining-Req is written by the rate limiter; its group comes from the route's registration.
    const remaining = reply.headers.get('remaining-req');
    if (remaining !== null) expect(remaining).toMatch(new RegExp(`^group=${group};`));
  });
});

describe('values', () => {
  it('lists the simulated markets, with all-clear market events when asked for details', async () => {
    const plain = rows(await get(server.restUrl, '/v1/market/all'));
    expect(plain.map((m) => m['market'])).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SHIB']);
    expect(plain[0]).toEqual({ market: 'KRW-BTC', korean_name: '비트코인', english_name: 'Bitcoin' });
    const detailed = rows(await get(server.restUrl, '/v1/market/all?is_details=true'));
    const caution = { PRICE_FLUCTUATIONS: false, TRADING_VOLUME_SOARING: false, DEPOSIT_AMOUNT_SOARING: false, GLOBAL_PRICE_DIFFERENCES: false, CONCENTRATION_OF_SMALL_ACCOUNTS: false };
    expect(detailed[0]?.['market_event']).toEqual({ warning: false, caution });
    expect(plain.every((m) => !('market_event' in m))).toBe(true);
  });

  it('flags the catalog’s flagged markets in market_event, as Upbit does', async () => {
    const detailed = rows(await get(server.restUrl, '/v1/market/all?is_details=true'));
    const shib = detailed.find((m) => m['market'] === 'KRW-SHIB');
    expect(shib?.['market_event']).toEqual({
      warning: false,
      caution: { PRICE_FLUCTUATIONS: true, TRADING_VOLUME_SOARING: false, DEPOSIT_AMOUNT_SOARING: false, GLOBAL_PRICE_DIFFERENCES: false, CONCENTRATION_OF_SMALL_ACCOUNTS: false },
    });
    // What the TUI reads back from it.
    expect(detailed.map((m) => parseMarketInfo(m)).filter((m) => m?.warning === true || (m?.cautions.length ?? 0) > 0).map((m) => m?.market)).toEqual(['KRW-SHIB']);
  });

  it('answers several markets in the order asked, and ticker/all by quote currency', async () => {
    const tickers = rows(await get(server.restUrl, '/v1/ticker?markets=KRW-SHIB,KRW-BTC'));
    expect(tickers.map((t) => t['market'])).toEqual(['KRW-SHIB', 'KRW-BTC']);
    const all = rows(await get(server.restUrl, '/v1/ticker/all?quote_currencies=KRW'));
    expect(all.map((t) => t['market'])).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SHIB']);
    expect(await get(server.restUrl, '/v1/ticker/all?quote_currencies=BTC')).toMatchObject({ status: 200, json: [] });
  });

  it('serves tick sizes from the KRW table and Upbit-style supported levels', async () => {
    const instruments = rows(await get(server.restUrl, '/v1/orderbook/instruments?markets=KRW-BTC,KRW-XRP,KRW-SHIB'));
    expect(instruments).toEqual([
      { market: 'KRW-BTC', quote_currency: 'KRW', tick_size: '1000', supported_levels: ['0', '10000', '100000', '1000000', '10000000', '100000000'] },
      expect.objectContaining({ market: 'KRW-XRP', quote_currency: 'KRW', tick_size: '1' }),
      expect.objectContaining({ market: 'KRW-SHIB', quote_currency: 'KRW', tick_size: '0.0001' }),
    ]);
    expect(instruments[1]?.['supported_levels']).toEqual(['0', '10', '100', '1000']);
  });

  it('renders KST beside UTC', async () => {
    const [ticker] = rows(await get(server.restUrl, '/v1/ticker?markets=KRW-BTC'));
    const ts = ticker?.['trade_timestamp'] as number;
    const kst = new Date(ts + 9 * 3_600_000).toISOString();
    expect(ticker?.['trade_date_kst']).toBe(kst.slice(0, 10).replaceAll('-', ''));
    expect(ticker?.['trade_time_kst']).toBe(kst.slice(11, 19).replaceAll(':', ''));
    const [candle] = rows(await get(server.restUrl, '/v1/candles/minutes/1?market=KRW-BTC'));
    const utc = Date.parse(`${candle?.['candle_date_time_utc'] as string}Z`);
    expect(candle?.['candle_date_time_kst']).toBe(new Date(utc + 9 * 3_600_000).toISOString().slice(0, 19));
  });
});

describe('errors, as Upbit words them (integer names)', () => {
  const missing = { error: { name: 400, message: 'Missing request parameter error. Check the required parameters!' } };
  const invalid = { error: { name: 400, message: 'Invalid parameter. Check the given value!' } };
  const mismatch = { error: { name: 400, message: 'Type mismatch error. Check the parameters type!' } };
  const notFound = { error: { name: 404, message: 'Code not found' } };

  it.each([
    ['/v1/ticker', 400, missing],
    ['/v1/ticker?markets=', 400, missing],
    ['/v1/ticker/all', 400, missing],
    ['/v1/orderbook', 400, missing],
    ['/v1/orderbook/instruments', 400, missing],
    ['/v1/trades/ticks', 400, missing],
    ['/v1/candles/minutes/1', 400, missing],
    ['/v1/candles/days', 400, missing],
    ['/v1/ticker?markets=KRW-NOPE', 404, notFound],
    ['/v1/ticker?markets=KRW-BTC,KRW-NOPE', 404, notFound],
    ['/v1/ticker?markets=krw-btc', 404, notFound],
    ['/v1/orderbook?markets=KRW-NOPE', 404, notFound],
    ['/v1/orderbook/instruments?markets=KRW-NOPE', 404, notFound],
    ['/v1/trades/ticks?market=KRW-NOPE', 404, notFound],
    ['/v1/candles/minutes/1?market=KRW-NOPE', 404, notFound],
    ['/v1/candles/days?market=KRW-NOPE', 404, notFound],
    ['/v1/orderbook?markets=KRW-BTC&count=31', 400, invalid],
    ['/v1/orderbook?markets=KRW-BTC&count=0', 400, invalid],
    ['/v1/orderbook?markets=KRW-BTC&level=abc', 400, invalid],
    ['/v1/trades/ticks?market=KRW-BTC&count=501', 400, invalid],
    ['/v1/trades/ticks?market=KRW-BTC&count=many', 400, mismatch],
    ['/v1/trades/ticks?market=KRW-BTC&cursor=x', 400, mismatch],
    ['/v1/trades/ticks?market=KRW-BTC&to=25:00:00', 400, invalid],
    ['/v1/trades/ticks?market=KRW-BTC&days_ago=8', 400, invalid],
    ['/v1/candles/minutes/2?market=KRW-BTC', 400, invalid],
    ['/v1/candles/minutes/1?market=KRW-BTC&count=201', 400, invalid],
    ['/v1/candles/minutes/1?market=KRW-BTC&to=yesterday', 400, invalid],
    ['/v1/candles/days?market=KRW-BTC&converting_price_unit=USD', 400, invalid],
    ['/v1/market/all?is_details=maybe', 400, mismatch],
    ['/v1/ticker/all?quote_currencies=XYZ', 400, invalid],
  ])('%s → %i', async (path, status, body) => {
    const reply = await get(server.restUrl, path);
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual(body);
    expect(shapeProblems(reply.json, fixture(status === 404 ? 'ticker/GET-404.json' : 'ticker/GET-400.json'))).toEqual([]);
  });

  it('gives an empty array for an orderbook level the market does not support', async () => {
    expect(await get(server.restUrl, '/v1/orderbook?markets=KRW-BTC&level=5000')).toMatchObject({ status: 200, json: [] });
  });
});
