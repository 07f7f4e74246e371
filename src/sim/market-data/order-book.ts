import { BOOK_DEPTH } from '../../upbit/trading-rules.js';
import type { AskBid } from '../../upbit/types.js';
import type { MarketSpec } from '../catalog.js';
import type { BookLevel, MarketView, Side } from '../../exchange/types.js';
import { Dec, VOLUME_DECIMALS } from '../price-grid.js';
import type { Rng } from '../random.js';
import { relativeTick, stepDown, stepUp, stepsBetween, tickAt } from './grid.js';

/** One price level: an exact grid price and the volume resting there. Never mutated. */
export interface Level {
  readonly price: Dec;
  readonly size: Dec;
}

/** Both sides, best first: asks ascending, bids descending. */
export interface BookSides {
  readonly asks: readonly Level[];
  readonly bids: readonly Level[];
}

/** How a market's book looks; see {@link bookProfile}. */
export interface BookProfile {
  /** Levels per side (Upbit shows 30). */
  depth: number;
  /** Typical KRW value resting on one level. */
  levelNotional: number;
  /** Extra weight near the touch: the level at depth i gets `× (1 + touchBoost·e^(−i/4))`. */
  touchBoost: number;
  /**
   * Typical distance between neighbouring levels as a fraction of the price. Where the tick
   * is much finer than this (KRW-BTC: 1,000 on ~130,000,000) levels leave gaps, as on Upbit.
   */
  relativeGap: number;
}

/** The book serves as many levels as a market order may walk (src/upbit/trading-rules.ts). */
export { BOOK_DEPTH };
/** Lognormal spread of level sizes. */
const SIZE_SD = 0.8;
/** Chance that a fresh level is a wall, and how much bigger one is. */
const WALL_PROBABILITY = 0.03;
const WALL_FACTOR: readonly [number, number] = [6, 20];
/** A reshuffle moves a picked level's size this far towards a fresh draw. */
const SHUFFLE_BLEND = 0.3;
/** Spreads wider than this many ticks are filled by new orders at once. */
const MAX_SPREAD_TICKS = 2;
const MIN_SIZE = new Dec(10).pow(-VOLUME_DECIMALS);

/** The book's shape for a catalog market: busy markets are deep near the touch. */
export function bookProfile(spec: MarketSpec): BookProfile {
  const meanTradeNotional = spec.turnover24h / (spec.tradesPerSecond * 86_400);
  return {
    depth: BOOK_DEPTH,
    levelNotional: meanTradeNotional * 6,
    touchBoost: Math.min(1.5, Math.max(0, (spec.tradesPerSecond - 1) / 3)),
    relativeGap: 4e-5,
  };
}


/**
 * A simulated limit order book for one market, kept consistent with the engine's trades:
 * a buyer-initiated trade at P has just taken the ask at P (and anything cheaper), a
 * seller-initiated one the bid at P. Between trades {@link shuffle} lets orders come and go.
 *
 * Invariants after every call: each side holds `depth` levels (fewer only where the grid
 * ends near zero), on the KRW grid, strictly ordered best first, best ask above best bid,
 * sizes positive with at most 8 decimals. Every random number comes from the one `rng`, so
 * a seed and a sequence of calls give the same book.
 */
export class SimOrderBook {
  private asks: Level[] = [];
  private bids: Level[] = [];

  constructor(
    private readonly profile: BookProfile,
    private readonly rng: Rng,
    lastPrice: Dec,
    lastSide: AskBid,
  ) {
    const spread = this.drawSpread();
    const other = lastSide === 'BID' ? stepDown(lastPrice, spread) : stepUp(lastPrice, spread);
    const [ask, bid] = lastSide === 'BID' ? [lastPrice, other] : [other, lastPrice];
    if (ask !== undefined) this.asks.push({ price: ask, size: this.drawSize(ask, 0) });
    if (bid !== undefined) this.bids.push({ price: bid, size: this.drawSize(bid, 0) });
    this.extend('ask');
    this.extend('bid');
  }

  /** The current levels. The arrays are fresh; the level objects are immutable. */
  sides(): BookSides {
    return { asks: [...this.asks], bids: [...this.bids] };
  }

  bestAsk(): Level | undefined {
    return this.asks[0];
  }

  bestBid(): Level | undefined {
    return this.bids[0];
  }

  /** Take a printed trade into account: `BID` took asks up to `price`, `ASK` bids down to it. */
  applyTrade(price: Dec, volume: Dec, askBid: AskBid): void {
    const taken: Side = askBid === 'BID' ? 'ask' : 'bid';
    const other: Side = taken === 'ask' ? 'bid' : 'ask';
    const levels = this.side(taken);

    // Everything better than the print was swept by it.
    while (levels[0] !== undefined && better(taken, levels[0].price, price)) levels.shift();
    const top = levels[0];
    if (top?.price.eq(price)) {
      const rest = top.size.minus(volume);
      if (rest.gt(0)) levels[0] = { price, size: rest };
      else if (this.rng.uniform() < 0.3) levels[0] = { price, size: this.residual(price) }; // refilled
      else levels.shift();
    } else {
      // The print hit an order that arrived in between; often part of it is left.
      const far = top === undefined || stepsBetween(...ordered(taken, price, top.price), MAX_SPREAD_TICKS + 1) > MAX_SPREAD_TICKS;
      if (far || this.rng.uniform() < 0.6) levels.unshift({ price, size: this.residual(price) });
    }

    // The other side cannot reach the print (it would have traded instead).
    const opposite = this.side(other);
    const reaches = (p: Dec): boolean => (other === 'bid' ? p.gte(price) : p.lte(price));
    while (opposite[0] !== undefined && reaches(opposite[0].price)) opposite.shift();
    // New orders close a wide spread: the other side beyond the print, the taken side at most at it.
    const beyond = away(other, price, 1);
    if (beyond !== undefined) this.repairSpread(other, beyond);
    this.repairSpread(taken, price);
    this.extend(taken);
    this.extend(other);
  }

  /** Orders come and go between trades: sizes drift, walls appear, the touch moves a tick. */
  shuffle(): void {
    const rng = this.rng;
    for (const side of ['ask', 'bid'] as const) {
      const levels = this.side(side);
      const picks = 1 + Math.floor(rng.uniform() * 3);
      for (let k = 0; k < picks && levels.length > 0; k++) {
        const i = Math.floor(rng.uniform() * levels.length);
        const level = levels[i];
        if (level === undefined) continue;
        const fresh = this.drawSize(level.price, i);
        levels[i] = { price: level.price, size: roundSize(level.size.mul(1 - SHUFFLE_BLEND).plus(fresh.mul(SHUFFLE_BLEND))) };
      }
      if (levels.length > 3 && rng.uniform() < WALL_PROBABILITY) {
        const i = 3 + Math.floor(rng.uniform() * (levels.length - 3));
        const level = levels[i];
        if (level !== undefined) levels[i] = { price: level.price, size: roundSize(level.size.mul(rng.between(...WALL_FACTOR))) };
      }
    }

    const ask = this.asks[0];
    const bid = this.bids[0];
    const u = rng.uniform();
    if (ask !== undefined && bid !== undefined) {
      const side: Side = rng.uniform() < 0.5 ? 'ask' : 'bid';
      const spread = stepsBetween(bid.price, ask.price, MAX_SPREAD_TICKS + 1);
      if (spread > 1 && u < 0.15) {
        // Someone improves the price by a tick.
        const price = side === 'ask' ? stepDown(ask.price) : stepUp(bid.price);
        if (price !== undefined) this.side(side).unshift({ price, size: this.drawSize(price, 0) });
      } else if (spread === 1 && u < 0.08) {
        // The touch is cancelled, if that leaves the spread within bounds.
        const levels = this.side(side);
        const next = levels[1];
        const opposite = side === 'ask' ? bid.price : ask.price;
        if (next !== undefined && stepsBetween(...ordered(side, opposite, next.price), MAX_SPREAD_TICKS + 1) <= MAX_SPREAD_TICKS) levels.shift();
      }
    }
    this.extend('ask');
    this.extend('bid');
  }

  private side(side: Side): Level[] {
    return side === 'ask' ? this.asks : this.bids;
  }

  /**
   * New orders fill a spread wider than {@link MAX_SPREAD_TICKS} on `side`, up to one tick or
   * two from the other touch — but no better than `bound` (next to a print, where that side
   * could not have been).
   */
  private repairSpread(side: Side, bound: Dec): void {
    const opposite = side === 'ask' ? this.bids[0] : this.asks[0];
    if (opposite === undefined) return;
    const levels = this.side(side);
    const limit = away(side, opposite.price, MAX_SPREAD_TICKS);
    const top = levels[0];
    if (limit === undefined || (top !== undefined && !better(side, limit, top.price))) return;
    const fresh: Level[] = [];
    const first = away(side, opposite.price, this.drawSpread());
    let price = first === undefined || better(side, bound, first) ? first : bound;
    while (price !== undefined && fresh.length < this.profile.depth && (top === undefined || better(side, price, top.price))) {
      fresh.push({ price, size: this.drawSize(price, fresh.length) });
      price = away(side, price, this.drawGap(price));
    }
    levels.unshift(...fresh);
  }

  /** Trim `side` to the profile's depth, or extend it outward with fresh levels. */
  private extend(side: Side): void {
    const levels = this.side(side);
    const { depth } = this.profile;
    if (levels.length > depth) levels.length = depth;
    while (levels.length < depth) {
      const last = levels.at(-1);
      if (last === undefined) return;
      const price = away(side, last.price, this.drawGap(last.price));
      if (price === undefined) return;
      levels.push({ price, size: this.drawSize(price, levels.length) });
    }
  }

  /** A spread in ticks: 1 mostly, sometimes 2. */
  private drawSpread(): number {
    return this.rng.uniform() < 0.7 ? 1 : 2;
  }

  /** Ticks to the next level outward: 1 where ticks are coarse, more where they are fine. */
  private drawGap(price: Dec): number {
    const mean = this.profile.relativeGap / relativeTick(price.toNumber());
    if (mean <= 1.5) return this.rng.uniform() < 0.04 ? 2 : 1;
    return Math.min(Math.ceil(mean * 4), 1 + Math.floor(this.rng.exponential(mean - 0.5)));
  }

  private drawSize(price: Dec, depth: number): Dec {
    const { levelNotional, touchBoost } = this.profile;
    const rng = this.rng;
    let notional = levelNotional * Math.exp(SIZE_SD * rng.normal() - (SIZE_SD * SIZE_SD) / 2) * (1 + touchBoost * Math.exp(-depth / 4));
    if (rng.uniform() < WALL_PROBABILITY) notional *= rng.between(...WALL_FACTOR);
    return volumeOf(notional / price.toNumber());
  }

  /** What is left of a level a trade has just eaten into. */
  private residual(price: Dec): Dec {
    return roundSize(this.drawSize(price, 0).mul(this.rng.between(0.1, 0.6)));
  }
}

/** True when `a` is a better price than `b` for `side` (lower ask, higher bid). */
function better(side: Side, a: Dec, b: Dec): boolean {
  return side === 'ask' ? a.lt(b) : a.gt(b);
}

/** `n` steps in the direction `side`'s prices get worse: up for asks, down for bids. */
function away(side: Side, price: Dec, n: number): Dec | undefined {
  return side === 'ask' ? stepUp(price, n) : stepDown(price, n);
}

/** The two prices as (low, high) for counting steps: asks sit above, bids below. */
function ordered(side: Side, inner: Dec, outer: Dec): [Dec, Dec] {
  return side === 'ask' ? [inner, outer] : [outer, inner];
}

/** A binary volume as an exact 8-decimal size (float maths here: decimal division is too slow for the book's churn). */
function volumeOf(volume: number): Dec {
  return Number.isFinite(volume) && volume > 1e-8 ? new Dec(volume.toFixed(VOLUME_DECIMALS)) : MIN_SIZE;
}

function roundSize(size: Dec): Dec {
  return Dec.max(MIN_SIZE, size.toDecimalPlaces(VOLUME_DECIMALS, Dec.ROUND_DOWN));
}

/** What {@link createSimMarketView} reads: the simulator's market data. */
export interface BookSource {
  has(code: string): boolean;
  /** The book as of now, or undefined for a market it does not run. */
  book(code: string): BookSides | undefined;
  /** The last trade price, or undefined for a market it does not run. */
  lastPrice(code: string): Dec | undefined;
}

/**
 * The matching engine's view of the simulated market (src/exchange/types.ts): the same
 * book the WebSocket and `GET /v1/orderbook` show, as exact decimals, best first. Throws for
 * a market the simulator does not run — check `has` first.
 */
export function createSimMarketView(source: BookSource): MarketView {
  const need = <T>(value: T | undefined, code: string): T => {
    if (value === undefined) throw new Error(`The simulator has no market ${code}; check MarketView.has first.`);
    return value;
  };
  return {
    has: (code) => source.has(code),
    book(code) {
      const { asks, bids } = need(source.book(code), code);
      const level = (l: Level): BookLevel => ({ price: l.price, size: l.size });
      return { asks: asks.map(level), bids: bids.map(level) };
    },
    lastPrice: (code) => need(source.lastPrice(code), code),
    tickSize: (_code, price) => tickAt(new Dec(price)),
  };
}
