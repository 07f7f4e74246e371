import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Secret, type ApiKeys } from '../../../src/upbit/credentials.js';

/** One request as the scripted server saw it. */
export interface Recorded {
  method: string;
  /** Path without the query. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance-free wall clock (Date.now) when the request had fully arrived. */
  at: number;
}

export type Responder = (req: Recorded, res: ServerResponse, n: number) => unknown;

export interface ScriptServer {
  url: string;
  requests: Recorded[];
  respond: Responder;
  close(): Promise<void>;
}

/**
 * A local HTTP server on port 0 that records every request and answers with `respond`
 * (which may be swapped at any time). `n` counts requests from 1.
 */
export async function startScriptServer(respond: Responder): Promise<ScriptServer> {
  const requests: Recorded[] = [];
  const state: ScriptServer = {
    url: '',
    requests,
    respond,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const recorded: Recorded = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      void Promise.resolve(state.respond(recorded, res, requests.length)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const ACCESS = 'test-access-key-0123456789';
export const SECRET_TEXT = 'S3cr3t-value-that-must-never-leak-9f8e7d';
export const KEYS: ApiKeys = { accessKey: ACCESS, secretKey: new Secret(SECRET_TEXT), source: 'test' };

export interface VerifiedJwt {
  alg: string;
  payload: Record<string, unknown>;
}

/**
 * Verify an Upbit JWT independently of src/: the HMAC over `header.payload` with the
 * secret's raw bytes, and `query_hash` = SHA-512 hex of `expectedQuery` (or its absence
 * when that is empty). Throws with a reason when anything is off.
 */
export function verifyJwt(authorization: string | undefined, secret: string, expectedQuery: string): VerifiedJwt {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match?.[1]) throw new Error(`no Bearer token in ${String(authorization)}`);
  const [h, p, s] = match[1].split('.');
  if (h === undefined || p === undefined || s === undefined) throw new Error('not a JWS');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg: string; typ: string };
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const algo = header.alg === 'HS512' ? 'sha512' : header.alg === 'HS256' ? 'sha256' : undefined;
  if (algo === undefined) throw new Error(`alg ${header.alg}`);
  const expected = createHmac(algo, Buffer.from(secret, 'utf8')).update(`${h}.${p}`).digest();
  const got = Buffer.from(s, 'base64url');
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw new Error('bad signature');
  if (expectedQuery === '') {
    if ('query_hash' in payload) throw new Error('query_hash present without parameters');
  } else {
    const hash = createHash('sha512').update(expectedQuery, 'utf8').digest('hex');
    if (payload['query_hash'] !== hash) throw new Error(`query_hash does not cover "${expectedQuery}"`);
    if (payload['query_hash_alg'] !== 'SHA512') throw new Error('query_hash_alg');
  }
  return { alg: header.alg, payload };
}

/** The decoded `k=v&…` of a raw query string, the way Upbit's verifier reads it. */
export function decodedQuery(raw: string): string {
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return `${decodeURIComponent(part.slice(0, eq))}=${decodeURIComponent(part.slice(eq + 1))}`;
    })
    .join('&');
}

/** `k=v&…` of a JSON body in key order, arrays as `k[]=v`. */
export function bodyQuery(body: string): string {
  const obj = JSON.parse(body) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) for (const item of v) parts.push(`${k}[]=${String(item)}`);
    else parts.push(`${k}=${String(v)}`);
  }
  return parts.join('&');
}

export function remaining(group: string, sec: number): Record<string, string> {
  return { 'remaining-req': `group=${group}; min=1800; sec=${sec}` };
}

/** A recorded Upbit answer from test/fixtures/rest (e.g. `v1/orders/POST-201.json`), as text. */
export function fixtureText(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/rest/${path}`, import.meta.url)), 'utf8');
}

export function fixture(path: string): unknown {
  return JSON.parse(fixtureText(path)) as unknown;
}
