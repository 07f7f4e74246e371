import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { JwtVerifier } from '../../../src/sim/auth/jwt.js';
import { parseQueryEntries } from '../../../src/sim/auth/query-hash.js';
import { authorizationHeader, canonicalQuery, encodeQuery, paramEntries, type ParamEntry } from '../../../src/upbit/rest/auth.js';
import { ACCESS, bodyQuery, decodedQuery, KEYS, SECRET_TEXT, verifyJwt } from './helpers.js';

const keyArb = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
// Whole code points only: a lone surrogate cannot be sent as UTF-8 at all.
const valueArb = fc.string({ unit: 'binary', maxLength: 24 });
const entriesArb = fc.array(
  fc.tuple(keyArb, fc.boolean(), valueArb).map(([k, isArray, v]): ParamEntry => [isArray ? `${k}[]` : k, v]),
  { maxLength: 8 },
);

describe('query strings', () => {
  it('the hashed string is exactly the decoded query string of the URL we build', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const url = encodeQuery(entries);
        expect(decodeURIComponent(url)).toBe(canonicalQuery(entries));
        expect(decodedQuery(url)).toBe(canonicalQuery(entries));
        // The simulator's parser (which, like Upbit, reads "+" as a space) recovers the same entries.
        expect(parseQueryEntries(url)).toEqual(entries.map(([k, v]) => [k, v]));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps array brackets literal and percent-encodes values', () => {
    const entries = paramEntries([
      ['market', 'KRW-BTC'],
      ['states', ['done', 'cancel']],
      ['start_time', '2026-11-20T09:00:00+09:00'],
      ['note', 'a b&c=d'],
    ]);
    expect(canonicalQuery(entries)).toBe('market=KRW-BTC&states[]=done&states[]=cancel&start_time=2026-11-20T09:00:00+09:00&note=a b&c=d');
    expect(encodeQuery(entries)).toBe('market=KRW-BTC&states[]=done&states[]=cancel&start_time=2026-11-20T09%3A00%3A00%2B09%3A00&note=a%20b%26c%3Dd');
  });

  it('flattens objects in key order, skips undefined, keeps an explicit [] key', () => {
    expect(paramEntries({ b: '1', a: undefined, 'uuids[]': ['x', 'y'], c: ['z'] })).toEqual([
      ['b', '1'],
      ['uuids[]', 'x'],
      ['uuids[]', 'y'],
      ['c[]', 'z'],
    ]);
  });
});

describe('authorizationHeader', () => {
  it('signs HS512 by default with a fresh nonce and no hash without parameters', () => {
    const a = verifyJwt(authorizationHeader(KEYS), SECRET_TEXT, '');
    const b = verifyJwt(authorizationHeader(KEYS), SECRET_TEXT, '');
    expect(a.alg).toBe('HS512');
    expect(a.payload['access_key']).toBe(ACCESS);
    expect(a.payload['nonce']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.payload['nonce']).not.toBe(b.payload['nonce']);
    expect(Object.keys(a.payload).sort()).toEqual(['access_key', 'nonce']);
  });

  it('signs HS256 on request', () => {
    expect(verifyJwt(authorizationHeader(KEYS, { market: 'KRW-BTC' }, 'HS256'), SECRET_TEXT, 'market=KRW-BTC').alg).toBe('HS256');
  });

  it('hashes arrays as repeated k[]=v and unencoded values', () => {
    const params = { market: 'KRW-BTC', states: ['done', 'cancel'], start_time: '2026-11-20T09:00:00+09:00' };
    verifyJwt(authorizationHeader(KEYS, params), SECRET_TEXT, 'market=KRW-BTC&states[]=done&states[]=cancel&start_time=2026-11-20T09:00:00+09:00');
  });

  it('hashes a JSON body in its key order', () => {
    const body = { market: 'KRW-BTC', side: 'bid', volume: '0.001', price: '95000000', ord_type: 'limit', identifier: 'id-1' };
    const text = JSON.stringify(body);
    verifyJwt(authorizationHeader(KEYS, body), SECRET_TEXT, bodyQuery(text));
    verifyJwt(authorizationHeader(KEYS, body), SECRET_TEXT, 'market=KRW-BTC&side=bid&volume=0.001&price=95000000&ord_type=limit&identifier=id-1');
    expect(() => verifyJwt(authorizationHeader(KEYS, { side: 'bid', market: 'KRW-BTC' }), SECRET_TEXT, 'market=KRW-BTC&side=bid')).toThrow(/query_hash/);
  });

  it("is accepted by the simulator's verifier for any parameters", () => {
    const verifier = new JwtVerifier({ secretOf: (key) => (key === ACCESS ? SECRET_TEXT : undefined) });
    fc.assert(
      fc.property(entriesArb, fc.constantFrom('HS256' as const, 'HS512' as const), (entries, alg) => {
        const raw = encodeQuery(entries);
        const parsed = parseQueryEntries(raw) ?? [];
        const outcome = verifier.verify(authorizationHeader(KEYS, entries, alg), { entries: parsed, rawTexts: raw === '' ? [] : [raw] });
        expect(outcome).toEqual({ ok: true, accessKey: ACCESS });
      }),
      { numRuns: 200 },
    );
  });

  it('never contains the secret', () => {
    const header = authorizationHeader(KEYS, { market: 'KRW-BTC' });
    expect(header).not.toContain(SECRET_TEXT);
    for (const part of header.slice('Bearer '.length).split('.')) expect(Buffer.from(part, 'base64url').toString('latin1')).not.toContain(SECRET_TEXT);
  });
});
