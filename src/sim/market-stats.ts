import type { TickerWire } from '../upbit/wire.js';
import type { AskBid, StreamType } from '../upbit/types.js';
import type { MarketSpec } from './catalog.js';
import { Dec, VOLUME_DECIMALS, ZERO, snapToKrwGrid } from './price-grid.js';
import type { Rng } from './random.js';
import { DAY_MS, HOUR_MS, compactDate, compactTime, isoDate, utcDayStart } from './utc.js';

/** A trade as the statistics see it: exact decimals, timestamp in ms. */
export interface StatsTrade {
  price: Dec;
  volume: Dec;
  askBid: AskBid;
  timestamp: number;
}

interface HourBucket {
  /** `floor(ms / HOUR_MS)` of the hour this bucket holds, or -1 when empty. */
  hour: number;
  volume: Dec;
  turnover: Dec;
}

const WINDOW_HOURS = 24;
const RATE_DECIMALS = 10;

/**
 * The figures of a `ticker` message for one market, kept consistent trade by trade:
 * daily open/high/low/close against the previous close (the day starts at 00:00 UTC), daily
 * and rolling 24 h volume and turnover (hour buckets), ask/bid volume split, 52-week extremes.
 *
 * Volumes and turnover are exact decimals; `acc_trade_volume` is always computed as
 * `acc_ask_volume + acc_bid_volume`, so the three agree up to the final conversion to JSON
 * numbers.
 */
export class MarketStats {
  private last: StatsTrade;
  private dayStart: number;
  private prevClose: Dec;
  private open: Dec;
  private high: Dec;
  private low: Dec;
  private accAsk: Dec;
  private accBid: Dec;
  private accTurnover: Dec;
  private readonly buckets: HourBucket[];
  private volume24h = ZERO;
  private turnover24h = ZERO;
  private high52: Dec;
  private high52Date: string;
  private low52: Dec;
  private low52Date: string;

  /**
   * Invent a plausible history up to `now`: a previous close and today's range around
   * `price`, turnover over the last 24 h near the spec's figure, 52-week extremes.
   */
  constructor(spec: MarketSpec, rng: Rng, price: Dec, now: number) {
    const p = price.toNumber();
    const dailySigma = spec.hourlyVolatility * Math.sqrt(24);
    this.dayStart = utcDayStart(now);
    const dayFraction = (now - this.dayStart) / DAY_MS;

    this.last = {
      price,
      volume: new Dec(spec.turnover24h / (spec.tradesPerSecond * 86_400) / p).toDecimalPlaces(VOLUME_DECIMALS),
      askBid: rng.uniform() < 0.5 ? 'BID' : 'ASK',
      timestamp: Math.max(this.dayStart, Math.floor(now - rng.exponential(1000 / spec.tradesPerSecond))),
    };
    this.prevClose = snapToKrwGrid(p * Math.exp(rng.normal() * dailySigma * 0.8), 'nearest');
    this.open = snapToKrwGrid(this.prevClose.toNumber() * Math.exp(rng.normal() * spec.hourlyVolatility * 0.1), 'nearest');
    const rangeSigma = spec.hourlyVolatility * Math.sqrt(24 * dayFraction);
    const top = Dec.max(this.open, price);
    const bottom = Dec.min(this.open, price);
    this.high = Dec.max(top, snapToKrwGrid(top.toNumber() * Math.exp(Math.abs(rng.normal()) * rangeSigma), 'up'));
    this.low = Dec.min(bottom, snapToKrwGrid(bottom.toNumber() * Math.exp(-Math.abs(rng.normal()) * rangeSigma), 'down'));

    // 24 hour buckets ending with the current (partial) hour, weights wandering around 1.
    const nowHour = Math.floor(now / HOUR_MS);
    const hourFraction = (now - nowHour * HOUR_MS) / HOUR_MS;
    const weights = Array.from({ length: WINDOW_HOURS }, (_, i) =>
      rng.between(0.5, 1.5) * (i === WINDOW_HOURS - 1 ? hourFraction : 1),
    );
    const weightSum = weights.reduce((a, b) => a + b, 0) || 1;
    const total = spec.turnover24h * rng.between(0.8, 1.25);
    this.buckets = Array.from({ length: WINDOW_HOURS }, () => ({ hour: -1, volume: ZERO, turnover: ZERO }));
    let dayVolume = ZERO;
    let dayTurnover = ZERO;
    weights.forEach((w, i) => {
      const hour = nowHour - (WINDOW_HOURS - 1) + i;
      const turnover = new Dec(total * (w / weightSum)).toDecimalPlaces(4);
      const avgPrice = p * Math.exp(rng.normal() * spec.hourlyVolatility);
      const volume = turnover.div(avgPrice).toDecimalPlaces(VOLUME_DECIMALS);
      this.addToBucket(hour, volume, turnover);
      if (hour * HOUR_MS >= this.dayStart) {
        dayVolume = dayVolume.plus(volume);
        dayTurnover = dayTurnover.plus(turnover);
      }
    });
    this.accAsk = dayVolume.mul(rng.between(0.42, 0.58)).toDecimalPlaces(VOLUME_DECIMALS);
    this.accBid = dayVolume.minus(this.accAsk);
    this.accTurnover = dayTurnover;

    const today = isoDate(now);
    const daysAgo = (): string => isoDate(now - Math.ceil(rng.between(1, 364)) * DAY_MS);
    const high52 = snapToKrwGrid(p * rng.between(1.05, 1.9), 'up');
    const low52 = snapToKrwGrid(p * rng.between(0.3, 0.85), 'down');
    this.high52 = Dec.max(this.high, high52);
    this.high52Date = this.high52.eq(this.high) ? today : daysAgo();
    this.low52 = Dec.min(this.low, low52);
    this.low52Date = this.low52.eq(this.low) ? today : daysAgo();
  }

  get lastPrice(): Dec {
    return this.last.price;
  }

  apply(trade: StatsTrade): void {
    const { price, volume, timestamp } = trade;
    if (timestamp >= this.dayStart + DAY_MS) {
      this.prevClose = this.last.price;
      this.dayStart = utcDayStart(timestamp);
      this.open = price;
      this.high = price;
      this.low = price;
      this.accAsk = ZERO;
      this.accBid = ZERO;
      this.accTurnover = ZERO;
    } else {
      if (price.gt(this.high)) this.high = price;
      if (price.lt(this.low)) this.low = price;
    }
    const turnover = price.mul(volume);
    if (trade.askBid === 'ASK') this.accAsk = this.accAsk.plus(volume);
    else this.accBid = this.accBid.plus(volume);
    this.accTurnover = this.accTurnover.plus(turnover);
    this.addToBucket(Math.floor(timestamp / HOUR_MS), volume, turnover);
    if (price.gt(this.high52)) {
      this.high52 = price;
      this.high52Date = isoDate(timestamp);
    }
    if (price.lt(this.low52)) {
      this.low52 = price;
      this.low52Date = isoDate(timestamp);
    }
    this.last = trade;
  }

  /** The `ticker` message (DEFAULT keys) as of `now`. */
  ticker(code: string, now: number, streamType: StreamType): TickerWire {
    this.expireBuckets(Math.floor(Math.max(now, this.last.timestamp) / HOUR_MS));
    const { price, volume, askBid, timestamp } = this.last;
    const diff = price.minus(this.prevClose);
    const change = diff.isZero() ? 'EVEN' : diff.isPositive() ? 'RISE' : 'FALL';
    const changePrice = diff.abs().toNumber();
    const changeRate = diff.abs().div(this.prevClose).toDecimalPlaces(RATE_DECIMALS).toNumber();
    const sign = change === 'FALL' ? -1 : 1;
    return {
      type: 'ticker',
      code,
      opening_price: this.open.toNumber(),
      high_price: this.high.toNumber(),
      low_price: this.low.toNumber(),
      trade_price: price.toNumber(),
      prev_closing_price: this.prevClose.toNumber(),
      change,
      change_price: changePrice,
      signed_change_price: change === 'EVEN' ? 0 : sign * changePrice,
      change_rate: changeRate,
      signed_change_rate: change === 'EVEN' ? 0 : sign * changeRate,
      trade_volume: volume.toNumber(),
      acc_trade_volume: this.accAsk.plus(this.accBid).toNumber(),
      acc_trade_volume_24h: this.volume24h.toNumber(),
      acc_trade_price: this.accTurnover.toNumber(),
      acc_trade_price_24h: this.turnover24h.toNumber(),
      trade_date: compactDate(timestamp),
      trade_time: compactTime(timestamp),
      trade_timestamp: timestamp,
      ask_bid: askBid,
      acc_ask_volume: this.accAsk.toNumber(),
      acc_bid_volume: this.accBid.toNumber(),
      highest_52_week_price: this.high52.toNumber(),
      highest_52_week_date: this.high52Date,
      lowest_52_week_price: this.low52.toNumber(),
      lowest_52_week_date: this.low52Date,
      market_state: 'ACTIVE',
      is_trading_suspended: false,
      delisting_date: null,
      market_warning: 'NONE',
      timestamp: now,
      stream_type: streamType,
    };
  }

  private addToBucket(hour: number, volume: Dec, turnover: Dec): void {
    this.expireBuckets(hour);
    const bucket = this.buckets[hour % WINDOW_HOURS];
    if (bucket === undefined) return;
    if (bucket.hour !== hour) {
      bucket.hour = hour;
      bucket.volume = ZERO;
      bucket.turnover = ZERO;
    }
    bucket.volume = bucket.volume.plus(volume);
    bucket.turnover = bucket.turnover.plus(turnover);
    this.volume24h = this.volume24h.plus(volume);
    this.turnover24h = this.turnover24h.plus(turnover);
  }

  /** Drop buckets that fell out of the 24 h window ending with hour `currentHour`. */
  private expireBuckets(currentHour: number): void {
    for (const bucket of this.buckets) {
      if (bucket.hour >= 0 && bucket.hour <= currentHour - WINDOW_HOURS) {
        this.volume24h = this.volume24h.minus(bucket.volume);
        this.turnover24h = this.turnover24h.minus(bucket.turnover);
        bucket.hour = -1;
        bucket.volume = ZERO;
        bucket.turnover = ZERO;
      }
    }
  }
}
