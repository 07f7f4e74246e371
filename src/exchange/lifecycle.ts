/**
 * An order's life after validation: funds locked, taker fills against the book, resting as
 * a maker, maker fills when the market trades through it, and the end (`done`/`cancel`) with
 * whatever is still locked released. Every step emits the events the private stream needs:
 * `wait` on placement, one `trade` per fill, the final state; `asset` after each balance change.
 */
import type { Decimal } from 'decimal.js';

import type { Account } from './accounts.js';
import { ZERO, dec, floorVolume, minDec } from './decimal.js';
import type { Take } from './matching.js';
import { availableVolume, opposite, takeFunds, takeVolume, wouldCross } from './matching.js';
import type { ValidOrder } from './validate.js';
import type { ExchangeEvent, Fill, MarketView, Order, OrderState } from './types.js';

export interface LifecycleDeps {
  market: MarketView;
  /** The fee rate of fills on a market. */
  feeRate: (market: string) => Decimal;
  uuid: () => string;
  now: () => number;
  emit: (e: ExchangeEvent) => void;
}

interface Resting {
  acct: Account;
  order: Order;
  /** Time priority among orders at one price. */
  seq: number;
}

/** `KRW-BTC` → quote `KRW`, base `BTC`. */
export function currencies(market: string): { quote: string; base: string } {
  const dash = market.indexOf('-');
  return { quote: market.slice(0, dash), base: market.slice(dash + 1) };
}

/** The currency an order locks: quote for bids, base for asks. */
export function lockCurrency(order: Order): string {
  const { quote, base } = currencies(order.market);
  return order.side === 'bid' ? quote : base;
}

/** A copy a caller may keep: later fills do not change it. */
export function copyOrder(order: Order): Order {
  return { ...order, trades: [...order.trades] };
}

function known<T>(v: T | null, what: string): T {
  if (v === null) throw new Error(`Exchange bug: order without ${what}. Please report this with the order history.`);
  return v;
}

const positive = (v: Decimal): boolean => v.isPositive() && !v.isZero();

export class Lifecycle {
  private readonly resting = new Map<string, Resting[]>();
  private seq = 0;

  constructor(private readonly deps: LifecycleDeps) {}

  /** The order a valid request becomes, before anything is locked (also what `/orders/test` answers). */
  draft(v: ValidOrder, identifier: string | null, at: number): Order {
    return {
      uuid: this.deps.uuid(),
      identifier,
      market: v.rules.market,
      side: v.side,
      ordType: v.ordType,
      price: v.price,
      volume: v.volume,
      remainingVolume: v.volume,
      executedVolume: ZERO,
      executedFunds: ZERO,
      reservedFee: v.reservedFee,
      remainingFee: v.reservedFee,
      paidFee: ZERO,
      locked: v.lock,
      tradesCount: 0,
      state: 'wait',
      timeInForce: v.timeInForce,
      smpType: v.smpType,
      createdAt: at,
      trades: [],
    };
  }

  /**
   * Place a validated order: lock, record, trade what crosses, then rest or end. Returns the
   * order as accepted (`wait`, nothing executed), which is what Upbit's POST answers with;
   * the fills that follow reach listeners as events and `get` as state.
   */
  open(acct: Account, v: ValidOrder, identifier: string | null): Order {
    const at = this.deps.now();
    const order = this.draft(v, identifier, at);
    acct.lock(v.lockCurrency, v.lock);
    acct.orders.set(order.uuid, order);
    if (identifier !== null) acct.byIdentifier.set(identifier, order.uuid);
    const accepted = copyOrder(order);
    this.emitOrder(acct, order, null, at);
    this.emitAsset(acct, [v.lockCurrency], at);
    this.execute(acct, order, at);
    return accepted;
  }

  /** Put an open limit order (restored from a snapshot) back among the resting ones. */
  restore(acct: Account, order: Order): void {
    if (order.state === 'wait' && order.ordType === 'limit') this.rest(acct, order);
  }

  /** End an open order: release what it still locks and announce the final state. */
  finish(acct: Account, order: Order, state: Exclude<OrderState, 'wait' | 'watch'>, at: number): void {
    const currency = lockCurrency(order);
    // The order keeps showing what it locked when it ended (observed: a cancelled market buy
    // reports the refunded dust as `locked`); the account gets it back.
    const release = order.locked;
    if (positive(release)) acct.unlock(currency, release);
    order.state = state;
    acct.cancelRequested.delete(order.uuid);
    this.unrest(order);
    this.emitOrder(acct, order, null, at);
    if (positive(release)) this.emitAsset(acct, [currency], at);
  }

  /**
   * A trade printed in the market at `price` for `volume`: resting bids at or above it and
   * resting asks at or below it fill as makers at their own price, best price then oldest
   * first, sharing the trade's volume (so a large order fills over several trades).
   */
  tradeThrough(market: string, price: Decimal, volume: Decimal, at: number): void {
    const list = this.resting.get(market);
    if (list === undefined) return;
    for (const side of ['bid', 'ask'] as const) {
      const eligible = list
        // A trade before an order was placed cannot fill it (paper catch-up replays the past).
        .filter((r) => r.order.side === side && r.order.createdAt <= at && !r.acct.cancelRequested.has(r.order.uuid))
        .filter((r) => {
          const p = known(r.order.price, 'price');
          return side === 'bid' ? p.gte(price) : p.lte(price);
        })
        .sort((a, b) => {
          const pa = known(a.order.price, 'price');
          const pb = known(b.order.price, 'price');
          const byPrice = side === 'bid' ? pb.comparedTo(pa) : pa.comparedTo(pb);
          return byPrice !== 0 ? byPrice : a.seq - b.seq;
        });
      let left = floorVolume(volume);
      for (const { acct, order } of eligible) {
        if (!positive(left)) break;
        const v = minDec(known(order.remainingVolume, 'remaining volume'), left);
        this.fill(acct, order, known(order.price, 'price'), v, true, at);
        left = left.minus(v);
        if (known(order.remainingVolume, 'remaining volume').isZero()) this.finish(acct, order, 'done', at);
      }
    }
  }

  private execute(acct: Account, order: Order, at: number): void {
    const levels = opposite(this.deps.market.book(order.market), order.side);
    const tif = order.timeInForce;
    switch (order.ordType) {
      case 'limit': {
        const price = known(order.price, 'price');
        const volume = known(order.volume, 'volume');
        // post_only: "cancel if the order would execute as taker" (global docs, `order`).
        if (tif === 'post_only') {
          if (wouldCross(levels, order.side, price)) this.finish(acct, order, 'cancel', at);
          else this.rest(acct, order);
          return;
        }
        if (tif === 'fok' && availableVolume(levels, order.side, price).lt(volume)) {
          this.finish(acct, order, 'cancel', at);
          return;
        }
        this.fillAll(acct, order, takeVolume(levels, order.side, volume, price), at);
        if (known(order.remainingVolume, 'remaining volume').isZero()) this.finish(acct, order, 'done', at);
        else if (tif === 'ioc' || tif === 'fok') this.finish(acct, order, 'cancel', at);
        else this.rest(acct, order);
        return;
      }
      case 'market':
        this.fillAll(acct, order, takeVolume(levels, 'ask', known(order.volume, 'volume'), null), at);
        this.endVolumeOrder(acct, order, at);
        return;
      case 'price':
        this.fillAll(acct, order, takeFunds(levels, known(order.price, 'price'), null).takes, at);
        this.endFundsOrder(acct, order, at);
        return;
      case 'best': {
        // A limit at the opposite best price, ioc or fok (new-order docs).
        const best = levels[0];
        if (best === undefined) {
          this.finish(acct, order, 'cancel', at);
          return;
        }
        const limit = dec(best.price);
        if (order.side === 'bid') {
          const walk = takeFunds(levels, known(order.price, 'price'), limit);
          if (tif === 'fok' && walk.stoppedBy === 'book') {
            this.finish(acct, order, 'cancel', at);
            return;
          }
          this.fillAll(acct, order, walk.takes, at);
          this.endFundsOrder(acct, order, at);
        } else {
          const volume = known(order.volume, 'volume');
          if (tif === 'fok' && availableVolume(levels, 'ask', limit).lt(volume)) {
            this.finish(acct, order, 'cancel', at);
            return;
          }
          this.fillAll(acct, order, takeVolume(levels, 'ask', volume, limit), at);
          this.endVolumeOrder(acct, order, at);
        }
        return;
      }
    }
  }

  /** A volume order that traded what it could: `done` when nothing is left, else `cancel`. */
  private endVolumeOrder(acct: Account, order: Order, at: number): void {
    this.finish(acct, order, known(order.remainingVolume, 'remaining volume').isZero() ? 'done' : 'cancel', at);
  }

  /**
   * A budget order (market or best bid): `done` only when the whole budget was spent; else
   * the dust is refunded and the order ends `cancel`, as Upbit's market buys usually do.
   */
  private endFundsOrder(acct: Account, order: Order, at: number): void {
    this.finish(acct, order, order.executedFunds.eq(known(order.price, 'price')) ? 'done' : 'cancel', at);
  }

  private fillAll(acct: Account, order: Order, takes: readonly Take[], at: number): void {
    for (const t of takes) this.fill(acct, order, t.price, t.volume, false, at);
  }

  /** One fill: move the money, update the order, announce it. */
  private fill(acct: Account, order: Order, price: Decimal, volume: Decimal, isMaker: boolean, at: number): void {
    const feeRate = this.deps.feeRate(order.market);
    const { quote, base } = currencies(order.market);
    const funds = price.mul(volume);
    const fee = funds.mul(feeRate);
    const trend = price.gt(dec(this.deps.market.lastPrice(order.market))) ? 'up' : 'down';

    if (order.side === 'bid') {
      acct.spendLocked(quote, funds.plus(fee));
      order.locked = order.locked.minus(funds.plus(fee));
      acct.receiveBought(base, volume, price);
      order.paidFee = order.paidFee.plus(fee);
      if (order.ordType === 'limit') {
        // Keep exactly what the rest of the order needs at its price; a fill at a better
        // price frees the difference now.
        const unit = known(order.price, 'price');
        const rest = known(order.remainingVolume, 'remaining volume').minus(volume);
        const remainingFee = rest.mul(unit).mul(feeRate);
        const keep = rest.mul(unit).plus(remainingFee);
        const release = order.locked.minus(keep);
        if (release.isNegative()) throw new Error(`Exchange bug: order ${order.uuid} locks less than it needs.`);
        if (positive(release)) acct.unlock(quote, release);
        order.locked = keep;
        order.remainingFee = remainingFee;
      } else {
        order.remainingFee = order.reservedFee.minus(order.paidFee);
      }
    } else {
      acct.spendLocked(base, volume);
      order.locked = order.locked.minus(volume);
      acct.credit(quote, funds.minus(fee));
      order.paidFee = order.paidFee.plus(fee);
    }

    order.executedVolume = order.executedVolume.plus(volume);
    order.executedFunds = order.executedFunds.plus(funds);
    if (order.remainingVolume !== null) order.remainingVolume = order.remainingVolume.minus(volume);
    order.tradesCount += 1;
    const fill: Fill = { uuid: this.deps.uuid(), market: order.market, side: order.side, price, volume, funds, fee, isMaker, createdAt: at, trend };
    order.trades.push(fill);
    this.emitOrder(acct, order, fill, at);
    this.emitAsset(acct, [quote, base], at);
  }

  private rest(acct: Account, order: Order): void {
    let list = this.resting.get(order.market);
    if (list === undefined) {
      list = [];
      this.resting.set(order.market, list);
    }
    this.seq += 1;
    list.push({ acct, order, seq: this.seq });
  }

  private unrest(order: Order): void {
    const list = this.resting.get(order.market);
    if (list === undefined) return;
    const i = list.findIndex((r) => r.order === order);
    if (i !== -1) list.splice(i, 1);
  }

  private emitOrder(acct: Account, order: Order, fill: Fill | null, at: number): void {
    this.deps.emit({ type: 'order', accessKey: acct.accessKey, order: copyOrder(order), fill, at });
  }

  private emitAsset(acct: Account, changed: readonly string[], at: number): void {
    const unique = [...new Set(changed)];
    this.deps.emit({ type: 'asset', accessKey: acct.accessKey, balances: unique.map((c) => acct.balanceOf(c)), at });
  }
}
