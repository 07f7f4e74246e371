import type { MarketCode } from './types.js';

const MARKET_CODE = /^(KRW|BTC|USDT)-[A-Z0-9]{1,15}$/;

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
    const code = part.toUpperCase();
    if (!MARKET_CODE.test(code)) {
      throw new MarketCodeError(
        `"${part}" is not an Upbit market code. Codes look like KRW-BTC (quote-base, e.g. KRW-ETH, BTC-XRP, USDT-SOL).`,
      );
    }
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
