/**
 * The replay of candles for paper orders that rested while upbit-tui was closed: bucket size
 * by gap, only candles from what was already seen on, low and high traded through in time
 * order, and a market whose candles cannot be read keeps what the others applied.
 */
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import { CatchUpError, candleSpanFor, catchUp } from '../../src/trading/paper/catch-up.js';
import type { Candle, CandleUnit } from '../../src/upbit/rest/index.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 22, 0, 0);

function candle(market: string, start: number, low: number, high: number, volume = 1): Candle {
  const d = (n: number) => new Decimal(n);
  return { market, start, open: d(low), high: d(high), low: d(low), close: d(high), timestamp: start + 59_000, volume: d(volume), turnover: d(volume).mul(high) };
}

describe('candleSpanFor', () => {
  it('takes minutes up to 200 minutes, hours up to 200 hours, then days', () => {
    expect(candleSpanFor(200 * MIN).unit).toBe(1);
    expect(candleSpanFor(200 * MIN + 1).unit).toBe(60);
    expect(candleSpanFor(200 * 60 * MIN).unit).toBe(60);
    expect(candleSpanFor(200 * 60 * MIN + 1)).toEqual({ unit: 'days', unitMs: 86_400_000 });
  });
});

describe('catchUp', () => {
  it('replays only the candles that start at or after `from`, oldest first, low then high, and says how far it saw', async () => {
    const asked: Array<[string, CandleUnit, number]> = [];
    const trades: string[] = [];
    const seen = await catchUp({
      from: new Map([['KRW-BTC', T0 + 30_000]]),
      now: T0 + 3 * MIN + 10_000,
      candles: (market, unit, count) => {
        asked.push([market, unit, count]);
        // Newest first, as Upbit answers; the first one started before `from`; one is empty.
        return Promise.resolve([candle(market, T0 + 3 * MIN, 7, 8), candle(market, T0 + 2 * MIN, 5, 6, 0), candle(market, T0 + MIN, 3, 4), candle(market, T0, 1, 2)]);
      },
      trade: (market, price, volume, at) => trades.push(`${market} ${price.toFixed()} ${volume.toFixed()} @${(at - T0) / MIN}`),
    });
    expect(asked).toEqual([['KRW-BTC', 1, 200]]);
    expect(trades).toEqual(['KRW-BTC 3 1 @1', 'KRW-BTC 4 1 @1', 'KRW-BTC 7 1 @3', 'KRW-BTC 8 1 @3']);
    // The bucket in progress is seen up to now, not to its end.
    expect(seen).toEqual(new Map([['KRW-BTC', T0 + 3 * MIN + 10_000]]));
  });

  it('skips a market with less than a minute to replay', async () => {
    let calls = 0;
    const seen = await catchUp({ from: new Map([['KRW-BTC', T0]]), now: T0 + 59_999, candles: () => Promise.resolve((calls++, [])), trade: () => undefined });
    expect(calls).toBe(0);
    expect(seen.size).toBe(0);
  });

  it('stops at a market whose candles cannot be read, keeping what the markets before it applied', async () => {
    const error = await catchUp({
      from: new Map([
        ['KRW-BTC', T0],
        ['KRW-ETH', T0],
      ]),
      now: T0 + 5 * MIN,
      candles: (market) => (market === 'KRW-ETH' ? Promise.reject(new Error('offline')) : Promise.resolve([candle(market, T0 + MIN, 1, 2)])),
      trade: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatchUpError);
    expect((error as CatchUpError).market).toBe('KRW-ETH');
    expect((error as CatchUpError).seen).toEqual(new Map([['KRW-BTC', T0 + 2 * MIN]]));
    expect((error as Error).message).toMatch(/looked at again on the next start/);
  });
});
