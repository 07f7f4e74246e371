/**
 * What keeps a trading session's stores current (session.ts builds the session on it): the
 * venue's events, the coalesced REST reads with their backoff, the settled wait, and the
 * placements and cancels through the one order service that each ask for a read after.
 */
import { fullJitterDelay } from '../../runtime/backoff.js';
import { describeError, isCancellation } from '../../runtime/errors.js';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import type { Order } from '../../upbit/rest/types.js';
import type { ConnectionStatus } from '../../upbit/socket/status.js';
import type { IntentSource, OrderJournal } from '../journal/index.js';
import type { OrderDraft } from '../money.js';
import { InvalidOrderError } from '../order-errors.js';
import type { OrderIntent } from '../order-request.js';
import type { OrderService, PlaceOptions, PlaceResult } from '../order-service.js';
import type { Venue } from '../venue.js';
import { AccountStore } from './account-store.js';
import { MarketRules } from './market-rules.js';
import { OrdersStore } from './orders-store.js';
import { preTradeCheck, type PreTradeCheck, type QuoteSource } from './pre-trade.js';
import type { TradingSessionParts } from './session.js';

/** `OrderService.place`'s options with the source the session's own by default. */
export type SessionPlaceOptions = Omit<PlaceOptions, 'source'> & { source?: IntentSource };

type Want = 'account' | 'orders' | 'journal';
/** The shortest wait before a failed read is tried again (the jitter may draw less). */
const MIN_RETRY_MS = 250;
export const EVERYTHING: readonly Want[] = ['account', 'orders', 'journal'];

export class SessionSync {
  readonly account: AccountStore;
  readonly orders: OrdersStore;
  readonly rules: MarketRules;
  readonly #venue: Venue;
  readonly #journal: OrderJournal;
  readonly #service: OrderService;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #coalesceMs: number;
  readonly #maxAttempts: number;
  readonly #source: IntentSource;
  readonly #wanted = new Set<Want>();
  #quotes: QuoteSource | undefined;
  #wake: (() => void) | null = null;
  #streamLive = false;
  /** True while nothing is wanted and the last read worked. */
  #settled = false;
  readonly #settledWaiters = new Set<() => void>();

  constructor(parts: TradingSessionParts) {
    const now = parts.now ?? Date.now;
    this.#log = (parts.logger ?? silentLogger).child({ component: 'trading-session' });
    const publish = { hz: parts.publishHz, now, logger: this.#log };
    this.account = new AccountStore(publish);
    this.orders = new OrdersStore({ ...publish, maxFills: parts.maxFills, maxAttempts: parts.maxAttempts });
    this.rules = new MarketRules(parts.venue, { now, ...parts.rules });
    this.#venue = parts.venue;
    this.#journal = parts.journal;
    this.#service = parts.service;
    this.#quotes = parts.quotes;
    this.#pollMs = Math.max(1, parts.pollMs ?? 5_000);
    this.#coalesceMs = Math.max(0, parts.coalesceMs ?? 100);
    this.#maxAttempts = parts.maxAttempts ?? 100;
    this.#source = parts.source ?? 'ui';
    this.#streamLive = parts.venue.privateStream?.status().state === 'live';
  }

  setQuotes(quotes: QuoteSource | undefined): void {
    this.#quotes = quotes;
  }

  check(draft: OrderDraft): PreTradeCheck {
    return preTradeCheck(draft, { account: this.account, rules: this.rules, quotes: this.#quotes });
  }

  async place(intent: OrderIntent, opts: SessionPlaceOptions): Promise<PlaceResult> {
    const checked = this.check(intent);
    if (!checked.ok) throw new InvalidOrderError(checked.problems);
    try {
      const result = await this.#service.place(intent, { ...opts, source: opts.source ?? this.#source });
      if (result.status === 'acked') this.orders.applyOrder(result.order);
      return result;
    } finally {
      // Whatever happened (acked, unknown, refused): the journal has a new attempt, and funds may be locked.
      this.#want(EVERYTHING);
    }
  }

  async placeAgain(intentId: number, opts: Omit<SessionPlaceOptions, 'source' | 'note'>): Promise<PlaceResult> {
    try {
      const result = await this.#service.placeAgain(intentId, opts);
      if (result.status === 'acked') this.orders.applyOrder(result.order);
      return result;
    } finally {
      this.#want(EVERYTHING);
    }
  }

  async cancel(uuid: string, opts: { signal?: AbortSignal }): Promise<Order> {
    try {
      const order = await this.#service.cancel({ uuid }, opts);
      this.orders.applyOrder(order);
      return order;
    } finally {
      this.#want(EVERYTHING);
    }
  }

  async cancelAllMine(market: string | undefined, opts: { signal?: AbortSignal }): Promise<{ cancelled: Order[]; failed: Array<{ uuid: string; error: string }> }> {
    try {
      const result = await this.#service.cancelAllMine({ ...(market === undefined ? {} : { market }), ...opts });
      for (const order of result.cancelled) this.orders.applyOrder(order);
      return result;
    } finally {
      this.#want(EVERYTHING);
    }
  }

  /**
   * The sync task: listens to the venue's events for as long as it runs, reads over REST when
   * there is a reason to, and keeps the prepared markets' rules fresh. Resolves when `signal`
   * aborts; a failed read is logged, shown in the stores and retried with backoff, never thrown.
   */
  async run(signal: AbortSignal): Promise<void> {
    const offs = [
      this.#venue.onOrderEvent((e) => {
        this.orders.applyEvent(e);
        // A fill or an end: the journal has it (the order service applied it first) and the balances' average price moved.
        this.#want(e.state === 'wait' || e.state === 'watch' ? ['journal'] : EVERYTHING);
      }),
      this.#venue.onAssetEvent((e) => this.account.applyAsset(e)),
      // The stream has no snapshot: whatever happened while it was away is read over REST.
      this.#venue.onReconnected(() => this.#want(EVERYTHING)),
    ];
    const stream = this.#venue.privateStream;
    if (stream !== undefined) {
      offs.push(stream.onStatus((s: ConnectionStatus) => this.#setStreamLive(s.state === 'live')));
      this.#streamLive = stream.status().state === 'live';
    }
    let failures = 0;
    this.#want(EVERYTHING);
    try {
      while (!signal.aborted) {
        // After a failed read, the backoff is waited out whatever comes meanwhile: no hammering of a failing exchange.
        if (failures > 0) await this.#idle(this.#backoff(failures), signal, false);
        else await this.#idle(this.#wanted.size > 0 ? this.#coalesceMs : this.#pollMs, signal, true);
        if (signal.aborted) break;
        // Nothing said for a while and the stream cannot be trusted to say it: read anyway.
        if (this.#wanted.size === 0 && !this.#eventsComplete()) this.#want(EVERYTHING, false);
        // The journal is cheap to read, and another process may have placed through it.
        if (this.#wanted.size === 0) this.#want(['journal'], false);
        const wanted = [...this.#wanted];
        this.#wanted.clear();
        try {
          await this.readNow(wanted, signal);
          await this.#refreshRules(signal);
          failures = 0;
          if (this.#wanted.size === 0) this.#markSettled();
        } catch (error) {
          if (isCancellation(error, signal)) break;
          failures += 1;
          for (const w of wanted) this.#wanted.add(w);
          this.#log.warn({ err: error, failures }, 'could not read the account over REST; trying again');
        }
      }
    } finally {
      for (const off of offs) off();
      this.#wake = null;
    }
  }

  /** Read what `wanted` names now, over REST and from the journal. Rejects with the first failure (the stores show it). */
  async readNow(wanted: readonly Want[], signal?: AbortSignal): Promise<void> {
    const opts = signal === undefined ? {} : { signal };
    const reads: Array<Promise<void>> = [];
    if (wanted.includes('account')) {
      this.account.beginSync();
      reads.push(
        this.#venue.accounts(opts).then(
          (list) => this.account.applySync(list),
          (error: unknown) => {
            this.account.syncFailed(describeError(error));
            throw error;
          },
        ),
      );
    }
    if (wanted.includes('orders')) {
      this.orders.beginSync();
      reads.push(
        this.#venue.openOrders({}, opts).then(
          (open) => this.orders.applySync(open),
          (error: unknown) => {
            this.orders.syncFailed(describeError(error));
            throw error;
          },
        ),
      );
    }
    const settled = await Promise.allSettled(reads);
    // After the REST reads: what they changed in the journal (the order service's) is then in too.
    if (wanted.includes('journal') || wanted.includes('orders')) this.orders.applyJournal(this.#journal.intents({ limit: this.#maxAttempts }));
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
  }

  async #refreshRules(signal: AbortSignal): Promise<void> {
    for (const market of this.rules.stale()) await this.rules.refresh(market, signal);
  }

  /** Events alone keep the stores current only over a live private stream, or from paper's own engine. */
  #eventsComplete(): boolean {
    if (this.#venue.kind === 'paper') return true;
    return this.#venue.privateStream !== undefined && this.#streamLive;
  }

  #setStreamLive(live: boolean): void {
    if (live === this.#streamLive) return;
    this.#streamLive = live;
    // Down: read now, then every pollMs until it is back (and read once more then, on reconnect).
    if (!live) this.#want(EVERYTHING);
  }

  synced(signal?: AbortSignal): Promise<void> {
    if (this.#settled) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#settledWaiters.delete(done);
        reject(signal?.reason as Error);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#settledWaiters.add(done);
    });
  }

  #markSettled(): void {
    this.#settled = true;
    for (const done of [...this.#settledWaiters]) done();
    this.#settledWaiters.clear();
  }

  #want(what: readonly Want[], wake = true): void {
    if (what.some((w) => w !== 'journal')) this.#settled = false;
    for (const w of what) this.#wanted.add(w);
    if (wake) this.#wake?.();
  }

  #backoff(failures: number): number {
    return Math.max(this.#coalesceMs, MIN_RETRY_MS, fullJitterDelay(failures, { baseMs: 500, capMs: Math.max(this.#pollMs, 30_000) }));
  }

  /** Wait `ms`, or until a reason to read comes (then `coalesceMs` more for the rest of the burst), or the abort. */
  async #idle(ms: number, signal: AbortSignal, wakeable: boolean): Promise<void> {
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = null;
        resolve();
      };
      if (signal.aborted) return done();
      timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (!wakeable) return;
      // A reason that comes while waiting out the poll shortens the wait to the coalescing delay.
      this.#wake = () => {
        clearTimeout(timer);
        timer = setTimeout(done, this.#coalesceMs);
        this.#wake = null;
      };
    });
  }
}
