/**
 * The trading session: one for the TUI, the CLI and the headless monitor. Built from the
 * parts a composition root already holds (the venue, the order journal, the order service
 * and the mode), it keeps two stores current, runs the pre-trade check from them, and places
 * and cancels through the one order service.
 *
 * Where the stores' data comes from:
 * - the venue's events: `myOrder`/`myAsset` over the private stream (live, sim), or the paper
 *   engine's own as its fill loop fills (paper);
 * - REST: the first read at start, a read after every (re)connect of the private stream (it
 *   has no snapshot, and events are lost while it is down), reads every `pollMs` while the
 *   stream is not live or there is none, and a read after each placement, cancel and fill
 *   (the stream never tells the average buy price). Reads are coalesced: a burst of reasons
 *   costs one read.
 *
 * It holds no release list of its own: {@link createTradingSession} returns its long-lived
 * work as named task bodies and its releases, for the kernel to spawn and acquire.
 */
import type { Logger } from '../../runtime/logger.js';
import { ZERO, type Decimal } from '../decimal.js';
import type { Order } from '../../upbit/rest/types.js';
import type { IntentSource, OrderJournal } from '../journal/index.js';
import type { OrderDraft } from '../money.js';
import type { OrderIntent } from '../order-request.js';
import type { OrderService, PlaceResult } from '../order-service.js';
import { TRADING_TASKS, tradingTasks, type NamedRelease, type NamedTask } from '../under-kernel.js';
import type { Venue, VenueKind } from '../venue.js';
import type { AccountSnapshot } from './account-store.js';
import { tradingRules, type InstrumentTicks, type TradingRules } from '../rules.js';
import type { MarketRulesOptions } from './market-rules.js';
import type { OpenOrder, OrdersSnapshot } from './orders-store.js';
import type { PreTradeCheck, QuoteSource } from './pre-trade.js';
import type { ExternalStore } from './publisher.js';
import { EVERYTHING, SessionSync, type SessionPlaceOptions } from './session-sync.js';

export interface TradingSessionParts {
  /** Chosen once, by the composition root (`TradingMode.kind`). */
  mode: VenueKind;
  venue: Venue;
  journal: OrderJournal;
  /** The one order service of `venue` and `journal`, recovered (`openTradingContext` does it) or `place` throws `NotReadyError`. */
  service: OrderService;
  /** Prices for the check (a market sell's minimum, the book). @default none: those checks are skipped and said */
  quotes?: QuoteSource;
  /** @default silentLogger */
  logger?: Logger;
  /** @default Date.now */
  now?: () => number;
  /** Most store publications a second. @default 12 */
  publishHz?: number;
  /** REST reads this often while the private stream is not live, or when there is none. @default 5000 */
  pollMs?: number;
  /** A reason to read over REST waits this long for others, so a burst costs one read. @default 100 */
  coalesceMs?: number;
  /** How long shutdown waits for orders already sent. @default 1500 */
  drainDeadlineMs?: number;
  /** Who places through this session, for the journal. @default 'ui' */
  source?: IntentSource;
  rules?: MarketRulesOptions;
  /** @default 100 */
  maxFills?: number;
  /** @default 100 */
  maxAttempts?: number;
}

export interface TradingSession {
  readonly mode: VenueKind;
  readonly account: ExternalStore<AccountSnapshot>;
  readonly orders: ExternalStore<OrdersSnapshot>;
  /**
   * The newest available (unlocked) balance of `currency`, applied or not yet published: what
   * the pre-trade check uses, and what a firing rule sizes its sell from.
   */
  available(currency: string): Decimal;
  /** The pre-trade check from cached and streamed state: synchronous, no network. */
  check(draft: OrderDraft): PreTradeCheck;
  /** Read a market's fees, minimums and tick (once; again when old), so `check` knows them. */
  prepare(market: string, signal?: AbortSignal): Promise<void>;
  /**
   * What `check` uses for `market` now, synchronously: its fees and minimums (Upbit's usual
   * ones until `prepare` read them, `known` false) and every instrument tick read so far.
   */
  rules(market: string): { rules: TradingRules; ticks: InstrumentTicks; known: boolean };
  /**
   * Check, then place through the order service. Throws {@link InvalidOrderError} (nothing
   * journalled or sent) when the check finds a problem, else what `OrderService.place` throws.
   */
  place(intent: OrderIntent, opts?: SessionPlaceOptions): Promise<PlaceResult>;
  /** `OrderService.placeAgain` (a fired rule's order that never reached the exchange), with the session's read after. */
  placeAgain(intentId: number, opts?: Omit<SessionPlaceOptions, 'source' | 'note'>): Promise<PlaceResult>;
  /** From now on `place` throws `ShuttingDownError` (quitting); orders already sent carry on, cancels still work. */
  stopNewOrders(): void;
  /** Placements sent and not answered yet. */
  inFlight(): number;
  /**
   * Open orders this app placed, by the journal as it is now (read synchronously), not as the
   * orders store last published it: what quitting asks about must not miss an order placed a
   * moment ago.
   */
  myOpenOrders(): readonly OpenOrder[];
  /** Cancel one order by uuid (see `OrderService.cancel`). */
  cancel(uuid: string, opts?: { signal?: AbortSignal }): Promise<Order>;
  /** Cancel the open orders this app placed (the journal's), of `market` when given; others' are left alone. */
  cancelAllMine(market?: string, opts?: { signal?: AbortSignal }): Promise<{ cancelled: Order[]; failed: Array<{ uuid: string; error: string }> }>;
  /** Read balances, open orders and the journal now (a short-lived run with no sync task calls this). */
  sync(signal?: AbortSignal): Promise<void>;
  /**
   * Resolves once the sync task has read everything there was a reason to read so far (the
   * first read, the one after a reconnect, after a placement): e.g. before a monitor arms its
   * rules. Waits while reads fail; rejects with `signal`'s reason.
   */
  synced(signal?: AbortSignal): Promise<void>;
  /** Wire prices in once the feed exists (replaces the earlier source). */
  setQuotes(quotes: QuoteSource | undefined): void;
}

export interface BuiltSession {
  session: TradingSession;
  /** Named kernel task bodies: the private stream (or paper fills), the order service, the account sync. */
  tasks: readonly NamedTask[];
  /** For the kernel to acquire: the stores' publication timers. */
  releases: readonly NamedRelease[];
}


export function createTradingSession(parts: TradingSessionParts): BuiltSession {
  const sync = new SessionSync(parts);
  const session: TradingSession = {
    mode: parts.mode,
    account: sync.account,
    orders: sync.orders,
    available: (currency) => sync.account.current(currency)?.balance ?? ZERO,
    check: (draft) => sync.check(draft),
    prepare: async (market, signal) => {
      await sync.rules.prepare(market, signal);
    },
    rules: (market) => {
      const known = sync.rules.get(market);
      return { rules: known?.rules ?? tradingRules(market), ticks: sync.rules.ticks(), known: known !== undefined };
    },
    place: (intent, opts = {}) => sync.place(intent, opts),
    placeAgain: (intentId, opts = {}) => sync.placeAgain(intentId, opts),
    cancel: (uuid, opts = {}) => sync.cancel(uuid, opts),
    cancelAllMine: (market, opts = {}) => sync.cancelAllMine(market, opts),
    stopNewOrders: () => parts.service.beginShutdown(),
    inFlight: () => parts.service.inFlightCount(),
    myOpenOrders: () => {
      const mine = new Set(parts.journal.intents({ limit: parts.maxAttempts ?? 100 }).flatMap((i) => i.attempts.map((a) => a.identifier)));
      return sync.orders.getSnapshot().open.filter((o) => o.identifier !== null && mine.has(o.identifier));
    },
    sync: (signal) => sync.readNow(EVERYTHING, signal),
    synced: (signal) => sync.synced(signal),
    setQuotes: (quotes) => sync.setQuotes(quotes),
  };
  return {
    session,
    tasks: [...tradingTasks({ venue: parts.venue, service: parts.service, drainDeadlineMs: parts.drainDeadlineMs }), { name: TRADING_TASKS.sync, run: (signal) => sync.run(signal) }],
    releases: [
      {
        name: 'trading session stores',
        release: () => {
          sync.account.close();
          sync.orders.close();
        },
      },
    ],
  };
}
