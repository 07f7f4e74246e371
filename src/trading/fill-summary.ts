/**
 * What an order has filled so far, in the terms a trader asks about: how much, at what
 * average price, for how much quote currency, and the fee. Read from the order as the
 * exchange returns it (`GET /v1/order` with its `trades[]`, or a list item with
 * `executed_funds`; https://docs.upbit.com/kr/reference/rest-api-guide).
 */
import { Money, toMoney, ZERO, type Decimal } from './decimal.js';
import type { Order, OrderTrade } from '../upbit/rest/types.js';

/** Decimal places of an average price: exact enough for any tick, finite for a repeating quotient. */
export const AVG_PRICE_DECIMALS = 16;

export interface FillSummary {
  /** Base currency filled (`executed_volume`). */
  executedVolume: Decimal;
  /**
   * Quote currency the fills traded (Σ price × volume of the fills, fee not included): what a
   * buy spent before its fee, what a sell received before its fee. Null when the exchange
   * gave neither `trades` nor `executed_funds` (the answer to `POST /v1/orders` has neither).
   */
  funds: Decimal | null;
  /** `funds / executedVolume`, rounded to {@link AVG_PRICE_DECIMALS}; null before any fill or when `funds` is unknown. */
  avgPrice: Decimal | null;
  /** Fee paid so far (`paid_fee`), in the quote currency. */
  paidFee: Decimal;
}

/**
 * The fills of `order`. With its trades known, the average is Σ trade funds / Σ trade volume
 * (Upbit's `executed_funds` is the same sum, so both agree); otherwise `executed_funds` /
 * `executed_volume`.
 */
export function fillSummary(order: Order & { trades?: readonly OrderTrade[] }): FillSummary {
  const executedVolume = toMoney(order.executedVolume, 'executed volume');
  const paidFee = toMoney(order.paidFee, 'paid fee');
  let funds: Decimal | null = null;
  let volume = executedVolume;
  const trades = order.trades;
  if (trades !== undefined && trades.length > 0) {
    funds = trades.reduce((sum, t) => sum.plus(toMoney(t.funds, 'trade funds')), ZERO);
    volume = trades.reduce((sum, t) => sum.plus(toMoney(t.volume, 'trade volume')), ZERO);
  } else if (order.executedFunds !== null) {
    funds = toMoney(order.executedFunds, 'executed funds');
  } else if (executedVolume.isZero()) {
    funds = ZERO;
  }
  const avgPrice = funds === null || volume.isZero() ? null : funds.div(volume).toDecimalPlaces(AVG_PRICE_DECIMALS, Money.ROUND_HALF_EVEN);
  return { executedVolume, funds, avgPrice, paidFee };
}
