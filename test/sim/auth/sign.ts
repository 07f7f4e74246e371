/**
 * Test-side Upbit JWT signing (docs/upbit-protocol.md#authentication), written independently of the
 * simulator's verifier so the two check each other.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export type ParamList = ReadonlyArray<readonly [string, string]>;

export interface SignOptions {
  /** @default 'HS512' (the official example); 'HS256' is what ccxt and pyupbit send. */
  alg?: string;
  /** @default a fresh UUID */
  nonce?: string | number;
  /** The exact string to hash into `query_hash`; omit for a request without parameters. */
  hashed?: string;
  /** Use this `query_hash` verbatim instead of hashing `hashed`. */
  queryHash?: string;
  /** `null` leaves the claim out. @default 'SHA512' when there is a hash */
  queryHashAlg?: string | null;
  /** Sign with this key instead of the real secret (for wrong-secret cases). */
  signingKey?: string;
  /** Extra or replaced header fields. */
  header?: Record<string, unknown>;
  /** Extra or replaced payload claims (`undefined` deletes one). */
  payload?: Record<string, unknown>;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

export function signUpbitJwt(accessKey: string, secretKey: string, opts: SignOptions = {}): string {
  const alg = opts.alg ?? 'HS512';
  const header = { alg, typ: 'JWT', ...opts.header };
  const payload: Record<string, unknown> = { access_key: accessKey, nonce: opts.nonce ?? randomUUID() };
  const queryHash = opts.queryHash ?? (opts.hashed === undefined ? undefined : sha512Hex(opts.hashed));
  if (queryHash !== undefined) {
    payload['query_hash'] = queryHash;
    if (opts.queryHashAlg !== null) payload['query_hash_alg'] = opts.queryHashAlg ?? 'SHA512';
  }
  for (const [k, v] of Object.entries(opts.payload ?? {})) {
    if (v === undefined) delete payload[k];
    else payload[k] = v;
  }
  const signed = `${b64url(header)}.${b64url(payload)}`;
  const digest = alg === 'HS256' ? 'sha256' : alg === 'HS384' ? 'sha384' : 'sha512';
  const signature = alg === 'none' ? '' : createHmac(digest, opts.signingKey ?? secretKey).update(signed).digest('base64url');
  return `${signed}.${signature}`;
}

/** The unencoded `k=v&k[]=v` string Upbit hashes. */
export function unencoded(params: ParamList): string {
  return params.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The URL query string a careful client sends: values percent-encoded, brackets literal. */
export function encoded(params: ParamList): string {
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}
