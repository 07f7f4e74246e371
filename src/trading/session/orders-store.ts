/**
 * The orders as the trading session knows them: the account's open orders (placed here, from
 * another upbit-tui, or on Upbit's own site), its recent fills, and this app's attempts from
 * the order journal. Kept current from `myOrder` events, from `GET /v1/orders/open`
 * (https://docs.upbit.com/kr/reference/list-open-orders) and from the order service's answers
 * to placements and cancels.
 *
 * Amounts are named as the order intent names them: a market buy's spend is `total`, a limit
 * order's unit price `price` (Upbit's wire calls both `price`).
 */
import { Money, type Decimal } from '../decimal.js';
import type { AttemptState, IntentSource, IntentWithAttempts, RejectionInput } from '../journal/index.js';
import type { Order } from '../../upbit/rest/types.js';
import type { MyOrderEvent } from '../../upbit/types.js';
import type { Side } from '../../upbit/order-types.js';
import { Publisher, type ExternalStore, type PublisherOptions } from './publisher.js';

export interface OpenOrder {
  uuid: string;
  identifier: string | null;
  market: string;
  side: Side;
  /** `limit`, `price` (market buy), `market` (market sell), `best`, or what the exchange said. */
  ordType: string;
  state: 'wait' | 'watch' | 'trade';
  /** Unit price of a limit order; null for the other types. */
  price: Decimal | null;
  /** The quote a market or best-price buy spends; null for the other types. */
  total: Decimal | null;
  volume: Decimal | null;
  remainingVolume: Decimal | null;
  executedVolume: Decimal | null;
  /** Placed (ms), when known. */
  createdAt: number | null;
}

export interface OrderFill {
  /** Unique per fill. */
  tradeUuid: string;
  /** The order it filled. */
  uuid: string;
  identifier: string | null;
  market: string;
  side: Side;
  price: Decimal;
  volume: Decimal;
  fee: Decimal | null;
  isMaker: boolean | null;
  /** ms */
  at: number;
}

/** One of this app's attempts (one identifier), as the journal has it. */
export interface AttemptView {
  identifier: string;
  uuid: string | null;
  state: AttemptState;
  market: string;
  side: Side;
  ordType: string;
  /** Decimal strings as journalled; `total` for market and best-price buys. */
  price: string | null;
  volume: string | null;
  total: string | null;
  source: IntentSource;
  note: string | null;
  error: RejectionInput | null;
  createdAt: number;
  updatedAt: number;
}

export interface OrdersSnapshot {
  version: number;
  /** True once open orders were read over REST. */
  loaded: boolean;
  /** Newest first. */
  open: readonly OpenOrder[];
  /** Newest first, at most `maxFills`. */
  fills: readonly OrderFill[];
  /** This app's attempts, newest first, at most `maxAttempts`. */
  attempts: readonly AttemptView[];
  syncedAt: number | null;
  syncError: string | null;
}

/** Open orders, of one market when given. */
export function selectOpenOrders(s: OrdersSnapshot, market?: string): readonly OpenOrder[] {
  return market === undefined ? s.open : s.open.filter((o) => o.market === market);
}

/** Open orders this app placed (the journal has their identifier). */
export function selectMyOpenOrders(s: OrdersSnapshot, market?: string): readonly OpenOrder[] {
  const mine = new Set(s.attempts.map((a) => a.identifier));
  return selectOpenOrders(s, market).filter((o) => o.identifier !== null && mine.has(o.identifier));
}

export function selectFills(s: OrdersSnapshot, market?: string): readonly OrderFill[] {
  return market === undefined ? s.fills : s.fills.filter((f) => f.market === market);
}

export interface OrdersStoreOptions extends PublisherOptions {
  /** @default 100 */
  maxFills?: number;
  /** @default 100 */
  maxAttempts?: number;
}

const OPEN_STATES: ReadonlySet<string> = new Set(['wait', 'watch', 'trade']);
/** Ended orders remembered against late answers; far more than end within one REST round trip. */
const MAX_ENDED = 1_000;

export class OrdersStore implements ExternalStore<OrdersSnapshot> {
  readonly #open = new Map<string, OpenOrder>();
  readonly #fills = new Map<string, OrderFill>();
  readonly #publisher: Publisher<OrdersSnapshot>;
  readonly #now: () => number;
  readonly #maxFills: number;
  readonly #maxAttempts: number;
  #attempts: readonly AttemptView[] = [];
  #loaded = false;
  #syncedAt: number | null = null;
  #syncError: string | null = null;
  /** Orders the stream or an answer changed while a REST read is on its way (null: no read). */
  #touched: Set<string> | null = null;
  /**
   * Orders known to have ended (done, cancel), most recent last: an answer or a list that
   * comes after the stream told the end (a POST's answer often does) never brings one back.
   */
  readonly #ended = new Set<string>();
  /** How many fills the last snapshot had: a journal read that adds none publishes nothing. */
  #publishedFills = 0;

  constructor(options: OrdersStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxFills = options.maxFills ?? 100;
    this.#maxAttempts = options.maxAttempts ?? 100;
    this.#publisher = new Publisher((version) => this.#build(version), options);
  }

  readonly getSnapshot = (): OrdersSnapshot => this.#publisher.getSnapshot();
  readonly subscribe = (listener: () => void): (() => void) => this.#publisher.subscribe(listener);

  /** A `myOrder` event: the order's new state, and on `trade` one fill. */
  applyEvent(e: MyOrderEvent): void {
    this.#touched?.add(e.uuid);
    if (e.fill !== null) {
      const f = e.fill;
      this.#fills.set(f.tradeUuid, { tradeUuid: f.tradeUuid, uuid: e.uuid, identifier: e.identifier, market: e.market, side: e.side, price: f.price, volume: f.volume, fee: f.fee, isMaker: f.isMaker, at: f.timestamp });
      this.#trimFills();
    }
    const state = e.state === 'wait' || e.state === 'watch' || e.state === 'trade' ? e.state : null;
    if (state === null) {
      this.#end(e.uuid);
    } else if (!this.#ended.has(e.uuid)) {
      const known = this.#open.get(e.uuid);
      // On a fill the wire's price/volume are the fill's (parse-private.ts): keep the order's own.
      const amounts = state === 'trade' && known !== undefined ? { price: known.price, total: known.total, volume: known.volume } : split(e.orderType, e.side, e.price, e.volume);
      this.#open.set(e.uuid, {
        uuid: e.uuid,
        identifier: e.identifier,
        market: e.market,
        side: e.side,
        ordType: e.orderType,
        state,
        ...amounts,
        remainingVolume: e.remainingVolume,
        executedVolume: e.executedVolume,
        createdAt: e.orderTimestamp ?? known?.createdAt ?? null,
      });
    }
    this.#publisher.changed();
  }

  /** An order as the exchange answered a placement, a cancel or a lookup. */
  applyOrder(o: Order): void {
    this.#touched?.add(o.uuid);
    if (!OPEN_STATES.has(o.state)) this.#end(o.uuid);
    else if (!this.#ended.has(o.uuid)) this.#open.set(o.uuid, fromOrder(o));
    this.#publisher.changed();
  }

  /** A REST read of the open orders starts: events and answers from now on win over its list. */
  beginSync(): void {
    this.#touched = new Set();
  }

  /** The whole list of open orders (read after {@link beginSync}). */
  applySync(open: readonly Order[]): void {
    const touched = this.#touched ?? new Set<string>();
    this.#touched = null;
    const listed = new Set<string>();
    for (const o of open) {
      listed.add(o.uuid);
      if (!touched.has(o.uuid) && !this.#ended.has(o.uuid)) this.#open.set(o.uuid, fromOrder(o));
    }
    for (const uuid of [...this.#open.keys()]) if (!listed.has(uuid) && !touched.has(uuid)) this.#open.delete(uuid);
    this.#loaded = true;
    this.#syncedAt = this.#now();
    this.#syncError = null;
    this.#publisher.changed();
  }

  syncFailed(reason: string): void {
    this.#touched = null;
    if (this.#syncError === reason) return;
    this.#syncError = reason;
    this.#publisher.changed();
  }

  /**
   * This app's intents from the journal, newest first, as `journal.intents()` returns them:
   * the attempts, and their fills (which the stream may not have told: an earlier run's).
   */
  applyJournal(intents: readonly IntentWithAttempts[]): void {
    const attempts: AttemptView[] = [];
    for (const intent of intents) {
      for (const a of [...intent.attempts].reverse()) {
        attempts.push({
          identifier: a.identifier,
          uuid: a.uuid,
          state: a.state,
          market: intent.market,
          side: intent.side,
          ordType: intent.ordType,
          price: intent.price,
          volume: intent.volume,
          total: intent.total,
          source: intent.source,
          note: intent.note,
          error: a.error,
          createdAt: a.createdAt,
          updatedAt: a.updatedAt,
        });
        for (const f of a.fills) {
          if (this.#fills.has(f.tradeUuid) || a.uuid === null) continue;
          this.#fills.set(f.tradeUuid, { tradeUuid: f.tradeUuid, uuid: a.uuid, identifier: a.identifier, market: intent.market, side: intent.side, price: new Money(f.price), volume: new Money(f.volume), fee: new Money(f.fee), isMaker: null, at: f.at });
        }
      }
    }
    const next = attempts.slice(0, this.#maxAttempts);
    this.#trimFills();
    if (sameAttempts(this.#attempts, next) && this.#fills.size === this.#publishedFills) return;
    this.#attempts = next;
    this.#publisher.changed();
  }

  close(): void {
    this.#publisher.close();
  }

  #end(uuid: string): void {
    this.#open.delete(uuid);
    this.#ended.delete(uuid);
    this.#ended.add(uuid);
    if (this.#ended.size > MAX_ENDED) {
      const oldest = this.#ended.values().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
  }

  #trimFills(): void {
    if (this.#fills.size <= this.#maxFills) return;
    const newest = [...this.#fills.values()].sort((a, b) => b.at - a.at).slice(0, this.#maxFills);
    this.#fills.clear();
    for (const f of newest) this.#fills.set(f.tradeUuid, f);
  }

  #build(version: number): OrdersSnapshot {
    this.#publishedFills = this.#fills.size;
    return {
      version,
      loaded: this.#loaded,
      open: [...this.#open.values()].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0)),
      fills: [...this.#fills.values()].sort((a, b) => b.at - a.at),
      attempts: this.#attempts,
      syncedAt: this.#syncedAt,
      syncError: this.#syncError,
    };
  }
}

/** Upbit's one `price` field, named for what it is: a limit's unit price or a buy's total. */
function split(ordType: string, side: Side, price: Decimal | null, volume: Decimal | null): { price: Decimal | null; total: Decimal | null; volume: Decimal | null } {
  const spends = ordType === 'price' || (ordType === 'best' && side === 'bid');
  return spends ? { price: null, total: price, volume } : { price: ordType === 'limit' ? price : null, total: null, volume };
}

function fromOrder(o: Order): OpenOrder {
  const spends = o.ordType === 'price' || (o.ordType === 'best' && o.side === 'bid');
  return {
    uuid: o.uuid,
    identifier: o.identifier,
    market: o.market,
    side: o.side,
    ordType: o.ordType,
    state: o.state === 'watch' ? 'watch' : 'wait',
    price: spends || o.ordType !== 'limit' ? null : o.price,
    total: spends ? o.price : null,
    volume: o.volume,
    remainingVolume: o.remainingVolume,
    executedVolume: o.executedVolume,
    createdAt: o.createdAt,
  };
}

function sameAttempts(a: readonly AttemptView[], b: readonly AttemptView[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.identifier !== y.identifier || x.state !== y.state || x.uuid !== y.uuid || x.updatedAt !== y.updatedAt) return false;
  }
  return true;
}
