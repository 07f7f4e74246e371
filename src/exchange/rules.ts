/**
 * Upbit's per-market trading rules the engine enforces (shared/upbit-api.md §5): order-total
 * limits by quote currency, the 30-level book a market order may walk, and the fee rate.
 */
import type { Decimal } from 'decimal.js';

import { splitMarketCode } from '../upbit/market-code.js';
import { dec } from './decimal.js';
import type { Balance, Chance } from './types.js';

/** KRW market, maker and taker alike (§5.3; `orders/chance` observed 2026-03). */
export const DEFAULT_FEE_RATE = '0.0005';

/** Market orders may not be larger than levels 1–30 can fill (changelog `orderbook_expansion`, 2025-05-07). */
export const BOOK_DEPTH = 30;

/**
 * Order-total limits by quote currency (§5.2, `orders/chance` `min_total`/`max_total`).
 * Only KRW is listed: the simulator trades KRW pairs, and the fee option is the KRW rate.
 * BTC and USDT markets would need their own fee rate and an unconfirmed USDT maximum.
 */
const QUOTE_LIMITS: Readonly<Record<string, { minTotal: string; maxTotal: string }>> = {
  KRW: { minTotal: '5000', maxTotal: '1000000000' },
};

export interface MarketRules {
  market: string;
  /** `KRW` in `KRW-BTC`: what bids pay with and fees are charged in. */
  quote: string;
  /** `BTC` in `KRW-BTC`: what asks sell. */
  base: string;
  minTotal: Decimal;
  maxTotal: Decimal;
}

/** The rules of a market code, or undefined when the code is malformed or its quote currency is not traded. */
export function marketRules(market: string): MarketRules | undefined {
  const parts = splitMarketCode(market);
  if (parts === null) return undefined;
  const { quote, base } = parts;
  const limits = QUOTE_LIMITS[quote];
  if (limits === undefined) return undefined;
  return { market, quote, base, minTotal: dec(limits.minTotal), maxTotal: dec(limits.maxTotal) };
}

/**
 * The `orders/chance` answer for a market (observed 2026-03): one fee rate for bids, asks,
 * makers and takers, the order types Upbit lists for KRW markets, and both balances.
 */
export function buildChance(rules: MarketRules, feeRate: Decimal, bidAccount: Balance, askAccount: Balance): Chance {
  return {
    bidFee: feeRate,
    askFee: feeRate,
    makerBidFee: feeRate,
    makerAskFee: feeRate,
    market: {
      id: rules.market,
      name: `${rules.base}/${rules.quote}`,
      orderTypes: ['limit'],
      orderSides: ['ask', 'bid'],
      bidTypes: ['best_fok', 'best_ioc', 'limit', 'limit_fok', 'limit_ioc', 'price'],
      askTypes: ['best_fok', 'best_ioc', 'limit', 'limit_fok', 'limit_ioc', 'market'],
      bid: { currency: rules.quote, minTotal: rules.minTotal },
      ask: { currency: rules.base, minTotal: rules.minTotal },
      maxTotal: rules.maxTotal,
      state: 'active',
    },
    bidAccount,
    askAccount,
  };
}
