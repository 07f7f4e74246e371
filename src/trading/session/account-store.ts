/**
 * The account as the trading session knows it: per currency the available balance, what open
 * orders lock, and the average buy price. Kept current from `myAsset` events (the private
 * stream, or the paper engine's own) and from `GET /v1/accounts`
 * (https://docs.upbit.com/kr/reference/get-balance), which also carries the average buy price
 * the stream does not.
 *
 * A REST answer can be older than a stream event that came while it was on its way: a
 * currency the stream changed during a read keeps the stream's amounts (the read's average
 * buy price is still taken).
 */
import { Money, ZERO, type Decimal, type MoneyInput } from '../decimal.js';
import type { Balance } from '../../upbit/rest/types.js';
import type { MyAssetEvent } from '../../upbit/types.js';
import { Publisher, type ExternalStore, type PublisherOptions } from './publisher.js';

export interface AccountBalance {
  currency: string;
  /** Available: not locked by an order. */
  balance: Decimal;
  /** Held by open orders (and withdrawals). */
  locked: Decimal;
  /** From `GET /v1/accounts`; null until a REST read told it. */
  avgBuyPrice: Decimal | null;
  /** The currency the average buy price is in (`KRW`). */
  unitCurrency: string;
}

export interface AccountSnapshot {
  /** Increases by one with every publication. */
  version: number;
  /** True once balances were read over REST (before that, only what the stream said). */
  loaded: boolean;
  /** By currency code. */
  balances: ReadonlyMap<string, AccountBalance>;
  /** When the balances were last read over REST (ms), or null. */
  syncedAt: number | null;
  /** Why the last REST read failed, while it has not worked since; null when it did. */
  syncError: string | null;
}

/** One currency's balance, zeros when the account holds none. */
export function selectBalance(s: AccountSnapshot, currency: string): AccountBalance {
  return s.balances.get(currency) ?? { currency, balance: ZERO, locked: ZERO, avgBuyPrice: null, unitCurrency: 'KRW' };
}

/** KRW: available, locked, and both together. For the status bar. */
export function selectKrw(s: AccountSnapshot): { available: Decimal; locked: Decimal; total: Decimal } {
  const krw = selectBalance(s, 'KRW');
  return { available: krw.balance, locked: krw.locked, total: krw.balance.plus(krw.locked) };
}

/** The last price of a market (`KRW-BTC`), as a map or a lookup; absent when unknown. */
export type PriceLookup = ReadonlyMap<string, MoneyInput> | ((market: string) => MoneyInput | null | undefined);

export interface TotalValue {
  /** KRW (available and locked) plus every other currency at its KRW market's price. */
  total: Decimal;
  /** Currencies held with no known price: not in `total` (never guessed, not even from the average buy price). */
  unpriced: readonly string[];
}

/** What the account is worth in KRW at `prices` (e.g. the last tickers). */
export function selectTotalValue(s: AccountSnapshot, prices: PriceLookup): TotalValue {
  const priceOf = typeof prices === 'function' ? prices : (market: string) => prices.get(market);
  let total = ZERO;
  const unpriced: string[] = [];
  for (const b of s.balances.values()) {
    const amount = b.balance.plus(b.locked);
    if (amount.isZero()) continue;
    if (b.currency === 'KRW') {
      total = total.plus(amount);
      continue;
    }
    const price = priceOf(`KRW-${b.currency}`);
    if (price === undefined || price === null) unpriced.push(b.currency);
    else total = total.plus(amount.mul(new Money(price)));
  }
  return { total, unpriced };
}

export class AccountStore implements ExternalStore<AccountSnapshot> {
  readonly #balances = new Map<string, AccountBalance>();
  readonly #publisher: Publisher<AccountSnapshot>;
  readonly #now: () => number;
  #loaded = false;
  #syncedAt: number | null = null;
  #syncError: string | null = null;
  /** Currencies the stream changed while a REST read is on its way (null: no read). */
  #touched: Set<string> | null = null;

  constructor(options: PublisherOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#publisher = new Publisher((version) => this.#build(version), options);
  }

  readonly getSnapshot = (): AccountSnapshot => this.#publisher.getSnapshot();
  readonly subscribe = (listener: () => void): (() => void) => this.#publisher.subscribe(listener);

  /** The newest balance of `currency`, applied or not yet published (for the pre-trade check). */
  current(currency: string): AccountBalance | undefined {
    return this.#balances.get(currency);
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** A `myAsset` event: the balances it lists changed (others did not). */
  applyAsset(e: MyAssetEvent): void {
    for (const b of e.balances) {
      this.#touched?.add(b.currency);
      const known = this.#balances.get(b.currency);
      if (b.balance.isZero() && b.locked.isZero() && b.currency !== 'KRW') this.#balances.delete(b.currency);
      else this.#balances.set(b.currency, { currency: b.currency, balance: b.balance, locked: b.locked, avgBuyPrice: known?.avgBuyPrice ?? null, unitCurrency: known?.unitCurrency ?? 'KRW' });
    }
    this.#publisher.changed();
  }

  /** A REST read of the balances starts: stream events from now on win over its answer. */
  beginSync(): void {
    this.#touched = new Set();
  }

  /** The answer of `GET /v1/accounts` (read after {@link beginSync}): the whole account. */
  applySync(list: readonly Balance[]): void {
    const touched = this.#touched ?? new Set<string>();
    this.#touched = null;
    const listed = new Set<string>();
    for (const b of list) {
      listed.add(b.currency);
      const known = this.#balances.get(b.currency);
      const fromStream = touched.has(b.currency) && known !== undefined;
      this.#balances.set(b.currency, {
        currency: b.currency,
        balance: fromStream ? known.balance : b.balance,
        locked: fromStream ? known.locked : b.locked,
        avgBuyPrice: b.avgBuyPrice,
        unitCurrency: b.unitCurrency,
      });
    }
    // Not listed: none left (Upbit lists only what the account holds), unless the stream just said otherwise.
    for (const currency of [...this.#balances.keys()]) if (!listed.has(currency) && !touched.has(currency)) this.#balances.delete(currency);
    this.#loaded = true;
    this.#syncedAt = this.#now();
    this.#syncError = null;
    this.#publisher.changed();
  }

  /** The REST read failed: the stream's changes stay, the error is shown until a read works. */
  syncFailed(reason: string): void {
    this.#touched = null;
    if (this.#syncError === reason) return;
    this.#syncError = reason;
    this.#publisher.changed();
  }

  /** Publish what is pending; no timer after this. */
  close(): void {
    this.#publisher.close();
  }

  #build(version: number): AccountSnapshot {
    return { version, loaded: this.#loaded, balances: new Map(this.#balances), syncedAt: this.#syncedAt, syncError: this.#syncError };
  }
}
