import type { Candle, CandleUnit, MarketCode } from '../../upbit/types.js';
import { Slice, type SliceOptions, type SliceSource } from './slice.js';

export interface CandleSeriesOptions extends SliceOptions {
  /** Candles kept per market and unit, the newest. @default 200 */
  length?: number;
}

const keyOf = (market: MarketCode, unit: CandleUnit): string => `${market} ${unit}`;
const marketOfKey = (key: string): string => key.slice(0, key.indexOf(' '));
const unitOfKey = (key: string): string => key.slice(key.indexOf(' ') + 1);

/**
 * The recent candles of each demanded market and unit, bounded, oldest first. Upbit may send
 * the same candle start several times as trades update it, the last one winning
 * (https://docs.upbit.com/kr/reference/websocket-candle): a candle replaces the one with its
 * start, and a newer start opens a new candle.
 */
export class CandleSeries extends Slice<readonly Candle[]> {
  readonly #length: number;
  /** Oldest first, at most `length`. */
  readonly #live = new Map<string, Candle[]>();

  constructor(options: CandleSeriesOptions = {}) {
    super(options);
    const length = options.length ?? 200;
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be a positive integer, got ${length}`);
    this.#length = length;
  }

  /** Add or replace a candle; O(1) for the newest one (what Upbit streams). */
  apply(candle: Candle): void {
    this.#put(candle, true);
  }

  /**
   * Add candles from history (REST) under the live stream, in any order: a candle whose start
   * the series already holds is left as it is: the stream sends every update of a candle from
   * its first message on (the first a snapshot of the candle so far), so what it delivered is
   * at least as current as a REST answer. Returns how many were added.
   */
  backfill(candles: Iterable<Candle>): number {
    let added = 0;
    for (const candle of candles) if (this.#put(candle, false)) added += 1;
    return added;
  }

  /** Insert `candle` in start order; whether the series changed. */
  #put(candle: Candle, replace: boolean): boolean {
    const key = keyOf(candle.market, candle.unit);
    let series = this.#live.get(key);
    if (series === undefined) this.#live.set(key, (series = []));
    let i = series.length - 1;
    while (i >= 0 && (series[i]?.start ?? 0) > candle.start) i--;
    if (i >= 0 && series[i]?.start === candle.start) {
      if (!replace) return false;
      series[i] = candle;
    } else {
      // Older than every candle kept, with the series full: it would fall off at once.
      if (i < 0 && series.length >= this.#length) return false;
      series.splice(i + 1, 0, candle);
      if (series.length > this.#length) series.shift();
    }
    this.touch(key);
    return true;
  }

  /** The candles of `market` and `unit`, oldest first, as last published. */
  select(market: MarketCode, unit: CandleUnit): readonly Candle[] | undefined {
    return this.selectKey(keyOf(market, unit));
  }

  source(market: MarketCode, unit: CandleUnit): SliceSource<readonly Candle[]> {
    return this.sourceOf(keyOf(market, unit));
  }

  /** Keep only the series whose market is demanded for their unit. */
  retain(demanded: (unit: CandleUnit) => ReadonlySet<MarketCode>): void {
    this.retainWhere((key) => demanded(unitOfKey(key) as CandleUnit).has(marketOfKey(key)));
  }

  protected build(key: string): readonly Candle[] | undefined {
    const series = this.#live.get(key);
    return series === undefined ? undefined : [...series];
  }

  protected forget(key: string): void {
    this.#live.delete(key);
  }

  protected liveKeys(): Iterable<string> {
    return this.#live.keys();
  }
}
