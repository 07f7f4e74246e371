/**
 * Figures of quotation messages, narrowed the same way by every quotation parser (ticker,
 * trade, orderbook, candle): required ones refuse the message when missing or not finite,
 * optional ones are `undefined` when absent or null and NaN ("refuse") when present but
 * unusable, and a last price must be one an Upbit market could print.
 */
import { describeValue } from './json-narrow.js';
import { krwTickSize, krwTickSizeNumber } from './tick-size.js';
import { UPBIT_RULES } from './trading-rules.js';

/**
 * The finest price unit of any Upbit market: KRW below 0.00001, the BTC market, USDT below 0.0001
 * (https://docs.upbit.com/kr/docs/krw-market-info, /kr/docs/btc-market-info, /kr/docs/usdt-market-info).
 */
const FINEST_TICK = Math.min(...Object.values(UPBIT_RULES).map((r) => Number(r.finestTick)));
/**
 * Far above any price a market has had (KRW-BTC is around 1.3e8) and still below 2^53, where a
 * double stops holding every whole won: a larger trade_price is corruption, not a market.
 */
const MAX_PLAUSIBLE_PRICE = 1e15;
/**
 * KRW prices are checked against a grid 1,000 times finer than today's tick for their band
 * (https://docs.upbit.com/kr/docs/krw-market-info): Upbit has changed its tick table several
 * times, each time by at most 10x, and orders resting at an older tick still trade, so only a
 * price off every grid Upbit ever used by orders of magnitude is refused.
 */
const KRW_GRID_SLACK = 1000;

/**
 * Why a last price cannot be real, or null if it can. Conservative: refuses only what no Upbit
 * market could print (non-positive, beneath the finest tick, absurdly large, or in KRW far
 * finer than any tick), so a real but surprising price still reaches the screen.
 */
export function implausiblePrice(market: string, price: number): string | null {
  if (!(price > 0)) return `is not a positive price (${price})`;
  if (price < FINEST_TICK) return `is below the finest tick of any Upbit market (${price})`;
  if (price > MAX_PLAUSIBLE_PRICE) return `is beyond any price a market can have (${price})`;
  // Fast path (most KRW prices are whole won): a whole price from 1 to 1e15 is on every KRW grid.
  // Each band's tick divides 1,000 (https://docs.upbit.com/kr/docs/krw-market-info), so a whole
  // price is a whole number of grid units; below the top band (whose grid, 1, is exact) a price
  // has fewer than 1e7 units, so the rounding of `price / grid` is far below the 1e-6 allowed.
  // Proved equal to the check below by test/upbit/ticker-hot-path.property.test.ts.
  if (Number.isInteger(price)) return null;
  if (market.startsWith('KRW-')) {
    const grid = krwTickSizeNumber(price) / KRW_GRID_SLACK;
    const units = price / grid;
    if (Math.abs(units - Math.round(units)) > 1e-6) return `is off the KRW price grid by orders of magnitude (${price}, tick ${krwTickSize(price)})`;
  }
  return null;
}

/** Why a required figure was refused; only called on failure. */
export function figureProblem(field: string, v: unknown, signed: boolean): string {
  if (v === undefined || v === null) return `${field} is missing`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${field} is not a finite number (${describeValue(v)})`;
  return signed ? `${field} is invalid` : `${field} is negative`;
}

/** A required finite figure (≥ 0 unless `signed`), or NaN for "refuse the message". */
export function required(v: unknown, signed: boolean): number {
  return typeof v === 'number' && Number.isFinite(v) && (signed || v >= 0) ? v : Number.NaN;
}

/** An optional figure: `undefined` if absent or null, NaN if present but unusable. */
export function optional(v: unknown, signed: boolean): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isFinite(v) && (signed || v >= 0) ? v : Number.NaN;
}

