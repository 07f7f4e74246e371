/**
 * The engine's decimal type. Every amount it stores is made with `Dec`, a decimal.js clone
 * with room for exact products: KRW totals have 10 integer digits, volumes 8 decimals and the
 * fee rate 4, so a fee needs ~22 significant digits and sums of them a few more. 64 digits
 * keep every addition, subtraction and multiplication exact; only divisions (avg_buy_price,
 * volume for a budget) round, and those are rounded explicitly.
 *
 * decimal.js takes precision from the left operand's constructor, so amounts that come from
 * outside (a caller's `Decimal`, a book level) go through `dec()` before any arithmetic.
 */
import { Decimal } from 'decimal.js';

import { VOLUME_DECIMALS } from '../upbit/trading-rules.js';

export const Dec = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -64, toExpPos: 64 });

export const ZERO: Decimal = new Dec(0);

/** Upbit volumes carry at most 8 decimal places (src/upbit/trading-rules.ts). */
export { VOLUME_DECIMALS };
const VOLUME_UNIT: Decimal = new Dec(1).div(10 ** VOLUME_DECIMALS);

/** Rebind a value into the engine's precision. */
export function dec(v: Decimal.Value): Decimal {
  return new Dec(v);
}

/** Round a volume down to Upbit's 8 decimals (never sell or buy more than there is). */
export function floorVolume(v: Decimal): Decimal {
  return v.toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_DOWN);
}

/**
 * The largest 8-decimal volume whose cost at `price` fits `budget`. The division rounds at
 * 64 digits, which could land a hair above the true quotient, so the result is checked.
 */
export function affordableVolume(budget: Decimal, price: Decimal): Decimal {
  if (!budget.isPositive() || budget.isZero() || !price.isPositive() || price.isZero()) return ZERO;
  let v = floorVolume(budget.div(price));
  if (price.mul(v).gt(budget)) v = v.minus(VOLUME_UNIT);
  return v.isNegative() ? ZERO : v;
}

export function minDec(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

export function sumDec(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** Upbit's amount strings: plain notation, no exponent, no trailing zeros (`"5002.5"`, `"0"`). */
export function plain(v: Decimal): string {
  return v.isZero() ? '0' : v.toFixed();
}
