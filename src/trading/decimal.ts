/**
 * The trading core's decimal type. Every price, volume, fee and balance is a `Money` decimal:
 * a decimal.js clone of its own, so nobody's global `Decimal.set(...)` changes how orders are
 * computed. decimal.js takes precision and rounding from the *left* operand's constructor, so
 * values from outside (a caller's `Decimal`, a wire string, a JSON number) go through
 * {@link toMoney} before any arithmetic.
 *
 * 40 significant digits hold a price × volume × (1 + fee) product of realistic Upbit amounts
 * exactly (KRW prices have ≤ 11 integer digits, volumes 8 decimals, fees ≤ 6 decimals). Every
 * amount that reaches the exchange is rounded explicitly (tick, 8-decimal volume, whole KRW),
 * and the few divisions are checked afterwards, so the default rounding mode only matters
 * for digits beyond the 40th; half-even keeps it unbiased.
 */
import { Decimal } from 'decimal.js';

export { Decimal };

export const Money = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  // Never switch to exponent notation in toString(); amounts are printed and stored plainly.
  toExpNeg: -100,
  toExpPos: 100,
});

/** Anything an amount may be given as. Numbers are read through their shortest decimal form (`0.1` → `"0.1"`). */
export type MoneyInput = Decimal.Value;

export const ZERO: Decimal = new Money(0);
export const ONE: Decimal = new Money(1);
export const HUNDRED: Decimal = new Money(100);

/** A decimal in the trading core's precision. Throws a RangeError for NaN or ±Infinity. */
export function toMoney(value: MoneyInput, what = 'amount'): Decimal {
  let d: Decimal;
  try {
    d = new Money(value);
  } catch (error) {
    throw new RangeError(`${what} ${describe(value)} is not a decimal number.`, { cause: error });
  }
  if (!d.isFinite()) throw new RangeError(`${what} ${describe(value)} is not a finite number.`);
  return d;
}

/**
 * Read an amount the user typed: digits, an optional fraction, optional `,`/`_` digit
 * grouping and surrounding spaces. Anything else (signs, exponents, `0x…`, `Infinity`,
 * which decimal.js itself would accept) gives `null`.
 */
export function parseAmount(text: string): Decimal | null {
  const t = text.trim().replace(/[,_]/g, '');
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) return null;
  return new Money(t);
}

/** Upbit's amount strings: plain notation, no exponent, no trailing zeros (`"5002.5"`, `"0"`). */
export function plain(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

/**
 * An amount for a sentence: thousands grouped, decimals as they are (`4990` → `"4,990"`,
 * `"0.00004009"` stays). With `decimals`, rounded half-up to that many places first.
 */
export function formatAmount(value: Decimal, decimals?: number): string {
  const d = decimals === undefined ? value : value.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  const text = plain(d);
  const negative = text.startsWith('-');
  const [int = '0', frac] = (negative ? text.slice(1) : text).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

function describe(value: MoneyInput): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
