/**
 * How an incoming order takes liquidity from the book (pure; no balances, no orders).
 * Levels are walked best first, each take rounded down to 8 decimals, and never past the
 * first 30 levels (https://docs.upbit.com/kr/changelog/orderbook_expansion). Fills happen at the level's price (price improvement for the taker).
 */
import type { Decimal } from 'decimal.js';

import { ZERO, affordableVolume, dec, floorVolume, minDec } from './decimal.js';
import { BOOK_DEPTH } from './rules.js';
import type { BookLevel, Side } from './types.js';

export interface Take {
  price: Decimal;
  volume: Decimal;
}

/** Whether a taker on `side` may trade at `levelPrice` given its limit (null: any price). */
function acceptable(side: Side, levelPrice: Decimal, limit: Decimal | null): boolean {
  if (limit === null) return true;
  return side === 'bid' ? levelPrice.lte(limit) : levelPrice.gte(limit);
}

/** The opposite side of the book for a taker on `side`: asks for a bid, bids for an ask. */
export function opposite(book: { asks: readonly BookLevel[]; bids: readonly BookLevel[] }, side: Side): readonly BookLevel[] {
  return (side === 'bid' ? book.asks : book.bids).slice(0, BOOK_DEPTH);
}

/** Take up to `volume` from `levels`, stopping at the first level beyond `limit`. */
export function takeVolume(levels: readonly BookLevel[], side: Side, volume: Decimal, limit: Decimal | null): Take[] {
  const takes: Take[] = [];
  let left = volume;
  for (const level of levels) {
    if (!left.isPositive() || left.isZero()) break;
    const price = dec(level.price);
    if (!acceptable(side, price, limit)) break;
    const v = minDec(floorVolume(dec(level.size)), left);
    if (v.isZero() || v.isNegative()) continue;
    takes.push({ price, volume: v });
    left = left.minus(v);
  }
  return takes;
}

/** The volume available within `limit` (for FOK). */
export function availableVolume(levels: readonly BookLevel[], side: Side, limit: Decimal | null): Decimal {
  let total = ZERO;
  for (const level of levels) {
    const price = dec(level.price);
    if (!acceptable(side, price, limit)) break;
    total = total.plus(floorVolume(dec(level.size)));
  }
  return total;
}

export interface FundsWalk {
  takes: Take[];
  /** `budget`: stopped because the rest cannot buy another 0.00000001 here; `book`: ran out of acceptable levels. */
  stoppedBy: 'budget' | 'book';
}

/** Spend up to `budget` (quote, fee excluded) buying from ask `levels` within `limit`. */
export function takeFunds(levels: readonly BookLevel[], budget: Decimal, limit: Decimal | null): FundsWalk {
  const takes: Take[] = [];
  let left = budget;
  for (const level of levels) {
    const price = dec(level.price);
    if (!acceptable('bid', price, limit)) break;
    const size = floorVolume(dec(level.size));
    const affordable = affordableVolume(left, price);
    const v = minDec(size, affordable);
    if (v.isPositive() && !v.isZero()) {
      takes.push({ price, volume: v });
      left = left.minus(price.mul(v));
    }
    if (affordable.lte(size)) return { takes, stoppedBy: 'budget' };
  }
  return { takes, stoppedBy: 'book' };
}

/** Whether a limit order at `price` would take liquidity now (post_only refuses to). */
export function wouldCross(levels: readonly BookLevel[], side: Side, price: Decimal): boolean {
  const best = levels[0];
  return best !== undefined && acceptable(side, dec(best.price), price);
}
