/**
 * The exchange: accounts, orders and a matching engine with Upbit's rules
 * (https://docs.upbit.com/kr/reference/new-order, the table in src/upbit/trading-rules.ts).
 * A synchronous, deterministic state machine: time, ids and timers are injected, and the market is seen only through `MarketView`, so the
 * simulator's REST layer and paper trading (against live quotes) drive the same engine.
 *
 * Every method that changes state delivers its events to listeners before it returns, after
 * the state is consistent and saved (`persist`); a listener may call back into the exchange.
 */
import { randomUUID } from 'node:crypto';

import type { Decimal } from 'decimal.js';

import { Account } from './accounts.js';
import { parseCancelAndNew, newFieldLabel } from './cancel-and-new.js';
import { ZERO, dec } from './decimal.js';
import { duplicateIdentifier, invalidAccessKey, marketNotFound, orderNotFound, validationError } from './errors.js';
import { Lifecycle, copyOrder, lockCurrency } from './lifecycle.js';
import type { OpenOrderSelection } from './queries.js';
import { listOrders, ordersByIds, selectOpen } from './queries.js';
import { DEFAULT_FEE_RATE, buildChance, marketRules } from './rules.js';
import type { ExchangeSnapshot } from './snapshot.js';
import { parseSnapshot, toSnapshot } from './snapshot.js';
import type { Balance, CancelResult, Chance, ExchangeEvent, MarketView, Order, OrderFilter, OrderRequest } from './types.js';
import { ExchangeError } from './types.js';
import type { ValidationContext } from './validate.js';
import { parseIdentifier, validateOrder } from './validate.js';

export interface ExchangeOptions {
  market: MarketView;
  /** Clock for order and fill times, ms since epoch. @default Date.now */
  now?: () => number;
  /** Fee rate for makers and takers, bids and asks, on every market. @default the market's rate in Upbit's table (0.0005 on KRW markets) */
  feeRate?: string;
  /** Order and trade ids. @default crypto.randomUUID */
  uuid?: () => string;
  /** A cancel completes this long after it is accepted, as on Upbit. @default 20 */
  cancelDelayMs?: number;
  /** Run `fn` after `ms`; returns its cancellation. @default setTimeout/clearTimeout */
  schedule?: (fn: () => void, ms: number) => () => void;
  /**
   * Where an error thrown by an event listener goes. The exchange's state is already
   * consistent when listeners run, so the caller still gets its answer.
   * @default rethrown from a microtask (an uncaught exception: a listener bug)
   */
  onListenerError?: (error: unknown) => void;
  /**
   * Makes the state durable (the `--state` file, the paper wallet). Called synchronously
   * after every change, with the whole state, before the change's events reach listeners and
   * before the call that made it returns: nobody is told about a change that is not saved.
   * Not called when a call changed nothing (a price tick that filled nothing, a read). When it
   * throws, the change is undone (the exchange goes back to the state last saved) and the
   * call throws {@link StateNotSavedError}; every change is refused that way until a save
   * works again. Changes nobody asked for (fills from market trades, cancels completing)
   * are undone the same way and tried again with the next trade or at the next cancel delay.
   * @default nothing is saved
   */
  persist?: (state: ExchangeSnapshot) => void;
}

/**
 * The exchange could not save a change (see `ExchangeOptions.persist`), so it did not make
 * it: 503, as a server that cannot commit answers. `cause` is the save's error.
 */
export class StateNotSavedError extends ExchangeError {
  constructor(options: { cause: unknown }) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(503, 'state_not_saved', `The exchange could not save its state (${why}), so the request was refused and nothing changed. Try again once its storage is writable.`);
    this.name = 'StateNotSavedError';
    this.cause = options.cause;
  }
}

export type OrderLookup = { uuid?: string; identifier?: string };
export type { ExchangeSnapshot } from './snapshot.js';

const defaultSchedule = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

const UNIT_CURRENCY = 'KRW';

export class Exchange {
  private readonly market: MarketView;
  private readonly now: () => number;
  /** `feeRate` when given: it overrides the table's rate on every market. */
  private readonly feeOverride: Decimal | undefined;
  private readonly uuid: () => string;
  private readonly cancelDelayMs: number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private readonly onListenerError: (error: unknown) => void;
  private readonly accounts = new Map<string, Account>();
  private lifecycle: Lifecycle;
  private readonly listeners = new Set<(e: ExchangeEvent) => void>();
  private readonly queue: ExchangeEvent[] = [];
  private flushing = false;
  private readonly timers = new Set<() => void>();
  private closed = false;
  private readonly persist: ((state: ExchangeSnapshot) => void) | undefined;
  /** The state last saved by `persist`: what a failed save goes back to. */
  private durable: ExchangeSnapshot;
  /** A change that raises no event (an identifier used up, a cancel accepted) still needs saving. */
  private dirty = false;

  constructor(opts: ExchangeOptions) {
    this.market = opts.market;
    this.now = opts.now ?? Date.now;
    this.feeOverride = opts.feeRate === undefined ? undefined : dec(opts.feeRate);
    this.uuid = opts.uuid ?? randomUUID;
    this.cancelDelayMs = opts.cancelDelayMs ?? 20;
    this.schedule = opts.schedule ?? defaultSchedule;
    this.onListenerError =
      opts.onListenerError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
    this.lifecycle = this.newLifecycle();
    this.persist = opts.persist;
    this.durable = this.snapshot();
  }

  /**
   * Open an account holding `krw`. Throws if the access key is taken, and
   * {@link StateNotSavedError} when it cannot be saved (the account is then not opened).
   */
  createAccount(accessKey: string, secretKey: string, krw: Decimal.Value): void {
    if (this.accounts.has(accessKey)) throw new Error(`An exchange account with access key ${accessKey} already exists.`);
    const amount = dec(krw);
    if (!amount.isFinite() || amount.isNegative()) throw new Error(`An account's KRW must be a finite amount ≥ 0, not ${String(krw)}.`);
    this.mutate(() => {
      const acct = new Account(accessKey, secretKey, UNIT_CURRENCY);
      acct.credit(UNIT_CURRENCY, amount);
      this.accounts.set(accessKey, acct);
      this.dirty = true;
    });
  }

  hasAccount(accessKey: string): boolean {
    return this.accounts.has(accessKey);
  }

  secretOf(accessKey: string): string | undefined {
    return this.accounts.get(accessKey)?.secretKey;
  }

  /** `GET /v1/accounts`: KRW first, then every currency with a balance or locked amount. */
  balances(accessKey: string): Balance[] {
    return this.account(accessKey).balances();
  }

  /** `GET /v1/orders/chance`. */
  chance(accessKey: string, market: string): Chance {
    const acct = this.account(accessKey);
    const rules = marketRules(market);
    if (rules === undefined || !this.market.has(market)) throw marketNotFound(market);
    return buildChance(rules, this.feeOverride ?? rules.feeRate, acct.balanceOf(rules.quote), acct.balanceOf(rules.base));
  }

  /**
   * `POST /v1/orders`. Returns the order as accepted (`wait`, nothing executed yet), as
   * Upbit answers; what crosses the book trades at once and reaches listeners as events.
   * The identifier is used up as soon as it parses, even if the order then fails (https://docs.upbit.com/kr/reference/new-order).
   */
  place(accessKey: string, req: OrderRequest): Order {
    return this.mutate(() => {
      const acct = this.account(accessKey);
      const identifier = this.identifier(acct, req.identifier, 'identifier', true);
      return this.lifecycle.open(acct, validateOrder(req, this.context(acct)), identifier);
    });
  }

  /** `POST /v1/orders/test`: the same validation, nothing changes, and the uuid cannot be queried. */
  test(accessKey: string, req: OrderRequest): Order {
    const acct = this.account(accessKey);
    const identifier = this.identifier(acct, req.identifier, 'identifier', false);
    return this.lifecycle.draft(validateOrder(req, this.context(acct)), identifier, this.now());
  }

  /** `GET /v1/order`: by uuid, or identifier when no uuid is given. */
  get(accessKey: string, by: OrderLookup): Order {
    return copyOrder(this.find(this.account(accessKey), by));
  }

  /**
   * `DELETE /v1/order`: accepts the cancel and answers with the order still `wait`; the
   * cancel completes `cancelDelayMs` later (events). UNCERTAIN: an order that already ended
   * answers 404 `order_not_found`, as a look-up among open orders would; a second cancel of
   * an order whose cancel is pending answers it again.
   */
  cancel(accessKey: string, by: OrderLookup): Order {
    return this.mutate(() => {
      const acct = this.account(accessKey);
      const order = this.find(acct, by);
      if (order.state !== 'wait') throw orderNotFound();
      this.requestCancel(acct, order);
      return copyOrder(order);
    });
  }

  /** `GET /v1/orders/open|closed` (filters already validated by the caller). */
  list(accessKey: string, filter: OrderFilter): Order[] {
    return listOrders(this.account(accessKey), filter);
  }

  /** `GET /v1/orders/uuids`: the orders that exist among the ids, newest first unless 'asc'. */
  byIds(accessKey: string, ids: { uuids?: string[]; identifiers?: string[] }, orderBy?: 'asc' | 'desc'): Order[] {
    return ordersByIds(this.account(accessKey), ids, orderBy);
  }

  /** `DELETE /v1/orders/uuids`: cancel each; unknown or finished orders are reported as failed. */
  cancelMany(accessKey: string, ids: { uuids?: string[]; identifiers?: string[] }): CancelResult {
    return this.mutate(() => {
      const acct = this.account(accessKey);
      if ((ids.uuids?.length ?? 0) > 0 && (ids.identifiers?.length ?? 0) > 0) {
        throw validationError('uuids and identifiers cannot be used together');
      }
      const result = emptyCancelResult();
      const lookups: OrderLookup[] = [...(ids.uuids ?? []).map((uuid) => ({ uuid })), ...(ids.identifiers ?? []).map((identifier) => ({ identifier }))];
      for (const by of lookups) {
        const order = this.lookup(acct, by);
        if (order !== undefined && order.state === 'wait') {
          this.requestCancel(acct, order);
          push(result.success, { uuid: order.uuid, market: order.market, identifier: order.identifier });
        } else {
          push(result.failed, { uuid: order?.uuid ?? by.uuid ?? '', market: order?.market ?? '', identifier: order?.identifier ?? by.identifier ?? null });
        }
      }
      return result;
    });
  }

  /** `DELETE /v1/orders/open`: cancel up to `count` (default 20) open orders matching the filter. */
  cancelOpen(accessKey: string, f: OpenOrderSelection): CancelResult {
    return this.mutate(() => {
      const acct = this.account(accessKey);
      const result = emptyCancelResult();
      for (const order of selectOpen(acct, f)) {
        this.requestCancel(acct, order);
        push(result.success, { uuid: order.uuid, market: order.market, identifier: order.identifier });
      }
      return result;
    });
  }

  /**
   * `POST /v1/orders/cancel_and_new`: replace an open order by a new one on the same market
   * and side. The new order is validated as if the old one's funds were already free; the
   * swap is immediate (the old order ends `cancel`, then the new one is placed). Returns the
   * old order as accepted for cancelling (`wait`) and the new one as accepted.
   */
  cancelAndNew(accessKey: string, body: Record<string, unknown>): { prev: Order; next: Order } {
    return this.mutate(() => {
      const acct = this.account(accessKey);
      const req = parseCancelAndNew(body);
      const prev = this.find(acct, req.prev);
      if (prev.state !== 'wait') throw orderNotFound();
      const identifier = this.identifier(acct, req.newIdentifier, 'new_identifier', true);
      const freed = lockCurrency(prev);
      const base = this.context(acct);
      const valid = validateOrder(req.build(prev), {
        ...base,
        available: (c) => base.available(c).plus(c === freed ? prev.locked : ZERO),
        label: newFieldLabel,
      });
      const accepted = copyOrder(prev);
      this.lifecycle.finish(acct, prev, 'cancel', this.now());
      return { prev: accepted, next: this.lifecycle.open(acct, valid, identifier) };
    });
  }

  /**
   * A trade in the market (the simulator's tape, or live trades for paper trading): resting
   * limit orders it traded through fill as makers at their own price, up to its volume.
   * Ignored once the exchange is closed: a market feed may still tick during shutdown.
   */
  onMarketTrade(market: string, price: Decimal, volume: Decimal, at?: number): void {
    if (this.closed) return;
    this.unasked(() => {
      const v = dec(volume);
      if (!v.isPositive() || v.isZero()) return;
      this.lifecycle.tradeThrough(market, dec(price), v, at ?? this.now());
    });
  }

  /** Hear every order and balance change. Returns the release. */
  on(listener: (e: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Accounts, balances, used identifiers and orders as plain JSON (decimals as strings). */
  snapshot(): ExchangeSnapshot {
    return toSnapshot(this.accounts.values());
  }

  /**
   * An exchange restored from `snapshot()` output (typically read from a file, hence
   * `unknown`). Throws an Error naming the first bad field. Cancels that were pending when
   * the snapshot was taken complete `cancelDelayMs` after the restore.
   */
  static fromSnapshot(snapshot: unknown, opts: ExchangeOptions): Exchange {
    const accounts = parseSnapshot(snapshot, UNIT_CURRENCY);
    const exchange = new Exchange(opts);
    exchange.load(accounts);
    // What was read is what is on disk: nothing to save until something changes.
    exchange.durable = exchange.snapshot();
    return exchange;
  }

  /** Cancel the scheduled cancel completions; the exchange refuses further changes. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const cancelTimer of this.timers) cancelTimer();
    this.timers.clear();
  }

  private newLifecycle(): Lifecycle {
    return new Lifecycle({
      market: this.market,
      feeRate: (market) => this.feeRateOf(market),
      uuid: this.uuid,
      now: this.now,
      emit: (e) => this.queue.push(e),
    });
  }

  /** Take `accounts` as the whole state: resting orders back on the book, pending cancels rescheduled. */
  private load(accounts: readonly Account[]): void {
    for (const cancelTimer of this.timers) cancelTimer();
    this.timers.clear();
    this.accounts.clear();
    this.lifecycle = this.newLifecycle();
    const open: Array<{ acct: Account; order: Order }> = [];
    for (const acct of accounts) {
      this.accounts.set(acct.accessKey, acct);
      for (const order of acct.orders.values()) if (order.state === 'wait') open.push({ acct, order });
    }
    // Time priority among resting orders survives the restore (stable sort keeps ties in file order).
    open.sort((a, b) => a.order.createdAt - b.order.createdAt);
    for (const { acct, order } of open) this.lifecycle.restore(acct, order);
    for (const acct of accounts) {
      for (const uuid of acct.cancelRequested) this.scheduleCancel(acct, uuid);
    }
  }

  private account(accessKey: string): Account {
    const acct = this.accounts.get(accessKey);
    if (acct === undefined) throw invalidAccessKey();
    return acct;
  }

  private context(acct: Account): ValidationContext {
    return { market: this.market, ...(this.feeOverride === undefined ? {} : { feeRate: this.feeOverride }), available: (c) => acct.available(c) };
  }

  /** The fee rate of a market's fills: the override, else Upbit's table for its quote currency. */
  private feeRateOf(market: string): Decimal {
    return this.feeOverride ?? marketRules(market)?.feeRate ?? dec(DEFAULT_FEE_RATE);
  }

  /** Parse an identifier and refuse one used before; `consume` marks it used at once. */
  private identifier(acct: Account, raw: unknown, label: string, consume: boolean): string | null {
    const identifier = parseIdentifier(raw, label);
    if (identifier === null) return null;
    if (acct.usedIdentifiers.has(identifier)) throw duplicateIdentifier(identifier);
    if (consume) {
      acct.usedIdentifiers.add(identifier);
      this.dirty = true;
    }
    return identifier;
  }

  private lookup(acct: Account, by: OrderLookup): Order | undefined {
    if (by.uuid !== undefined && by.uuid !== '') return acct.orders.get(by.uuid);
    if (by.identifier !== undefined && by.identifier !== '') {
      const uuid = acct.byIdentifier.get(by.identifier);
      return uuid === undefined ? undefined : acct.orders.get(uuid);
    }
    throw validationError('uuid or identifier is required');
  }

  private find(acct: Account, by: OrderLookup): Order {
    const order = this.lookup(acct, by);
    if (order === undefined) throw orderNotFound();
    return order;
  }

  private requestCancel(acct: Account, order: Order): void {
    if (acct.cancelRequested.has(order.uuid)) return;
    acct.cancelRequested.add(order.uuid);
    this.dirty = true;
    this.scheduleCancel(acct, order.uuid);
  }

  private scheduleCancel(acct: Account, uuid: string): void {
    if (this.closed) return;
    const cancelTimer = this.schedule(() => {
      this.timers.delete(cancelTimer);
      this.unasked(() => {
        const order = acct.orders.get(uuid);
        if (order?.state === 'wait') this.lifecycle.finish(acct, order, 'cancel', this.now());
      });
    }, this.cancelDelayMs);
    this.timers.add(cancelTimer);
  }

  /**
   * Run a state change, save it, then deliver the events it queued (also when it threw half
   * way: an identifier is used up even by an order that failed). When the save fails, the
   * change is undone, its events dropped, and {@link StateNotSavedError} thrown instead.
   */
  private mutate<T>(change: () => T): T {
    if (this.closed) throw new Error('The exchange is closed; it accepts no more changes.');
    // Events before this mark belong to an outer change still being delivered (a listener called back).
    const mark = this.queue.length;
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: change() };
    } catch (error) {
      result = { ok: false, error };
    }
    if (this.persist !== undefined && (this.dirty || this.queue.length > mark)) {
      const state = this.snapshot();
      try {
        this.persist(state);
      } catch (error) {
        this.queue.length = mark;
        this.dirty = false;
        this.load(parseSnapshot(this.durable, UNIT_CURRENCY));
        throw new StateNotSavedError({ cause: error });
      }
      this.durable = state;
    }
    this.dirty = false;
    this.flush();
    if (!result.ok) throw result.error;
    return result.value;
  }

  /** A change nobody asked for (a market trade, a cancel completing): a failed save undoes it, and the owner of `persist` has reported it. */
  private unasked(change: () => void): void {
    try {
      this.mutate(change);
    } catch (error) {
      if (!(error instanceof StateNotSavedError)) throw error;
    }
  }

  private flush(): void {
    if (this.flushing) return; // the outer flush delivers what a listener's call queued
    this.flushing = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(e);
          } catch (error) {
            this.onListenerError(error);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

function emptyCancelResult(): CancelResult {
  return { success: { count: 0, orders: [] }, failed: { count: 0, orders: [] } };
}

function push(part: CancelResult['success'], o: { uuid: string; market: string; identifier: string | null }): void {
  part.orders.push(o);
  part.count = part.orders.length;
}
