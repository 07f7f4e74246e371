/**
 * A small signed REST client for the simulator's exchange endpoints, built on undici and the
 * test-side signer: it hashes what it sends the way Upbit's docs say (unencoded k=v, arrays
 * as k[]=v, JSON bodies in key order) and returns status, headers and parsed body.
 */
import { request } from 'undici';

import type { ParamList, SignOptions } from '../auth/sign.js';
import { encoded, signUpbitJwt, unencoded } from '../auth/sign.js';

export interface Account {
  accessKey: string;
  secretKey: string;
}

export interface CallOptions {
  /** Query parameters in order; array members as `['states[]', 'wait']`. */
  query?: ParamList;
  /** A JSON body (POST, or pyupbit-style GET/DELETE). */
  body?: Record<string, unknown>;
  /** Send this raw body text instead (with `contentType`). */
  rawBody?: string;
  contentType?: string;
  /** Signing tweaks; `hashed` defaults to the canonical string of query + body. */
  sign?: SignOptions;
  /** Replace the Authorization header (null: send none). */
  authorization?: string | null;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** The canonical string Upbit hashes for a JSON body: keys in order, arrays as k[]=v. */
export function bodyString(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) for (const item of v) parts.push(`${k}[]=${String(item)}`);
    else parts.push(`${k}=${String(v)}`);
  }
  return parts.join('&');
}

export async function call(baseUrl: string, account: Account | undefined, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const query = opts.query ?? [];
  const hashedParts = [unencoded(query), opts.body === undefined ? '' : bodyString(opts.body)].filter((s) => s !== '');
  const hashed = hashedParts.length > 0 ? hashedParts.join('&') : undefined;
  const headers: Record<string, string> = {};
  if (opts.authorization !== undefined) {
    if (opts.authorization !== null) headers['authorization'] = opts.authorization;
  } else if (account !== undefined) {
    headers['authorization'] = `Bearer ${signUpbitJwt(account.accessKey, account.secretKey, { hashed, ...opts.sign })}`;
  }
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json; charset=utf-8';
  }
  const qs = query.length > 0 ? `?${encoded(query)}` : '';
  const res = await request(`${baseUrl}${path}${qs}`, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** `Remaining-Req` parsed as pyupbit does: `group=([a-z\-]+); min=([0-9]+); sec=([0-9]+)`. */
export function remainingReq(reply: Reply): { group: string; min: number; sec: number } | undefined {
  const raw = reply.headers['remaining-req'];
  const m = typeof raw === 'string' ? /^group=([a-z-]+); min=([0-9]+); sec=([0-9]+)$/.exec(raw) : null;
  if (m === null) return undefined;
  return { group: m[1] ?? '', min: Number(m[2]), sec: Number(m[3]) };
}

export const errorName = (reply: Reply): unknown => {
  const j = reply.json as { error?: { name?: unknown } } | undefined;
  return j?.error?.name;
};
