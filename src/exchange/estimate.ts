/**
 * What a market or best-price order would get from the book as it stands: the same walk the
 * matching engine fills with ({@link takeVolume}, {@link takeFunds} over the first 30 levels,
 * https://docs.upbit.com/kr/changelog/orderbook_expansion), summed into an average price,
 * the fee and the slippage against the best level. An estimate, not a promise: the book moves
 * between the estimate and the order's arrival, and other orders trade first.
 */
import type { Decimal } from 'decimal.js';

import { ZERO, dec } from './decimal.js';
import { opposite, takeFunds, takeVolume, wouldCross, type Take } from './matching.js';
import type { BookLevel, Side } from './types.js';

/** Both sides of a book, best first: asks ascending, bids descending. */
export interface BookSides {
  asks: readonly BookLevel[];
  bids: readonly BookLevel[];
}

/** One row of a quotation book (`orderbook_units`), as the stream's floats or as decimals. */
export interface BookUnit {
  askPrice: Decimal.Value;
  askSize: Decimal.Value;
  bidPrice: Decimal.Value;
  bidSize: Decimal.Value;
}

/**
 * The book's rows as the engine's levels: each float read through its shortest decimal form,
 * empty levels dropped, sorted best first (Upbit lists them so; the walk must not depend on it).
 */
export function bookSides(units: readonly BookUnit[]): BookSides {
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  for (const u of units) {
    const askSize = dec(u.askSize);
    const bidSize = dec(u.bidSize);
    if (askSize.isPositive() && !askSize.isZero()) asks.push({ price: dec(u.askPrice), size: askSize });
    if (bidSize.isPositive() && !bidSize.isZero()) bids.push({ price: dec(u.bidPrice), size: bidSize });
  }
  asks.sort((a, b) => a.price.comparedTo(b.price));
  bids.sort((a, b) => b.price.comparedTo(a.price));
  return { asks, bids };
}

/** How much to trade: a base `volume` (limit, market or best-price sells), or a quote `total` to spend (market and best-price buys, fee on top). */
export type FillAmount = { volume: Decimal } | { total: Decimal };

export interface FillEstimate {
  /** The levels taken, best first. */
  takes: readonly Take[];
  /** Base volume filled. */
  volume: Decimal;
  /** Quote value of the fills, before the fee. */
  funds: Decimal;
  /** The fee on `funds`: paid on top for a buy, taken from the proceeds of a sell. */
  fee: Decimal;
  /** `funds / volume`; null when nothing would fill. */
  averagePrice: Decimal | null;
  /** The best level's price (what "no slippage" means); null when that side is empty. */
  bestPrice: Decimal | null;
  /** The last level taken; null when nothing would fill. */
  worstPrice: Decimal | null;
  /** How much worse the average is than the best price, as a fraction of it (0.001 = 0.1 %); 0 when nothing fills. */
  slippageRate: Decimal;
  /** What the slippage costs in the quote currency: |average − best| × volume. */
  slippageFunds: Decimal;
  /**
   * What the book cannot fill, in the amount's own unit (volume, or total): 0 when the order
   * fills whole. A buy by total that stops because the rest cannot buy one more 0.00000001 is
   * whole (the dust is refunded, as Upbit does).
   */
  unfilled: Decimal;
}

export interface EstimateOptions {
  /**
   * The worst price to trade at: a best-price order is a limit at the opposite best price
   * (https://docs.upbit.com/kr/reference/new-order), as the engine fills it. @default null (any price)
   */
  limit?: Decimal | null;
}

/**
 * Walk `book` for an order on `side` (a buy takes asks, a sell bids) of `amount`, at fee rate
 * `feeRate`, exactly as the matching engine would fill it now. Throws a RangeError for a sell
 * by total, which Upbit has no order type for.
 */
export function estimateFill(book: BookSides, side: Side, amount: FillAmount, feeRate: Decimal.Value, options: EstimateOptions = {}): FillEstimate {
  const levels = opposite(book, side);
  const limit = options.limit ?? null;
  let takes: Take[];
  let unfilled: Decimal;
  if ('total' in amount) {
    if (side === 'ask') throw new RangeError('A sell is sized by volume, not by a total to spend.');
    const total = dec(amount.total);
    const walk = takeFunds(levels, total, limit);
    takes = walk.takes;
    unfilled = walk.stoppedBy === 'book' ? total.minus(fundsOf(takes)) : ZERO;
  } else {
    const volume = dec(amount.volume);
    takes = takeVolume(levels, side, volume, limit);
    unfilled = volume.minus(volumeOf(takes));
  }
  const volume = volumeOf(takes);
  const funds = fundsOf(takes);
  const best = levels[0] === undefined ? null : dec(levels[0].price);
  const averagePrice = volume.isZero() ? null : funds.div(volume);
  let slippageRate = ZERO;
  let slippageFunds = ZERO;
  if (averagePrice !== null && best !== null && !best.isZero()) {
    const worse = side === 'bid' ? averagePrice.minus(best) : best.minus(averagePrice);
    slippageRate = worse.div(best);
    slippageFunds = worse.mul(volume);
  }
  return {
    takes,
    volume,
    funds,
    fee: funds.mul(dec(feeRate)),
    averagePrice,
    bestPrice: best,
    worstPrice: takes.at(-1)?.price ?? null,
    slippageRate,
    slippageFunds,
    unfilled: unfilled.isNegative() ? ZERO : unfilled,
  };
}

function volumeOf(takes: readonly Take[]): Decimal {
  return takes.reduce((sum, t) => sum.plus(t.volume), ZERO);
}

function fundsOf(takes: readonly Take[]): Decimal {
  return takes.reduce((sum, t) => sum.plus(t.price.mul(t.volume)), ZERO);
}

/** Whether a limit order at `price` would take liquidity now: a post-only one would be cancelled (https://docs.upbit.com/kr/reference/new-order). */
export function crossesBook(book: BookSides, side: Side, price: Decimal): boolean {
  return wouldCross(opposite(book, side), side, dec(price));
}
