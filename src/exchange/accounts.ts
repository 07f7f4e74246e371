/**
 * One account's balances, used identifiers and orders. Every balance change goes through the
 * few methods here, which refuse to take a balance below zero: that would be a bug in the
 * engine, never a client error (clients are stopped earlier by `insufficient_funds_*`).
 */
import type { Decimal } from 'decimal.js';

import { Dec, ZERO } from './decimal.js';
import type { Balance, Order } from './types.js';

/** What a currency holding is made of; `Balance` without the derived fields. */
export interface Holding {
  balance: Decimal;
  locked: Decimal;
  avgBuyPrice: Decimal;
  avgBuyPriceModified: boolean;
}

/** avg_buy_price keeps 8 decimals, as Upbit's strings do (UNCERTAIN: Upbit's exact rounding). */
const AVG_DECIMALS = 8;

export class Account {
  readonly holdings = new Map<string, Holding>();
  /** Every identifier this account ever sent that parsed, including on orders that then failed. */
  readonly usedIdentifiers = new Set<string>();
  /** Orders in creation order. */
  readonly orders = new Map<string, Order>();
  readonly byIdentifier = new Map<string, string>();
  /** Orders whose cancel was accepted and has not completed yet. */
  readonly cancelRequested = new Set<string>();

  constructor(
    readonly accessKey: string,
    readonly secretKey: string,
    readonly unitCurrency: string,
  ) {}

  /** The holding of a currency, created empty on first use. */
  holding(currency: string): Holding {
    let h = this.holdings.get(currency);
    if (h === undefined) {
      h = this.empty(currency);
      this.holdings.set(currency, h);
    }
    return h;
  }

  available(currency: string): Decimal {
    return this.holdings.get(currency)?.balance ?? ZERO;
  }

  /** Move `amount` from available to locked. */
  lock(currency: string, amount: Decimal): void {
    const h = this.holding(currency);
    h.balance = nonNegative(h.balance.minus(amount), currency, 'balance');
    h.locked = h.locked.plus(amount);
  }

  /** Move `amount` from locked back to available. */
  unlock(currency: string, amount: Decimal): void {
    const h = this.holding(currency);
    h.locked = nonNegative(h.locked.minus(amount), currency, 'locked');
    h.balance = h.balance.plus(amount);
  }

  /** Pay `amount` out of locked funds (a fill). */
  spendLocked(currency: string, amount: Decimal): void {
    const h = this.holding(currency);
    h.locked = nonNegative(h.locked.minus(amount), currency, 'locked');
    this.resetAverageIfEmpty(h);
  }

  credit(currency: string, amount: Decimal): void {
    const h = this.holding(currency);
    h.balance = h.balance.plus(amount);
  }

  /**
   * Receive `volume` bought at `price`. avg_buy_price is the volume-weighted purchase price
   * of the whole holding (available + locked), fees excluded (UNCERTAIN: Upbit documents it
   * only as "매수평균가"; its app shows fee-free averages).
   */
  receiveBought(currency: string, volume: Decimal, price: Decimal): void {
    const h = this.holding(currency);
    const held = h.balance.plus(h.locked);
    const cost = h.avgBuyPrice.mul(held).plus(price.mul(volume));
    h.avgBuyPrice = cost.div(held.plus(volume)).toDecimalPlaces(AVG_DECIMALS, Dec.ROUND_HALF_UP);
    h.balance = h.balance.plus(volume);
  }

  balanceOf(currency: string): Balance {
    const h = this.holdings.get(currency) ?? this.empty(currency);
    return {
      currency,
      balance: h.balance,
      locked: h.locked,
      avgBuyPrice: h.avgBuyPrice,
      avgBuyPriceModified: h.avgBuyPriceModified,
      unitCurrency: this.unitCurrency,
    };
  }

  /** KRW first, then every currency with something available or locked, in the order first held. */
  balances(): Balance[] {
    const out = [this.balanceOf(this.unitCurrency)];
    for (const [currency, h] of this.holdings) {
      if (currency === this.unitCurrency) continue;
      if (h.balance.isZero() && h.locked.isZero()) continue;
      out.push(this.balanceOf(currency));
    }
    return out;
  }

  private empty(currency: string): Holding {
    // Upbit reports avg_buy_price_modified true for KRW (observed) and false for coins.
    return { balance: ZERO, locked: ZERO, avgBuyPrice: ZERO, avgBuyPriceModified: currency === this.unitCurrency };
  }

  /** A holding sold down to nothing forgets its purchase price (the unit currency has none). */
  private resetAverageIfEmpty(h: Holding): void {
    if (h.balance.isZero() && h.locked.isZero()) h.avgBuyPrice = ZERO;
  }
}

function nonNegative(v: Decimal, currency: string, what: string): Decimal {
  if (v.isNegative() && !v.isZero()) {
    throw new Error(`Exchange bug: ${currency} ${what} would become ${v.toFixed()}. Please report this with the order history.`);
  }
  return v;
}
