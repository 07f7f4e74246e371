/**
 * What a client of the TUI load source (./source.ts) asked for: its last WebSocket request
 * (`[{ticket}, {type, codes, …}…, {format}]`, https://docs.upbit.com/kr/reference/websocket-guide),
 * narrowed from the text. A request replaces the one before it, as on Upbit; a type named twice
 * takes the union of its codes.
 */
import { isRecord } from '../../src/upbit/json-narrow.js';

/** The focused market's types the source streams besides the ticker. */
export const FOCUS_TYPES = ['orderbook', 'trade', 'candle.1m'] as const;
export type FocusType = (typeof FOCUS_TYPES)[number];

export type SourceRequest = Record<'ticker' | FocusType, Set<string>>;

/** `KRW-BTC.15`: an orderbook code with the request's level count. */
const UNIT_SUFFIX = /\.\d{1,3}$/;

/** The request in `text`, or null when it is not one (not JSON, not a list, no ticket). */
export function narrowRequest(text: string): SourceRequest | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || !v.some((e) => isRecord(e) && typeof e.ticket === 'string')) return null;
  const out: SourceRequest = { ticker: new Set(), orderbook: new Set(), trade: new Set(), 'candle.1m': new Set() };
  for (const e of v as unknown[]) {
    if (!isRecord(e) || typeof e.type !== 'string' || !Array.isArray(e.codes) || !(e.type in out)) continue;
    const set = out[e.type as keyof SourceRequest];
    for (const c of e.codes as unknown[]) if (typeof c === 'string') set.add(e.type === 'orderbook' ? c.replace(UNIT_SUFFIX, '') : c);
  }
  return out;
}
