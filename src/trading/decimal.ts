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

/** What {@link readTypedAmount} made of a typed amount. */
export type TypedAmount =
  | { ok: true; value: Decimal }
  /**
   * `ambiguous`: it reads as two different numbers (`0,001`: 0.001 or 1); `malformed`: digits
   * with separators that group nothing unambiguously (`10,000,0`, `1 000`); `not-a-number`:
   * anything else. `message` says which, with the readings, and asks for a plain number.
   */
  | { ok: false; kind: 'ambiguous' | 'malformed' | 'not-a-number'; message: string };

const PLAIN_AMOUNT = /^(\d+(\.\d*)?|\.\d+)$/;
/**
 * Thousands grouping: a first group of 1–3 digits not starting with 0, then groups of exactly
 * three, one kind of separator (the backreference), only before the decimal point.
 */
const GROUPED_AMOUNT = /^[1-9]\d{0,2}([,_])\d{3}(?:\1\d{3})*(\.\d*)?$/;

/**
 * Read an amount a person typed, the one parser for every amount flag and field. Accepted:
 * plain digits with an optional decimal point (`0.001`, `.5`, `007`), surrounding spaces, and
 * thousands grouping where it cannot be misread: `1_000` or `1_000_000`, `1,000,000`,
 * `1,000.5`. Everything else is refused, never guessed: a decimal comma (`0,001`, `1,5`), a
 * single comma group without a point (`1,000` is 1 in much of Europe and 1000 in Korea),
 * mixed or misplaced separators (`1.000,5`, `10,000,0`, `1,000_000`), inner spaces, signs,
 * exponents, `0x…` and `Infinity` (which decimal.js itself would accept).
 */
export function readTypedAmount(text: string): TypedAmount {
  const t = text.trim();
  if (PLAIN_AMOUNT.test(t)) return { ok: true, value: new Money(t) };
  const grouped = GROUPED_AMOUNT.exec(t);
  const separator = grouped?.[1];
  const loneComma = separator === ',' && grouped?.[2] === undefined && t.indexOf(',') === t.lastIndexOf(',');
  if (separator !== undefined && !loneComma) return { ok: true, value: new Money(t.replaceAll(separator, '')) };

  const quoted = JSON.stringify(text);
  const plainExample = 'write it as a plain number with an optional decimal point, e.g. 0.001 or 1000000 (thousands may be grouped as 1,000,000 or 1_000_000)';
  if (!/^[\d.,_\s]*\d[\d.,_\s]*$/.test(t)) return { ok: false, kind: 'not-a-number', message: `${quoted} is not a number; ${plainExample}.` };
  // The two ways a person may have meant it: a decimal comma (points, spaces and underscores
  // grouping) or a decimal point (commas, spaces and underscores grouping).
  const commas = t.split(',').length - 1;
  const asDecimalComma = commas === 1 ? readingOf(t.replace(/[.\s_]/g, '').replace(',', '.')) : null;
  const asDecimalPoint = readingOf(t.replace(/[,\s_]/g, ''));
  if (asDecimalComma !== null && asDecimalPoint !== null && !asDecimalComma.eq(asDecimalPoint)) {
    const a = plain(asDecimalComma);
    const b = plain(asDecimalPoint);
    return {
      ok: false,
      kind: 'ambiguous',
      message: `${quoted} is ambiguous: ${a} with a decimal comma, or ${b} with a thousands comma. Write it as a plain number (${a} or ${b}), with a point for decimals.`,
    };
  }
  return {
    ok: false,
    kind: 'malformed',
    message: `${quoted} cannot be read safely: separators may only group the digits before the point in threes (1,000,000 or 1_000_000), and decimals take a point. Write it as a plain number, e.g. 1000000 or 0.001.`,
  };
}

/**
 * {@link readTypedAmount}'s value, or `null` when it refuses the text (its message says why).
 */
export function parseAmount(text: string): Decimal | null {
  const r = readTypedAmount(text);
  return r.ok ? r.value : null;
}

function readingOf(text: string): Decimal | null {
  return PLAIN_AMOUNT.test(text) ? new Money(text) : null;
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
