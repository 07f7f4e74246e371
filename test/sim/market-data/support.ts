import { readFileSync } from 'node:fs';

import type { SimOptions } from '../../../src/sim/index.js';
import type { Received } from '../helpers.js';
import { isRecord } from '../helpers.js';

const FIXTURES = new URL('../../fixtures/rest/v1/', import.meta.url);

/** A recorded-format response body from test/fixtures/rest/v1/<path>. */
export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as unknown;
}

/** Quotation groups without Upbit's 10/s: these tests are about content, not rate limits. */
export const UNLIMITED: Pick<SimOptions, 'rateLimits'> = {
  rateLimits: { groups: Object.fromEntries(['market', 'ticker', 'orderbook', 'crix-trades', 'candles'].map((g) => [g, { limit: 1_000_000 }])) },
};

/** Keys whose values are integers on Upbit's wire (ms timestamps, ids, units). */
const INTEGER_KEYS = new Set(['timestamp', 'trade_timestamp', 'sequential_id', 'unit']);

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where `actual` differs in shape from the `expected` template: the same keys (no more, no
 * fewer, except `optional` ones), the same JSON kind of every value, integers where Upbit
 * sends integers. Each element of an array is checked against the template's first element.
 */
export function shapeProblems(actual: unknown, expected: unknown, optional: readonly string[] = [], at = '$', key = ''): string[] {
  const ek = kind(expected);
  const ak = kind(actual);
  if (ek !== ak) return [`${at}: expected ${ek}, got ${ak} (${JSON.stringify(actual)})`];
  const problems: string[] = [];
  if (typeof actual === 'number') {
    if (!Number.isFinite(actual)) problems.push(`${at}: ${actual} is not finite`);
    if (INTEGER_KEYS.has(key) && !Number.isInteger(actual)) problems.push(`${at}: ${actual} is not an integer`);
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const [template] = expected as unknown[];
    if (template !== undefined) actual.forEach((item, i) => problems.push(...shapeProblems(item, template, optional, `${at}[${i}]`, key)));
  }
  if (isRecord(actual) && isRecord(expected)) {
    for (const k of Object.keys(expected)) if (!(k in actual) && !optional.includes(k)) problems.push(`${at}: missing key ${k}`);
    for (const [k, v] of Object.entries(actual)) {
      if (k in expected) problems.push(...shapeProblems(v, expected[k], optional, `${at}.${k}`, k));
      else if (!optional.includes(k)) problems.push(`${at}: unexpected key ${k}`);
    }
  }
  return problems;
}

export interface Reply {
  status: number;
  headers: Headers;
  json: unknown;
}

export async function get(base: string, path: string): Promise<Reply> {
  const res = await fetch(new URL(path, base));
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as unknown };
}

/** A JSON array reply, its elements as records (throws otherwise). */
export function rows(reply: Reply): Array<Record<string, unknown>> {
  if (!Array.isArray(reply.json)) throw new Error(`expected a JSON array, got ${JSON.stringify(reply.json)}`);
  return reply.json.map((row: unknown) => {
    if (!isRecord(row)) throw new Error(`expected objects in the array, got ${JSON.stringify(row)}`);
    return row;
  });
}

export const record = (r: Received | undefined): Record<string, unknown> => {
  if (r === undefined || !isRecord(r.json)) throw new Error(`expected a JSON object frame, got ${r?.text}`);
  return r.json;
};

/** A data message of `type` (DEFAULT or SIMPLE keys), optionally for `code` and of one stream type. */
export const isMessage =
  (type: string, code?: string, streamType?: 'SNAPSHOT' | 'REALTIME') =>
  (r: Received): boolean => {
    if (!isRecord(r.json)) return false;
    const m = r.json;
    return (m['type'] ?? m['ty']) === type && (code === undefined || (m['code'] ?? m['cd']) === code) && (streamType === undefined || (m['stream_type'] ?? m['st']) === streamType);
  };

export const num = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return v;
};
