import { Dec, VOLUME_DECIMALS } from '../price-grid.js';

/** Minute candle units `GET /v1/candles/minutes/{unit}` serves (docs/upbit-protocol.md#quotation-endpoints). */
export const MINUTE_UNITS = [1, 3, 5, 10, 15, 30, 60, 240] as const;
export type MinuteUnit = (typeof MINUTE_UNITS)[number];

export const MINUTE_MS = 60_000;

export function isMinuteUnit(n: number): n is MinuteUnit {
  return (MINUTE_UNITS as readonly number[]).includes(n);
}

/** Trades over one time span: a trade, a synthesized bar, or a whole candle. */
export interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  /** Times (ms) of the first and the last trade. */
  firstAt: number;
  lastAt: number;
  volume: Dec;
  /** Σ price × volume, quote currency. */
  turnover: Dec;
}

/** A {@link Bar} with binary volume and turnover: synthesized history, summed cheaply. */
export interface RoughBar extends Omit<Bar, 'volume' | 'turnover'> {
  volume: number;
  turnover: number;
}

/**
 * Gather time-ordered rough bars into one bar per bucket of `bucketMs`, converting the
 * sums to 8-decimal decimals once per bucket (decimal additions per minute bar and unit
 * would make the first candle request slow).
 */
export function rollUp(bars: readonly RoughBar[], bucketMs: number): Bar[] {
  const out: Bar[] = [];
  let current: RoughBar | undefined;
  let bucket = NaN;
  const flush = (): void => {
    if (current === undefined) return;
    out.push({ ...current, volume: new Dec(current.volume.toFixed(VOLUME_DECIMALS)), turnover: new Dec(current.turnover.toFixed(VOLUME_DECIMALS)) });
  };
  for (const bar of bars) {
    const start = Math.floor(bar.firstAt / bucketMs) * bucketMs;
    if (current === undefined || start !== bucket) {
      flush();
      current = { ...bar };
      bucket = start;
      continue;
    }
    current.high = Math.max(current.high, bar.high);
    current.low = Math.min(current.low, bar.low);
    current.close = bar.close;
    current.lastAt = bar.lastAt;
    current.volume += bar.volume;
    current.turnover += bar.turnover;
  }
  flush();
  return out;
}

/** A candle: the bar of one bucket, which starts at `start` (ms, UTC, a multiple of the bucket). */
export interface Candle extends Bar {
  start: number;
}

/**
 * The candles of one market at one bucket size, built from bars as they come, in any order
 * (history synthesized after live trades merges correctly: the earliest bar gives the
 * open, the latest the close). Only buckets that saw a trade exist, as on Upbit. Keeps the
 * newest `retain` buckets.
 */
export class CandleSeries {
  private readonly byStart = new Map<number, Candle>();
  /** Bucket starts, ascending. */
  private readonly starts: number[] = [];

  constructor(
    readonly bucketMs: number,
    readonly retain: number,
  ) {}

  get size(): number {
    return this.starts.length;
  }

  add(bar: Bar): void {
    const start = Math.floor(bar.firstAt / this.bucketMs) * this.bucketMs;
    const candle = this.byStart.get(start);
    if (candle === undefined) {
      this.byStart.set(start, { ...bar, start });
      const last = this.starts.at(-1);
      if (last === undefined || start > last) this.starts.push(start);
      else this.starts.splice(lowerBound(this.starts, start), 0, start);
      while (this.starts.length > this.retain) {
        const oldest = this.starts.shift();
        if (oldest !== undefined) this.byStart.delete(oldest);
      }
      return;
    }
    if (bar.firstAt < candle.firstAt) {
      candle.open = bar.open;
      candle.firstAt = bar.firstAt;
    }
    if (bar.lastAt >= candle.lastAt) {
      candle.close = bar.close;
      candle.lastAt = bar.lastAt;
    }
    candle.high = Math.max(candle.high, bar.high);
    candle.low = Math.min(candle.low, bar.low);
    candle.volume = candle.volume.plus(bar.volume);
    candle.turnover = candle.turnover.plus(bar.turnover);
  }

  /** Up to `count` candles that start before `before` (all when undefined), newest first. */
  list(before: number | undefined, count: number): Candle[] {
    const end = before === undefined ? this.starts.length : lowerBound(this.starts, before);
    const out: Candle[] = [];
    for (let i = end - 1; i >= 0 && out.length < count; i--) {
      const start = this.starts[i];
      const candle = start === undefined ? undefined : this.byStart.get(start);
      if (candle !== undefined) out.push(candle);
    }
    return out;
  }
}

/** The first index whose value is ≥ `x` in an ascending array. */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? Infinity) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many buckets a unit keeps: at least the 200 one request can ask for, and at least a
 * day and an hour, so the synthesized day of history fits.
 */
export function retainFor(unit: MinuteUnit): number {
  return Math.max(200, Math.ceil(1_500 / unit));
}
