/**
 * Upbit's rate-limit groups as the `Remaining-Req` header names them, and their documented
 * per-group limits (docs/upbit-protocol.md#rate-limit-groups). Quotation groups count per IP, exchange groups
 * per account. The simulator enforces these; the REST client budgets with them before the
 * server has said anything.
 */
export type RateGroup = 'market' | 'candles' | 'crix-trades' | 'ticker' | 'orderbook' | 'default' | 'order' | 'order-test' | 'order-cancel-all';

/** `limit` requests per window of `windowMs`. */
export interface RateRule {
  limit: number;
  windowMs: number;
}

/**
 * `order` is 12/s: Upbit raised it from 8/s on 2026-08-21 (changelog `order-rate-limit-update`).
 * UNCERTAIN: whether `order-test` was raised with it; it stays at 8/s.
 */
export const UPBIT_RATE_RULES: Readonly<Record<RateGroup, RateRule>> = {
  market: { limit: 10, windowMs: 1_000 },
  candles: { limit: 10, windowMs: 1_000 },
  'crix-trades': { limit: 10, windowMs: 1_000 },
  ticker: { limit: 10, windowMs: 1_000 },
  orderbook: { limit: 10, windowMs: 1_000 },
  default: { limit: 30, windowMs: 1_000 },
  order: { limit: 12, windowMs: 1_000 },
  'order-test': { limit: 8, windowMs: 1_000 },
  'order-cancel-all': { limit: 1, windowMs: 2_000 },
};
