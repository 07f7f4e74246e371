/**
 * The exchange's view of Upbit's per-market rules: the figures of Upbit's table
 * (src/upbit/trading-rules.ts, the one the client's pre-trade check reads too) as the engine's
 * decimals, and the `orders/chance` answer built from them.
 */
import type { Decimal } from 'decimal.js';

import { splitMarketCode } from '../upbit/market-code.js';
import { BOOK_DEPTH, UPBIT_RULES, quoteRulesOf } from '../upbit/trading-rules.js';
import { dec } from './decimal.js';
import type { Balance, Chance } from './types.js';

/** Market orders may not be larger than levels 1–30 can fill. */
export { BOOK_DEPTH };

/** The KRW market's fee, maker and taker alike: the engine's default (`orders/chance` observed 2026-03). */
export const DEFAULT_FEE_RATE = UPBIT_RULES.KRW.fee;

export interface MarketRules {
  market: string;
  /** `KRW` in `KRW-BTC`: what bids pay with and fees are charged in. */
  quote: string;
  /** `BTC` in `KRW-BTC`: what asks sell. */
  base: string;
  minTotal: Decimal;
  /** Null where Upbit publishes no maximum (USDT markets). */
  maxTotal: Decimal | null;
  /** The quote currency's fee rate in Upbit's table. */
  feeRate: Decimal;
}

/** The rules of a market code, or undefined when the code is malformed or its quote currency is not one of Upbit's. */
export function marketRules(market: string): MarketRules | undefined {
  const parts = splitMarketCode(market);
  const table = quoteRulesOf(market);
  if (parts === null || table === undefined) return undefined;
  const { quote, base } = parts;
  return { market, quote, base, minTotal: dec(table.minTotal), maxTotal: table.maxTotal === null ? null : dec(table.maxTotal), feeRate: dec(table.fee) };
}

/**
 * The `orders/chance` answer for a market (observed 2026-03): one fee rate for bids, asks,
 * makers and takers, the order types Upbit lists for KRW markets, and both balances.
 * `max_total` only where the table has a maximum (UNCERTAIN what Upbit sends for USDT markets).
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
