import { krwTickSize, tickDecimals } from '../../upbit/tick-size.js';
import { Dec } from '../price-grid.js';

/**
 * Walking the KRW tick grid (docs/upbit-protocol.md#tick-size) across band edges. Every band floor
 * is a multiple of its own tick and of every finer one, so stepping up by the current tick
 * lands exactly on the next band's floor; stepping down from a band floor must use the finer
 * tick of the band below (10,000 → 9,995, not 9,990).
 */

const ticks = new Map<string, Dec>();

/** The tick of the band `price` is in, as an exact decimal. */
export function tickAt(price: Dec): Dec {
  const text = krwTickSize(price.toNumber());
  let tick = ticks.get(text);
  if (tick === undefined) ticks.set(text, (tick = new Dec(text)));
  return tick;
}

/** True when `price` is a positive price on the grid of its band. */
export function isOnGrid(price: Dec): boolean {
  return price.gt(0) && price.mod(tickAt(price)).isZero();
}

/** `n` grid steps above `price` (which must be on the grid). */
export function stepUp(price: Dec, n = 1): Dec {
  let p = price;
  for (let i = 0; i < n; i++) p = p.plus(tickAt(p));
  return p;
}

/** `n` grid steps below `price`, or undefined where the grid ends above zero. */
export function stepDown(price: Dec, n = 1): Dec | undefined {
  let p = price;
  for (let i = 0; i < n; i++) {
    const tick = tickAt(p);
    let next = p.minus(tick);
    if (!next.gt(0)) return undefined;
    const below = tickAt(next);
    // `p` was the floor of its band: the price below it is on the finer grid of the band below.
    if (!below.eq(tick)) next = p.minus(below);
    p = next;
  }
  return p;
}

/** Grid steps from `low` up to `high` (both on the grid, low ≤ high), counting at most `cap`. */
export function stepsBetween(low: Dec, high: Dec, cap: number): number {
  let n = 0;
  for (let p = low; p.lt(high) && n < cap; p = stepUp(p)) n++;
  return n;
}

/**
 * Put a binary price on the grid of its band, as a number whose decimal rendering is exact
 * (for synthesized history, where decimals would be too slow). Never below one tick.
 */
export function snapNumber(price: number, mode: 'up' | 'down' | 'nearest'): number {
  const text = krwTickSize(price);
  const tick = Number(text);
  const units = price / tick;
  const whole = Math.max(1, mode === 'up' ? Math.ceil(units - 1e-9) : mode === 'down' ? Math.floor(units + 1e-9) : Math.round(units));
  return Number((whole * tick).toFixed(tickDecimals(text)));
}

/** The tick at `price` relative to it (0.00077 for 1,000 at 1,300,000). */
export function relativeTick(price: number): number {
  return Number(krwTickSize(price)) / price;
}
