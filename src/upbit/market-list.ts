import { request } from 'undici';
import { isRecord } from './json-narrow.js';
import { isFlagged, parseMarketFlags, type MarketFlags } from './market-event.js';
import type { MarketCode } from './types.js';

/**
 * One market of the exchange's list. The flags (./market-event.ts) are optional so that a
 * list known without details (the simulator's catalog as the TUI builds it) still is one;
 * absent means no flag. {@link parseMarketInfo} always sets them.
 */
export interface MarketInfo extends Partial<MarketFlags> {
  market: MarketCode;
  koreanName: string;
  englishName: string;
}

/** A market as the exchange lists it with the details: the flags known. */
export type ListedMarket = MarketInfo & MarketFlags;

/** Narrow one element of `GET /v1/market/all?is_details=true` (docs/upbit-protocol.md#market-alerts). */
export function parseMarketInfo(value: unknown): ListedMarket | null {
  if (!isRecord(value)) return null;
  const market = value['market'];
  if (typeof market !== 'string') return null;
  const koreanName = value['korean_name'];
  const englishName = value['english_name'];
  const { warning, cautions } = parseMarketFlags(value);
  return {
    market,
    koreanName: typeof koreanName === 'string' ? koreanName : market,
    englishName: typeof englishName === 'string' ? englishName : market,
    warning,
    cautions,
  };
}

/**
 * The flagged markets of `list`, for the table's badges (ScreenInput.flags in
 * src/ui/screen-view.ts). Markets without a flag are left out, so the map is small.
 */
export function flagsByMarket(list: readonly MarketInfo[]): ReadonlyMap<MarketCode, MarketFlags> {
  const out = new Map<MarketCode, MarketFlags>();
  for (const m of list) {
    const flags = { warning: m.warning ?? false, cautions: m.cautions ?? [] };
    if (isFlagged(flags)) out.set(m.market, flags);
  }
  return out;
}

/**
 * Fetch the exchange's market list once, with short explicit timeouts (never undici's 300 s
 * defaults). Throws with a plain-words message if the exchange cannot be reached.
 */
export async function fetchMarketList(apiUrl: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ListedMarket[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const url = new URL('/v1/market/all', apiUrl);
  // With the details Upbit adds `market_event` (warning, caution reasons): the table's badges.
  url.searchParams.set('is_details', 'true');
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
  return body.map(parseMarketInfo).filter((m): m is ListedMarket => m !== null);
}
