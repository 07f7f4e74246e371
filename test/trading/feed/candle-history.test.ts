/**
 * The REST history under a live candle series (src/trading/feed/candle-history.ts), against
 * the simulator's `GET /v1/candles/minutes/1` on 127.0.0.1 port 0, and CandleSeries.backfill's
 * rules: oldest first, a minute the stream already sent kept, an older start after a newer one
 * in its place.
 */
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { CandleSeries } from '../../../src/trading/feed/candle-series.js';
import { loadCandleHistory, streamCandle } from '../../../src/trading/feed/candle-history.js';
import { UpbitRestClient } from '../../../src/upbit/rest/client.js';
import type { Candle } from '../../../src/upbit/types.js';

let server: SimServer | undefined;
const clients: UpbitRestClient[] = [];

async function setup(): Promise<UpbitRestClient> {
  server = await startSimServer({ seed: 11, markets: ['KRW-BTC'], host: '127.0.0.1', port: 0 });
  const client = new UpbitRestClient({ baseUrl: server.restUrl, retry: { baseMs: 1, capMs: 10 } });
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

function candle(start: number, close: number, over: Partial<Candle> = {}): Candle {
  return { market: 'KRW-BTC', unit: '1m', start, open: close, high: close, low: close, close, volume: 1, turnover: close, timestamp: start, streamType: 'REALTIME', ...over };
}

const starts = (list: readonly Candle[] | undefined): number[] => (list ?? []).map((c) => c.start);

describe('loadCandleHistory', () => {
  it('adds the newest minutes oldest first, under the candle the stream already sent', async () => {
    const client = await setup();
    const [newest] = await client.candles('KRW-BTC', 1, 1);
    if (newest === undefined) throw new Error('no candle');
    const series = new CandleSeries();
    // The stream's candle of the newest minute, with a close no REST candle has.
    const streamed = candle(newest.start, 1_234_000);
    series.apply(streamed);

    const added = await loadCandleHistory(client, series, 'KRW-BTC', '1m', 50);
    expect(added).toBe(49);
    series.flush();
    const shown = series.select('KRW-BTC', '1m');
    expect(shown).toHaveLength(50);
    expect(starts(shown)).toEqual([...starts(shown)].sort((a, b) => a - b));
    // The streamed minute kept, not the REST one (a minute may have begun since: then it is second newest).
    expect(shown?.find((c) => c.start === streamed.start)).toBe(streamed);
    expect(shown?.slice(-2)).toContain(streamed);
    expect((shown?.at(-1)?.start ?? 0) - (shown?.[0]?.start ?? 0)).toBe(49 * 60_000);
    expect(shown?.every((c) => c.unit === '1m' && Number.isFinite(c.close) && c.low <= c.close && c.close <= c.high)).toBe(true);
  });

  it('rejects with the signal’s reason when aborted, adding nothing', async () => {
    const client = await setup();
    const series = new CandleSeries();
    const ac = new AbortController();
    const reason = new Error('focus moved on');
    ac.abort(reason);
    await expect(loadCandleHistory(client, series, 'KRW-BTC', '1m', 10, ac.signal)).rejects.toBe(reason);
    expect(series.flush()).toBe(false);
  });
});

describe('CandleSeries.backfill', () => {
  const M = 60_000;

  it('keeps start order when an older start arrives after a newer one', () => {
    const series = new CandleSeries();
    series.apply(candle(10 * M, 10));
    series.apply(candle(12 * M, 12));
    series.apply(candle(11 * M, 11));
    expect(series.backfill([candle(8 * M, 8), candle(9 * M, 9), candle(12 * M, 99)])).toBe(2);
    series.flush();
    expect(starts(series.select('KRW-BTC', '1m'))).toEqual([8, 9, 10, 11, 12].map((m) => m * M));
    // The streamed candle of minute 12 stayed; apply() (the stream) still replaces.
    expect(series.select('KRW-BTC', '1m')?.at(-1)?.close).toBe(12);
    series.apply(candle(12 * M, 13));
    series.flush();
    expect(series.select('KRW-BTC', '1m')?.at(-1)?.close).toBe(13);
  });

  it('keeps the newest `length` whatever order history comes in', () => {
    const series = new CandleSeries({ length: 3 });
    series.apply(candle(10 * M, 10));
    expect(series.backfill([5, 6, 7, 8, 9].map((m) => candle(m * M, m)))).toBe(5);
    series.flush();
    expect(starts(series.select('KRW-BTC', '1m'))).toEqual([8, 9, 10].map((m) => m * M));
    // Older than all three kept: nothing to add.
    expect(series.backfill([candle(1 * M, 1)])).toBe(0);
  });

  it('converts a REST candle to the stream’s shape', () => {
    const c = streamCandle(
      { market: 'KRW-BTC', start: 0, open: dec(1), high: dec(3), low: dec(0.5), close: dec(2), timestamp: 5, volume: dec(0.25), turnover: dec(0.5) },
      '1m',
    );
    expect(c).toEqual({ market: 'KRW-BTC', unit: '1m', start: 0, open: 1, high: 3, low: 0.5, close: 2, volume: 0.25, turnover: 0.5, timestamp: 5, streamType: 'SNAPSHOT' });
  });
});

function dec(n: number): Decimal {
  return new Decimal(n);
}
