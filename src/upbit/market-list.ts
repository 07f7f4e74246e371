import { request } from 'undici';
import type { MarketCode } from './types.js';

export interface MarketInfo {
  market: MarketCode;
  koreanName: string;
  englishName: string;
}

/** Narrow one element of `GET /v1/market/all` (docs/upbit-protocol.md#quotation-endpoints). */
export function parseMarketInfo(value: unknown): MarketInfo | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const market = v['market'];
  if (typeof market !== 'string') return null;
  const koreanName = v['korean_name'];
  const englishName = v['english_name'];
  return {
    market,
    koreanName: typeof koreanName === 'string' ? koreanName : market,
    englishName: typeof englishName === 'string' ? englishName : market,
  };
}

/**
 * Fetch the exchange's market list once, with short explicit timeouts (never undici's 300 s
 * defaults). Throws with a plain-words message if the exchange cannot be reached.
 */
export async function fetchMarketList(apiUrl: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<MarketInfo[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const url = new URL('/v1/market/all', apiUrl);
  const res = await request(url, {
    method: 'GET',
    headers: { accept: 'application/json' },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: opts.signal === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]),
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`${url.host} answered ${res.statusCode} to the market list request`);
  }
  const body: unknown = await res.body.json();
  if (!Array.isArray(body)) throw new Error(`${url.host} sent a market list that is not an array`);
  return body.map(parseMarketInfo).filter((m): m is MarketInfo => m !== null);
}
