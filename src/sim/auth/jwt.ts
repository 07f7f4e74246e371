import { createHmac, timingSafeEqual } from 'node:crypto';

import type { ParamEntry } from './query-hash.js';
import { queryHashMatches, sha512Hex } from './query-hash.js';
import { NonceStore } from './nonces.js';

/**
 * Upbit's JWT authentication (docs/upbit-protocol.md#authentication): `Authorization: Bearer <jwt>`,
 * HS256 or HS512 signed with the secret key's raw bytes, claims `access_key`, a single-use
 * `nonce` and, iff the request has parameters, `query_hash` (+ `query_hash_alg` SHA512).
 * Written on node:crypto: verifying an HMAC JWT is a few lines and needs no library.
 */

/** Upbit's 401 error names (docs/upbit-protocol.md#rest-errors). */
export type AuthErrorName = 'no_authorization_token' | 'jwt_verification' | 'invalid_access_key' | 'nonce_used' | 'invalid_query_payload';

export type AuthOutcome = { ok: true; accessKey: string } | { ok: false; status: 401; name: AuthErrorName; message: string };

const ALGORITHMS = { HS256: 'sha256', HS512: 'sha512' } as const;
type Algorithm = keyof typeof ALGORITHMS;
const isAlgorithm = (v: unknown): v is Algorithm => v === 'HS256' || v === 'HS512';

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const EMPTY_HASH = sha512Hex('');

const fail = (name: AuthErrorName, message: string): AuthOutcome => ({ ok: false, status: 401, name, message });

interface DecodedJwt {
  alg: Algorithm;
  payload: Record<string, unknown>;
  signed: string;
  signature: Buffer;
}

/** Split and decode a compact JWS; a string saying what is wrong when it is not one we verify. */
export function decodeJwt(token: string): DecodedJwt | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'The token is not a JWT (header.payload.signature).';
  const [h = '', p = '', s = ''] = parts;
  if (![h, p, s].every((part) => BASE64URL.test(part))) return 'The token is not base64url-encoded.';
  const header = parseJsonObject(h);
  const payload = parseJsonObject(p);
  if (header === undefined || payload === undefined) return 'The token header or payload is not a JSON object.';
  const alg = header['alg'];
  if (!isAlgorithm(alg)) return `Unsupported JWT alg ${JSON.stringify(alg)}; sign with HS256 or HS512.`;
  return { alg, payload, signed: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** HMAC check with the secret key string as raw UTF-8 bytes (not base64-decoded), in constant time. */
export function signatureValid(jwt: DecodedJwt, secretKey: string): boolean {
  const expected = createHmac(ALGORITHMS[jwt.alg], Buffer.from(secretKey, 'utf8')).update(jwt.signed).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

/** The parameters of a request, as the query hash covers them. */
export interface SignedParams {
  /** Decoded entries in received order (query string first, then body). */
  entries: readonly ParamEntry[];
  /** The raw query string / form body texts, for clients that hash those. */
  rawTexts: readonly string[];
}

export interface JwtVerifierOptions {
  /** The secret of an access key, or undefined for a key the exchange does not know. */
  secretOf: (accessKey: string) => string | undefined;
  /** Where used nonces are remembered; one store per server. */
  nonces?: NonceStore;
}

/** Verifies Upbit JWTs for the REST API and the private WebSocket handshake. */
export class JwtVerifier {
  private readonly secretOf: (accessKey: string) => string | undefined;
  readonly nonces: NonceStore;

  constructor(options: JwtVerifierOptions) {
    this.secretOf = options.secretOf;
    this.nonces = options.nonces ?? new NonceStore();
  }

  /**
   * Check an `Authorization` header value against the request's parameters (none for the
   * WebSocket handshake). A nonce is spent once the signature is valid, whatever follows.
   */
  verify(authorization: string | undefined, params: SignedParams = { entries: [], rawTexts: [] }): AuthOutcome {
    // UNCERTAIN: the name Upbit gives a request without the header; `no_authorization_token`
    // is in its 401 list and is the only name that fits.
    if (authorization === undefined || authorization.trim() === '') {
      return fail('no_authorization_token', 'The Authorization header is missing; send "Authorization: Bearer <JWT>".');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (match?.[1] === undefined) return fail('jwt_verification', 'The Authorization header must be "Bearer <JWT>".');
    const jwt = decodeJwt(match[1]);
    if (typeof jwt === 'string') return fail('jwt_verification', `Failed to verify the JWT: ${jwt}`);

    const accessKey = jwt.payload['access_key'];
    const secretKey = typeof accessKey === 'string' && accessKey !== '' ? this.secretOf(accessKey) : undefined;
    if (typeof accessKey !== 'string' || secretKey === undefined) {
      return fail('invalid_access_key', 'Invalid access key: this exchange has no account with that access_key.');
    }
    if (!signatureValid(jwt, secretKey)) {
      return fail('jwt_verification', 'Failed to verify the JWT signature; sign it with the secret key that belongs to this access key.');
    }

    const nonce = jwt.payload['nonce'];
    if (!((typeof nonce === 'string' && nonce !== '') || typeof nonce === 'number')) {
      return fail('jwt_verification', 'The JWT payload needs a nonce: a fresh UUID string per request.');
    }
    if (!this.nonces.use(accessKey, String(nonce))) {
      return fail('nonce_used', 'This nonce was already used; every request needs a fresh nonce (a new UUID).');
    }

    const queryHash = jwt.payload['query_hash'];
    const hashAlg = jwt.payload['query_hash_alg'];
    const hasParams = params.entries.length > 0;
    if (queryHash === undefined) {
      if (!hasParams) return { ok: true, accessKey };
      return fail('invalid_query_payload', 'Failed to verify the query of Jwt: the request has parameters but the JWT has no query_hash.');
    }
    // The docs give SHA512 as query_hash_alg's default, so its absence is fine.
    if (hashAlg !== undefined && (typeof hashAlg !== 'string' || hashAlg.toUpperCase() !== 'SHA512')) {
      return fail('invalid_query_payload', 'Failed to verify the query of Jwt: query_hash_alg must be "SHA512".');
    }
    const matches =
      typeof queryHash === 'string' && (hasParams ? queryHashMatches(queryHash, params.entries, params.rawTexts) : queryHash.toLowerCase() === EMPTY_HASH);
    if (!matches) {
      return fail(
        'invalid_query_payload',
        'Failed to verify the query of Jwt: query_hash must be the SHA-512 hex of the parameters as an unencoded "k=v&k=v" string in the order sent, arrays as "k[]=v".',
      );
    }
    return { ok: true, accessKey };
  }
}
