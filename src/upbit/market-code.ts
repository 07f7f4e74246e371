import type { MarketCode } from './types.js';

/**
 * Upbit's market-code syntax, the one definition: `QUOTE-BASE` in capitals, the quote one of
 * Upbit's three markets (KRW, BTC, USDT), the base the coin's symbol
 * (https://global-docs.upbit.com/reference/list-trading-pairs).
 */
const MARKET_CODE = /^(KRW|BTC|USDT)-([A-Z0-9]{1,15})$/;

/** Whether `code` is a market code exactly as Upbit writes it (no trimming, no case folding). */
export function isMarketCode(code: string): code is MarketCode {
  return MARKET_CODE.test(code);
}

/** `KRW-BTC` split into what bids pay with (`quote`) and what asks sell (`base`). */
export interface MarketParts {
  market: MarketCode;
  quote: string;
  base: string;
}

/** The quote and base of a market code, or null when it is not one (see {@link isMarketCode}). */
export function splitMarketCode(code: string): MarketParts | null {
  const m = MARKET_CODE.exec(code);
  if (m === null) return null;
  const [, quote = '', base = ''] = m;
  return { market: code, quote, base };
}

/** What is said for anything that is not a market code, wherever it was given. */
export function notAMarketCode(input: string): string {
  return `${JSON.stringify(input)} is not an Upbit market code. Codes look like KRW-BTC (quote-base, e.g. KRW-ETH, BTC-XRP, USDT-SOL).`;
}

/**
 * A market code as a user types it: trimmed and upper-cased (`krw-btc` is `KRW-BTC`).
 * Throws {@link MarketCodeError} with {@link notAMarketCode}'s message.
 */
export function parseMarketCode(input: string): MarketCode {
  const code = input.trim().toUpperCase();
  if (!isMarketCode(code)) throw new MarketCodeError(notAMarketCode(input.trim()));
  return code;
}

/** Upbit's default markets for the ticker table. */
export const DEFAULT_MARKETS: readonly MarketCode[] = ['KRW-BTC', 'KRW-ETH'];

export class MarketCodeError extends Error {
  override name = 'MarketCodeError';
}

/**
 * Parse a comma-separated `--markets` value into distinct, upper-case market codes, in the
 * order given. Throws {@link MarketCodeError} with a message that says what to type instead.
 */
export function parseMarketList(input: string): MarketCode[] {
  const parts = input
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) {
    throw new MarketCodeError('No markets given. Pass codes like --markets KRW-BTC,KRW-ETH.');
  }
  const out: MarketCode[] = [];
  for (const part of parts) {
    const code = parseMarketCode(part);
    if (!out.includes(code)) out.push(code);
  }
  return out;
}

/** The part after the dash: `KRW-BTC` → `BTC`. */
export function baseCurrency(market: MarketCode): string {
  return market.slice(market.indexOf('-') + 1);
}

/** The part before the dash: `KRW-BTC` → `KRW`. */
export function quoteCurrency(market: MarketCode): string {
  return market.slice(0, market.indexOf('-'));
}
