/**
 * Contract checks against recorded Upbit responses (test/fixtures/rest/v1/…): the same keys
 * (give or take documented optional ones), the same JSON types at every level, amounts as
 * decimal strings and times as Upbit writes them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = new URL('../../fixtures/rest/v1/', import.meta.url);

export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(path, FIXTURES)), 'utf8')) as unknown;
}

/** Keys Upbit sends only in some cases (order objects: when set; lists: executed_funds). */
export const ORDER_OPTIONAL_KEYS = ['identifier', 'time_in_force', 'smp_type', 'executed_funds', 'new_order_identifier'];

const AMOUNT_KEYS = new Set([
  'balance',
  'locked',
  'avg_buy_price',
  'price',
  'volume',
  'remaining_volume',
  'executed_volume',
  'prevented_volume',
  'reserved_fee',
  'remaining_fee',
  'paid_fee',
  'prevented_locked',
  'executed_funds',
  'funds',
  'bid_fee',
  'ask_fee',
  'maker_bid_fee',
  'maker_ask_fee',
  'min_total',
  'max_total',
]);
const DECIMAL = /^\d+(\.\d+)?$/;
const KST_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+09:00$/;

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Problems with `actual` against the recorded `expected` (empty when it conforms). Keys in
 * `optional` may be missing from either side; `key` is the parent key, for amount checks.
 */
export function shapeProblems(actual: unknown, expected: unknown, optional: readonly string[] = [], at = '$', key = ''): string[] {
  const problems: string[] = [];
  const ek = kind(expected);
  const ak = kind(actual);
  if (ek !== ak && !(ek === 'null' || ak === 'null')) return [`${at}: expected ${ek}, got ${ak} (${JSON.stringify(actual)})`];
  if (typeof actual === 'string') {
    if (AMOUNT_KEYS.has(key) && !DECIMAL.test(actual)) problems.push(`${at}: amount ${JSON.stringify(actual)} is not a plain decimal string`);
    if (key === 'created_at' && !KST_TIME.test(actual)) problems.push(`${at}: time ${actual} is not ISO-8601 with +09:00`);
  }
  if (ak === 'array' && ek === 'array') {
    const [template] = expected as unknown[];
    if (template !== undefined) (actual as unknown[]).forEach((item, i) => problems.push(...shapeProblems(item, template, optional, `${at}[${i}]`, key)));
  }
  if (ak === 'object' && ek === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!(k in a) && !optional.includes(k)) problems.push(`${at}: missing key ${k}`);
    for (const k of Object.keys(a)) {
      if (!(k in e)) {
        if (!optional.includes(k)) problems.push(`${at}: unexpected key ${k}`);
        continue;
      }
      problems.push(...shapeProblems(a[k], e[k], optional, `${at}.${k}`, k));
    }
  }
  return problems;
}
