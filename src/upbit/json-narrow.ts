/**
 * Narrowing helpers for values that came out of `JSON.parse`: they take `unknown` and answer
 * with a type guard, so callers never cast wire data. Kept tiny and allocation-free because
 * they run on every field of every market-data message.
 */

export type JsonRecord = Record<string, unknown>;

/** A plain JSON object (not an array, not null). */
export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number that is neither NaN nor ±Infinity (`JSON.parse('1e999')` yields Infinity). */
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A finite number ≥ 0: prices, volumes, traded values, timestamps. */
export function isNonNegativeNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

export function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/** `undefined` or `null`: an optional field that is absent (Upbit sent `null` for some fields before 2019). */
export function isAbsent(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/**
 * A short, printable rendering of an untrusted value for an error reason: never the whole
 * value (a hostile frame could be megabytes), and never a throw.
 */
export function describeValue(v: unknown, max = 24): string {
  if (typeof v === 'string') return `'${v.length > max ? `${v.slice(0, max)}…` : v}'`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'missing';
    default:
      return `a ${typeof v}`;
  }
}
