import { createHash } from 'node:crypto';

/**
 * The request parameters a JWT's `query_hash` covers (docs/upbit-protocol.md#authentication), and the
 * strings a client may have hashed.
 *
 * Upbit hashes the parameters as an *unencoded* `k=v&k=v` string in the order they were
 * sent, arrays as repeated `k[]=v`, for query strings and JSON bodies alike. Real clients
 * differ in the details (ccxt hashes the raw values, upbeat unquotes, pyupbit hashes its
 * still percent-encoded form with literal brackets), so besides the canonical string we
 * accept the raw parameter text as it arrived.
 */

/** One parameter as received: the key keeps its `[]` suffix for array members; both decoded. */
export type ParamEntry = readonly [key: string, value: string];

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

/** `k=v&k[]=v…`, unencoded, in the given order. */
export function canonicalQuery(entries: readonly ParamEntry[]): string {
  return entries.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * Split a raw query string (or a form body) into decoded entries, keeping order and
 * repeats. `+` means a space, as in HTML forms and URLSearchParams: that is why Upbit tells
 * clients to percent-encode the `+` of an ISO-8601 offset (changelog
 * `closed_order_support_timestamp`). Returns undefined for malformed percent-escapes.
 */
export function parseQueryEntries(raw: string): ParamEntry[] | undefined {
  const entries: ParamEntry[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) return undefined;
    entries.push([key, value]);
  }
  return entries;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Entries of a JSON body in its key order: scalars as `k=v`, arrays as repeated `k[]=v`
 * (a key that already ends in `[]` keeps it). Numbers and booleans render as JavaScript
 * prints them; nested objects as JSON (no Upbit endpoint takes one).
 */
export function jsonBodyEntries(body: Readonly<Record<string, unknown>>): ParamEntry[] {
  const entries: ParamEntry[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) {
      const arrayKey = key.endsWith('[]') ? key : `${key}[]`;
      for (const item of value as unknown[]) entries.push([arrayKey, renderScalar(item)]);
    } else {
      entries.push([key, renderScalar(value)]);
    }
  }
  return entries;
}

function renderScalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * Every string whose SHA-512 we accept as the `query_hash` of a request: the canonical
 * form, each raw parameter text, and that text with pyupbit's literal `[]` (it encodes
 * values but writes brackets as `[]`). Deduplicated.
 */
export function acceptedQueryStrings(entries: readonly ParamEntry[], rawTexts: readonly string[]): string[] {
  const out = new Set<string>([canonicalQuery(entries)]);
  const nonEmpty = rawTexts.filter((t) => t !== '');
  for (const raw of nonEmpty) {
    out.add(raw);
    out.add(raw.replace(/%5B%5D/gi, '[]'));
  }
  if (nonEmpty.length > 1) out.add(nonEmpty.join('&'));
  return [...out];
}

/** Whether `queryHash` (hex, any case) is the SHA-512 of one of the accepted strings. */
export function queryHashMatches(queryHash: string, entries: readonly ParamEntry[], rawTexts: readonly string[]): boolean {
  const wanted = queryHash.toLowerCase();
  return acceptedQueryStrings(entries, rawTexts).some((text) => sha512Hex(text) === wanted);
}
