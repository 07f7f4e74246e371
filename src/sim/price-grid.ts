import { Decimal } from 'decimal.js';

import { krwTickSize } from '../upbit/tick-size.js';
import { VOLUME_DECIMALS } from '../upbit/trading-rules.js';

/**
 * Exact decimal arithmetic for prices and volumes. 40 significant digits hold a day of
 * SHIB turnover (11 integer digits, up to 12 decimals) without rounding.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

export const ZERO = new Dec(0);

/** Volumes carry at most 8 decimals on Upbit (src/upbit/trading-rules.ts). */
export { VOLUME_DECIMALS };

export type SnapMode = 'up' | 'down' | 'nearest';

/**
 * Put a (binary, approximate) price on the KRW tick grid of its own price band, exactly.
 *
 * Band floors are multiples of their own tick and every tick divides the next coarser one,
 * so rounding inside a band never leaves the grid: rounding up can only land on the next
 * band's floor (on both grids), rounding down never goes below the band's floor. A price
 * that would round to zero becomes the smallest tick.
 */
export function snapToKrwGrid(price: number, mode: SnapMode): Dec {
  const tick = new Dec(krwTickSize(price));
  const units = new Dec(price).div(tick);
  const whole = mode === 'up' ? units.ceil() : mode === 'down' ? units.floor() : units.round();
  const snapped = whole.mul(tick);
  return snapped.isPositive() && !snapped.isZero() ? snapped : tick;
}

/** True when `price` is exactly on the KRW tick grid for its band. */
export function isOnKrwGrid(price: Dec): boolean {
  return price.mod(krwTickSize(price.toNumber())).isZero();
}
