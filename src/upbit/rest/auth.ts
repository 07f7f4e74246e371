/**
 * Upbit's JWT authentication (docs/upbit-protocol.md#authentication) and the query strings it covers.
 *
 * `Authorization: Bearer <jwt>`, the JWT signed HS512 (or HS256) with the secret key's raw
 * UTF-8 bytes, with claims `access_key`, a fresh UUID `nonce`, and — iff the request has
 * parameters — `query_hash` (SHA-512 hex) and `query_hash_alg: "SHA512"`.
 *
 * The hash covers the parameters as an UNENCODED `k=v&k=v` string in the order sent,
 * arrays as repeated `k[]=v`, for a query string and a JSON body alike (the body's fields
 * in its key order). The URL itself carries the same entries percent-encoded (values and
 * key names; the `[]` of array keys stays literal), so decoding the URL's query gives back
 * exactly the hashed string — Upbit's own advice for ISO times with `+` and `:`.
 *
 * Written on node:crypto: an HMAC-SHA JWT is a base64url header and payload and one HMAC,
 * a few lines that need no JWT library (and no library that could log the key).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

import type { ApiKeys } from '../credentials.js';

export type JwtAlgorithm = 'HS256' | 'HS512';

/** A parameter value: a string, or a list sent as repeated `k[]=v`. */
export type ParamValue = string | readonly string[];

/** Parameters in the order they are sent: pairs, or an object (its key order). */
export type Params = ReadonlyArray<readonly [string, ParamValue]> | Readonly<Record<string, ParamValue | undefined>>;

/** One `k=v` of the wire, the key already carrying `[]` for an array member. */
export type ParamEntry = readonly [key: string, value: string];

const HMAC: Readonly<Record<JwtAlgorithm, string>> = { HS256: 'sha256', HS512: 'sha512' };

/**
 * Flatten parameters to wire entries in order: arrays become repeated `k[]` entries (a key
 * that already ends in `[]` keeps it), `undefined` values of an object are skipped.
 */
export function paramEntries(params: Params | undefined): ParamEntry[] {
  if (params === undefined) return [];
  const pairs: Array<readonly [string, ParamValue | undefined]> = isPairList(params) ? [...params] : Object.entries(params);
  const entries: ParamEntry[] = [];
  for (const [key, value] of pairs) {
    if (value === undefined) continue;
    if (typeof value === 'string') {
      entries.push([key, value]);
    } else {
      const arrayKey = key.endsWith('[]') ? key : `${key}[]`;
      for (const item of value) entries.push([arrayKey, item]);
    }
  }
  return entries;
}

function isPairList(params: Params): params is ReadonlyArray<readonly [string, ParamValue]> {
  return Array.isArray(params);
}

/** The string Upbit hashes: `k=v&k[]=v…`, nothing encoded. */
export function canonicalQuery(entries: readonly ParamEntry[]): string {
  return entries.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * The query string for the URL: keys and values percent-encoded with `encodeURIComponent`
 * (so `+`, `:`, `&`, `=`, spaces and non-ASCII survive), array brackets literal.
 */
export function encodeQuery(entries: readonly ParamEntry[]): string {
  return entries.map(([k, v]) => `${encodeKey(k)}=${encodeURIComponent(v)}`).join('&');
}

function encodeKey(key: string): string {
  return key.endsWith('[]') ? `${encodeURIComponent(key.slice(0, -2))}[]` : encodeURIComponent(key);
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

/** The JWT claims for a request (exported for tests and the private WebSocket handshake). */
export function jwtPayload(accessKey: string, entries: readonly ParamEntry[], nonce: string = randomUUID()): Record<string, string> {
  const payload: Record<string, string> = { access_key: accessKey, nonce };
  if (entries.length > 0) {
    payload['query_hash'] = sha512Hex(canonicalQuery(entries));
    payload['query_hash_alg'] = 'SHA512';
  }
  return payload;
}

/** Sign a JWT (compact JWS) over `payload` with the secret's raw UTF-8 bytes. */
export function signJwt(payload: Readonly<Record<string, string>>, keys: ApiKeys, alg: JwtAlgorithm = 'HS512'): string {
  const header = base64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac(HMAC[alg], Buffer.from(keys.secretKey.reveal(), 'utf8')).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/**
 * `Bearer <jwt>` for one request with these parameters (query or JSON body, in the order
 * sent). Each call has a fresh nonce: never reuse the header for a retry.
 */
export function authorizationHeader(keys: ApiKeys, params?: Params, alg: JwtAlgorithm = 'HS512'): string {
  return `Bearer ${signJwt(jwtPayload(keys.accessKey, paramEntries(params)), keys, alg)}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
