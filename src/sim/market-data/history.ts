import type { TickerWire } from '../../upbit/wire.js';
import type { MarketSpec } from '../catalog.js';
import { VOLUME_DECIMALS } from '../price-grid.js';
import type { Rng } from '../random.js';
import { DAY_MS, utcDayStart } from '../utc.js';
import type { RoughBar } from './candles.js';
import { MINUTE_MS } from './candles.js';
import { snapNumber } from './grid.js';

/** A daily candle (00:00 UTC to 00:00 UTC) with JSON-ready figures. */
export interface DayCandle {
  /** 00:00 UTC of the day (ms). */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Time of the day's last trade (ms). */
  lastAt: number;
  volume: number;
  turnover: number;
  prevClose: number;
}

/** What the market looked like when the simulator started. */
export interface HistorySeed {
  spec: MarketSpec;
  /** The ticker at `start`: the day's open/high/low, previous close, day and 24 h volumes. */
  ticker: TickerWire;
  start: number;
  rng: Rng;
}

export interface History {
  /** One-minute bars covering the 24 h before the minute the simulator started in, oldest first. */
  minuteBars: RoughBar[];
  /** Completed days before the start day, oldest first. */
  days: DayCandle[];
}

/**
 * Invent the past the simulator did not see, consistent with the ticker it started with:
 *
 * - Today's minutes (00:00 UTC to the start minute) walk from the ticker's `opening_price`
 *   to its `trade_price` as a Brownian bridge kept within `low_price`…`high_price`, touching
 *   both; their volumes add up to `acc_trade_volume`.
 * - Yesterday's minutes inside the 24 h window walk to `prev_closing_price`; their volumes
 *   add up to `acc_trade_volume_24h − acc_trade_volume`.
 * - Older days random-walk backwards from the previous close, yesterday's candle containing
 *   yesterday's minutes.
 *
 * Turnover is volume × the bar's mid price, so it only approximates the ticker's
 * `acc_trade_price`. The bucket the simulator started in holds only live trades.
 */
export function synthesizeHistory(seed: HistorySeed, dayCount: number): History {
  const { spec, ticker, start, rng } = seed;
  const startMinute = Math.floor(start / MINUTE_MS) * MINUTE_MS;
  const dayStart = utcDayStart(start);
  const windowStart = startMinute - DAY_MS;
  const sigma = spec.hourlyVolatility / Math.sqrt(60);

  const yesterdayCount = (dayStart - windowStart) / MINUTE_MS;
  const yesterdayVolume = Math.max(0, ticker.acc_trade_volume_24h - ticker.acc_trade_volume);
  const from = ticker.prev_closing_price * Math.exp(rng.normal() * spec.hourlyVolatility * Math.sqrt(yesterdayCount / 60) * 0.7);
  const yesterday = yesterdayVolume > 0 ? walk(rng, windowStart, yesterdayCount, from, ticker.prev_closing_price, sigma, yesterdayVolume) : [];

  const todayCount = (startMinute - dayStart) / MINUTE_MS;
  const today =
    ticker.acc_trade_volume > 0
      ? walk(rng, dayStart, todayCount, ticker.opening_price, ticker.trade_price, sigma, ticker.acc_trade_volume, [ticker.low_price, ticker.high_price])
      : [];

  return { minuteBars: [...yesterday, ...today], days: pastDays(seed, dayStart, dayCount, yesterday) };
}

/**
 * `count` one-minute bars from `first` (ms), walking from `a` to close exactly at `b`, with
 * `volume` shared among them. With `range`, prices stay inside it and touch both ends.
 */
function walk(rng: Rng, first: number, count: number, a: number, b: number, sigma: number, volume: number, range?: readonly [number, number]): RoughBar[] {
  if (count <= 0) return [];
  const logA = Math.log(a);
  const logB = Math.log(b);
  const w: number[] = [0];
  for (let k = 1; k <= count; k++) w.push((w[k - 1] ?? 0) + sigma * rng.normal());
  const wEnd = w[count] ?? 0;
  const clamp = (x: number): number => (range === undefined ? x : Math.min(range[1], Math.max(range[0], x)));
  const closes: number[] = [];
  for (let k = 1; k <= count; k++) {
    const f = k / count;
    const x = k === count ? b : clamp(Math.exp(logA + f * (logB - logA) + (w[k] ?? 0) - f * wEnd));
    closes.push(k === count ? b : snapNumber(x, 'nearest'));
  }

  const weights = closes.map(() => Math.exp(0.8 * rng.normal()));
  const weightSum = weights.reduce((s, x) => s + x, 0);
  const bars: RoughBar[] = [];
  let open = snapNumber(clamp(a), 'nearest');
  closes.forEach((close, k) => {
    const wickUp = Math.exp(Math.abs(rng.normal()) * sigma * 0.6);
    const wickDown = Math.exp(-Math.abs(rng.normal()) * sigma * 0.6);
    const high = clamp(snapNumber(Math.max(open, close) * wickUp, 'up'));
    const low = clamp(snapNumber(Math.min(open, close) * wickDown, 'down'));
    const share = Number(Math.max(1e-8, volume * ((weights[k] ?? 0) / weightSum)).toFixed(VOLUME_DECIMALS));
    const minute = first + k * MINUTE_MS;
    bars.push({
      open,
      high: Math.max(high, open, close),
      low: Math.min(low, open, close),
      close,
      firstAt: minute + Math.floor(rng.uniform() * 20_000),
      lastAt: minute + 40_000 + Math.floor(rng.uniform() * 19_999),
      volume: share,
      turnover: share * ((open + close) / 2),
    });
    open = close;
  });

  if (range !== undefined) {
    // The day's extremes happened somewhere: at the bars closest to them.
    const top = argBest(bars, (bar) => bar.high);
    const bottom = argBest(bars, (bar) => -bar.low);
    if (top !== undefined) top.high = range[1];
    if (bottom !== undefined) bottom.low = range[0];
  }
  return bars;
}

function argBest(bars: RoughBar[], score: (bar: RoughBar) => number): RoughBar | undefined {
  let best: RoughBar | undefined;
  for (const bar of bars) if (best === undefined || score(bar) > score(best)) best = bar;
  return best;
}

/** `count` days before `dayStart`, oldest first; the newest closes at the ticker's previous close. */
function pastDays(seed: HistorySeed, dayStart: number, count: number, yesterdayBars: readonly RoughBar[]): DayCandle[] {
  const { spec, ticker, rng } = seed;
  const dailySigma = spec.hourlyVolatility * Math.sqrt(24);
  const anchor = Math.log(spec.startPrice);
  const days: DayCandle[] = [];
  let close = ticker.prev_closing_price;
  for (let d = 1; d <= count; d++) {
    const start = dayStart - d * DAY_MS;
    // Walking backwards: the close of the day before, drifting back towards the catalog price.
    const logPrev = Math.log(close) + 0.05 * (anchor - Math.log(close)) + dailySigma * rng.normal();
    const prevClose = snapNumber(Math.exp(logPrev), 'nearest');
    const open = snapNumber(prevClose * Math.exp(rng.normal() * dailySigma * 0.05), 'nearest');
    let high = snapNumber(Math.max(open, close) * Math.exp(Math.abs(rng.normal()) * dailySigma * 0.5), 'up');
    let low = snapNumber(Math.min(open, close) * Math.exp(-Math.abs(rng.normal()) * dailySigma * 0.5), 'down');
    const mid = (open + close) / 2;
    let volume = (spec.turnover24h * Math.exp(0.3 * rng.normal())) / mid;
    if (d === 1 && yesterdayBars.length > 0) {
      // Yesterday contains its minutes inside the 24 h window.
      for (const bar of yesterdayBars) {
        high = Math.max(high, bar.high);
        low = Math.min(low, bar.low);
      }
      const covered = yesterdayBars.reduce((s, bar) => s + bar.volume, 0);
      const uncovered = ((yesterdayBars[0]?.firstAt ?? start) - start) / DAY_MS;
      volume = covered + volume * uncovered;
    }
    const vol = Number(volume.toFixed(VOLUME_DECIMALS));
    days.push({
      start,
      open,
      high,
      low,
      close,
      lastAt: start + DAY_MS - 1 - Math.floor(rng.uniform() * 2_000),
      volume: vol,
      turnover: Number((vol * mid).toFixed(VOLUME_DECIMALS)),
      prevClose,
    });
    close = prevClose;
  }
  return days.reverse();
}
