/**
 * The history under a live candle series: the newest minute candles from REST
 * (`GET /v1/candles/minutes/{unit}`, https://docs.upbit.com/kr/reference/list-candles-minutes),
 * so a chart has its past at once and the `candle.*` stream continues it.
 */
import type { CallOptions, Candle as RestCandle, CandleUnit as RestCandleUnit } from '../../upbit/rest/index.js';
import type { Candle, CandleUnit, MarketCode } from '../../upbit/types.js';
import type { CandleSeries } from './candle-series.js';

/** The stream's minute units, which REST serves under `/v1/candles/minutes/{n}`. */
export type MinuteUnit = Exclude<CandleUnit, '1s'>;

/** What the history needs of the REST client (`UpbitRestClient` has it). */
export interface CandleReader {
  candles(market: MarketCode, unit: RestCandleUnit, count?: number, options?: CallOptions): Promise<RestCandle[]>;
}

const REST_UNITS: Readonly<Record<MinuteUnit, RestCandleUnit>> = { '1m': 1, '3m': 3, '5m': 5, '10m': 10, '15m': 15, '30m': 30, '60m': 60, '240m': 240 };

/**
 * A REST candle as the stream's: the same figures as display numbers (types.ts: quotation
 * figures are doubles on the wire), marked a snapshot.
 */
export function streamCandle(c: RestCandle, unit: MinuteUnit): Candle {
  return {
    market: c.market,
    unit,
    start: c.start,
    open: c.open.toNumber(),
    high: c.high.toNumber(),
    low: c.low.toNumber(),
    close: c.close.toNumber(),
    volume: c.volume.toNumber(),
    turnover: c.turnover.toNumber(),
    timestamp: c.timestamp,
    streamType: 'SNAPSHOT',
  };
}

/**
 * Read the newest `count` (1…200) candles of `market` and add them to `candles` under what the
 * stream already delivered ({@link CandleSeries.backfill}: a minute the stream sent is kept).
 * Make the market's `candle.<unit>` demand first: the series forgets markets nobody demands.
 * Rejects with `signal.reason` when aborted (the focus moved on); returns how many were added.
 */
export async function loadCandleHistory(client: CandleReader, candles: CandleSeries, market: MarketCode, unit: MinuteUnit, count: number, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const answer = await client.candles(market, REST_UNITS[unit], count, { signal });
  signal?.throwIfAborted();
  // Upbit answers newest first; oldest first is the series' own order.
  return candles.backfill(answer.map((c) => streamCandle(c, unit)).reverse());
}
