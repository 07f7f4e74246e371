import { describe, expect, it } from 'vitest';

import type { SignedParams } from '../../../src/sim/auth/jwt.js';
import { JwtVerifier } from '../../../src/sim/auth/jwt.js';
import { NonceStore } from '../../../src/sim/auth/nonces.js';
import { canonicalQuery, jsonBodyEntries, parseQueryEntries } from '../../../src/sim/auth/query-hash.js';
import type { ParamList } from './sign.js';
import { encoded, sha512Hex, signUpbitJwt, unencoded } from './sign.js';

const ACCESS = 'test-access-key';
const SECRET = 'test-secret-key';
const secrets = new Map([[ACCESS, SECRET]]);

const verifier = (): JwtVerifier => new JwtVerifier({ secretOf: (k) => secrets.get(k) });
const bearer = (token: string): string => `Bearer ${token}`;

/** Parameters as the server parses them from an encoded query string. */
function fromQuery(raw: string): SignedParams {
  const entries = parseQueryEntries(raw);
  if (entries === undefined) throw new Error(`bad query ${raw}`);
  return { entries, rawTexts: [raw] };
}

const nameOf = (outcome: ReturnType<JwtVerifier['verify']>): string => (outcome.ok ? 'ok' : outcome.name);

describe('JWT verification', () => {
  it.each(['HS256', 'HS512'])('accepts %s tokens without parameters', (alg) => {
    expect(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { alg })))).toEqual({ ok: true, accessKey: ACCESS });
  });

  it('accepts a lower-case bearer scheme and a numeric nonce', () => {
    expect(nameOf(verifier().verify(`bearer ${signUpbitJwt(ACCESS, SECRET, { nonce: 1_700_000_000_000 })}`))).toBe('ok');
  });

  it('names a missing header no_authorization_token', () => {
    expect(nameOf(verifier().verify(undefined))).toBe('no_authorization_token');
    expect(nameOf(verifier().verify(''))).toBe('no_authorization_token');
  });

  it.each([
    ['alg none', () => signUpbitJwt(ACCESS, SECRET, { alg: 'none' })],
    ['alg HS384', () => signUpbitJwt(ACCESS, SECRET, { alg: 'HS384' })],
    ['alg RS256 header', () => signUpbitJwt(ACCESS, SECRET, { header: { alg: 'RS256' } })],
    ['a bad signature', () => `${signUpbitJwt(ACCESS, SECRET).slice(0, -4)}AAAA`],
    ['the wrong secret', () => signUpbitJwt(ACCESS, SECRET, { signingKey: 'not-the-secret' })],
    ['the secret base64-decoded as the key', () => signUpbitJwt(ACCESS, SECRET, { signingKey: Buffer.from(SECRET, 'base64').toString('latin1') })],
    ['two segments', () => signUpbitJwt(ACCESS, SECRET).split('.').slice(0, 2).join('.')],
    ['garbage', () => 'not.a.jwt!'],
    ['a payload that is not JSON', () => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('nope').toString('base64url')}.AAAA`],
    ['no nonce', () => signUpbitJwt(ACCESS, SECRET, { payload: { nonce: undefined } })],
  ])('rejects %s with jwt_verification', (_what, token) => {
    expect(nameOf(verifier().verify(bearer(token())))).toBe('jwt_verification');
  });

  it('rejects a non-Bearer scheme with jwt_verification', () => {
    expect(nameOf(verifier().verify(`Basic ${signUpbitJwt(ACCESS, SECRET)}`))).toBe('jwt_verification');
  });

  it('rejects an unknown or missing access key with invalid_access_key', () => {
    expect(nameOf(verifier().verify(bearer(signUpbitJwt('someone-else', SECRET))))).toBe('invalid_access_key');
    expect(nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { payload: { access_key: undefined } }))))).toBe('invalid_access_key');
  });

  it('rejects a reused nonce with nonce_used, per access key', () => {
    const v = verifier();
    secrets.set('other', 'other-secret');
    expect(nameOf(v.verify(bearer(signUpbitJwt(ACCESS, SECRET, { nonce: 'n-1' }))))).toBe('ok');
    expect(nameOf(v.verify(bearer(signUpbitJwt(ACCESS, SECRET, { nonce: 'n-1' }))))).toBe('nonce_used');
    expect(nameOf(v.verify(bearer(signUpbitJwt('other', 'other-secret', { nonce: 'n-1' }))))).toBe('ok');
    expect(nameOf(v.verify(bearer(signUpbitJwt(ACCESS, SECRET, { nonce: 'n-2' }))))).toBe('ok');
  });

  it('does not spend a nonce on a token with a bad signature', () => {
    const v = verifier();
    expect(nameOf(v.verify(bearer(signUpbitJwt(ACCESS, SECRET, { nonce: 'n', signingKey: 'wrong' }))))).toBe('jwt_verification');
    expect(nameOf(v.verify(bearer(signUpbitJwt(ACCESS, SECRET, { nonce: 'n' }))))).toBe('ok');
  });
});

describe('query_hash', () => {
  const check = (params: ParamList, hashed: string, opts: { raw?: string; queryHashAlg?: string | null } = {}): string =>
    nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { hashed, queryHashAlg: opts.queryHashAlg })), fromQuery(opts.raw ?? encoded(params))));

  it('accepts the unencoded k=v string in the order sent', () => {
    const params: ParamList = [
      ['market', 'KRW-BTC'],
      ['limit', '10'],
    ];
    expect(check(params, unencoded(params))).toBe('ok');
    expect(check(params, 'limit=10&market=KRW-BTC')).toBe('invalid_query_payload');
  });

  it('hashes array parameters as repeated unencoded k[]=v', () => {
    const params: ParamList = [
      ['states[]', 'wait'],
      ['states[]', 'done'],
    ];
    expect(check(params, 'states[]=wait&states[]=done')).toBe('ok');
    // Brackets percent-encoded in the URL, as URLSearchParams would send them.
    expect(check(params, 'states[]=wait&states[]=done', { raw: 'states%5B%5D=wait&states%5B%5D=done' })).toBe('ok');
    expect(check(params, 'states=wait&states=done')).toBe('invalid_query_payload');
  });

  it('hashes percent-encoded values unencoded, and also accepts the raw encoded string', () => {
    const params: ParamList = [
      ['market', 'KRW-BTC'],
      ['start_time', '2026-11-20T09:00:00+09:00'],
    ];
    const raw = encoded(params);
    expect(raw).toContain('%2B09%3A00');
    expect(check(params, 'market=KRW-BTC&start_time=2026-11-20T09:00:00+09:00', { raw })).toBe('ok');
    expect(check(params, raw, { raw })).toBe('ok');
  });

  it("accepts pyupbit's encoded values with literal brackets", () => {
    const raw = 'uuids%5B%5D=a%2Bb&uuids%5B%5D=c';
    expect(check([], 'uuids[]=a%2Bb&uuids[]=c', { raw })).toBe('ok');
  });

  it('hashes a JSON body in its key order, numbers as written', () => {
    const body = { market: 'KRW-BTC', side: 'bid', volume: '0.01', price: 100_000_000, ord_type: 'limit' };
    const params: SignedParams = { entries: jsonBodyEntries(body), rawTexts: [] };
    expect(canonicalQuery(params.entries)).toBe('market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit');
    const hashed = 'market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit';
    expect(nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { hashed })), params))).toBe('ok');
    const sorted = 'market=KRW-BTC&ord_type=limit&price=100000000&side=bid&volume=0.01';
    expect(nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { hashed: sorted })), params))).toBe('invalid_query_payload');
  });

  it('renders JSON arrays as k[]=v', () => {
    expect(canonicalQuery(jsonBodyEntries({ uuids: ['a', 'b'], 'identifiers[]': ['c'] }))).toBe('uuids[]=a&uuids[]=b&identifiers[]=c');
  });

  it('requires query_hash iff there are parameters', () => {
    const params: ParamList = [['market', 'KRW-BTC']];
    expect(nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET)), fromQuery(encoded(params))))).toBe('invalid_query_payload');
    // The hash of nothing, on a request without parameters, is harmless.
    expect(nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { hashed: '' }))))).toBe('ok');
    expect(nameOf(verifier().verify(bearer(signUpbitJwt(ACCESS, SECRET, { hashed: 'market=KRW-BTC' }))))).toBe('invalid_query_payload');
  });

  it('takes query_hash_alg SHA512 (any case) or absent, nothing else', () => {
    const params: ParamList = [['market', 'KRW-BTC']];
    expect(check(params, 'market=KRW-BTC', { queryHashAlg: null })).toBe('ok');
    expect(check(params, 'market=KRW-BTC', { queryHashAlg: 'sha512' })).toBe('ok');
    expect(check(params, 'market=KRW-BTC', { queryHashAlg: 'SHA256' })).toBe('invalid_query_payload');
  });

  it('compares the hex case-insensitively', () => {
    const token = signUpbitJwt(ACCESS, SECRET, { queryHash: sha512Hex('market=KRW-BTC').toUpperCase() });
    expect(nameOf(verifier().verify(bearer(token), fromQuery('market=KRW-BTC')))).toBe('ok');
  });
});

describe('NonceStore', () => {
  it('forgets nonces after the TTL and keeps at most maxPerKey', () => {
    let t = 0;
    const store = new NonceStore({ ttlMs: 1_000, maxPerKey: 3, clock: () => t });
    expect(store.use('k', 'a')).toBe(true);
    expect(store.use('k', 'a')).toBe(false);
    t = 1_001;
    expect(store.use('k', 'a')).toBe(true);
    for (const n of ['b', 'c', 'd']) expect(store.use('k', n)).toBe(true);
    expect(store.size('k')).toBe(3);
    // 'a' (oldest) was dropped to make room.
    expect(store.use('k', 'a')).toBe(true);
  });
});
