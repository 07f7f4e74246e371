/**
 * Paper trading (issue 4 §5): a `Venue` whose orders fill against the current order book of
 * live or simulated quotes, by the same matching engine the simulator serves (`src/exchange`), so
 * tick grid, minimum total, fees, FOK/IOC and book walking are the exchange's rules and not a
 * second implementation. Orders, balances and errors take exactly the shapes the REST client
 * gives: the engine's answers go through the wire renderers and back through the REST and
 * private-stream parsers.
 *
 * The wallet persists in `<dataDir>/paper/<quotesLabel>.json` (see wallet-file.ts), so paper
 * on Upbit's quotes and paper on the simulator's never share money.
 */
import type { Decimal } from 'decimal.js';

import { sleep } from '../../runtime/backoff.js';
import type { Logger } from '../../runtime/logger.js';
import type { ExchangeEvent, OrderRequest as EngineOrderRequest } from '../../exchange/index.js';
import { ExchangeError, StateNotSavedError, type Exchange, balanceToWire, chanceToWire, myAssetMessage, myOrderMessage, orderToWire } from '../../exchange/index.js';
import { narrowPrivateMessage } from '../../upbit/parse-private.js';
import { ENDPOINTS, endpointName, type Endpoint } from '../../upbit/rest/endpoints.js';
import { mapHttpError } from '../../upbit/rest/errors.js';
import { parseBalance, parseChance, parseOrder, parseOrderWithTrades } from '../../upbit/rest/parse.js';
import type {
  Balance,
  CallOptions,
  ClosedOrdersQuery,
  Instrument,
  OpenOrdersQuery,
  Order,
  OrderChance,
  OrderRef,
  OrderRequest,
  OrderWithTrades,
  TickerSnapshot,
  UpbitRestClient,
} from '../../upbit/rest/index.js';
import type { MyAssetEvent, MyOrderEvent } from '../../upbit/types.js';
import type { Venue } from '../venue.js';
import { catchUp, CatchUpError, readSeen, seenPath, writeSeen } from './catch-up.js';
import type { LiveMarketView } from './market-view.js';
import { walletNotSaved } from './wallet-file.js';
import type { PaperWallet } from './wallet-store.js';

/** The one account of a paper wallet (not a secret: nothing here authenticates). */
export const ACCOUNT = 'paper';
const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;

export interface PaperVenueOptions {
  /** The app's data directory; the wallet is `<dataDir>/paper/<quotesLabel>.json`. */
  dataDir: string;
  /** Quotation REST of Upbit or of the simulator: order books, tickers, instruments. */
  quotes: Pick<UpbitRestClient, 'orderbook' | 'instruments' | 'tickers' | 'candles'>;
  /** Whose quotes these are; each label has its own wallet. */
  quotesLabel: 'upbit' | 'sim';
  /** KRW of a new wallet (only when there is no file yet). @default '10000000' */
  krw?: string;
  /** Clock for orders and fills, ms since epoch. @default Date.now */
  now?: () => number;
  /** @default silentLogger */
  logger?: Logger;
  /** How often `run` polls tickers for markets with open orders when nobody feeds trades. @default 1000 */
  pollMs?: number;
}

export class PaperVenue implements Venue {
  readonly kind = 'paper' as const;
  readonly endpoint: string;
  readonly accountId = ACCOUNT;
  /** Where the wallet lives. */
  readonly file: string;

  private readonly quotes: PaperVenueOptions['quotes'];
  private readonly orderListeners = new Set<(e: MyOrderEvent) => void>();
  private readonly assetListeners = new Set<(e: MyAssetEvent) => void>();
  private readonly offEngine: () => void;
  private readonly pollMs: number;
  private readonly startedAt: number;
  /** Last trade time fed per market by the poller, so one ticker is never applied twice. */
  private readonly polledTradeAt = new Map<string, number>();
  private lastFedAt = Number.NEGATIVE_INFINITY;
  private closing: Promise<void> | undefined;

  /** Use {@link createPaperVenue}. */
  constructor(
    options: PaperVenueOptions,
    /** The wallet file and its engine, changed only in its critical sections (wallet-store.ts). */
    private readonly wallet: PaperWallet,
    private readonly view: LiveMarketView,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** Per market, the time up to which its trades were applied (persisted beside the wallet). */
    private readonly seen: Map<string, number>,
  ) {
    this.endpoint = `paper:${options.quotesLabel}`;
    this.file = wallet.file;
    this.quotes = options.quotes;
    this.pollMs = options.pollMs ?? 1000;
    this.startedAt = now();
    // The engine saves the wallet at every change, before its events come here (create-paper-venue.ts).
    this.offEngine = wallet.on((e) => this.deliver(e));
  }

  /** The engine as the wallet file holds it: read inside a `wallet.locked` section only. */
  private get exchange(): Exchange {
    return this.wallet.engine;
  }

  accounts(options: CallOptions = {}): Promise<Balance[]> {
    return this.answer(options, ENDPOINTS.accounts, () => this.exchange.balances(ACCOUNT).map((b, i) => parseBalance(balanceToWire(b), `accounts[${i}]`)));
  }

  async chance(market: string, options: CallOptions = {}): Promise<OrderChance> {
    await this.view.loadTick(market, options);
    return this.engineCall(ENDPOINTS.chance, () => parseChance(chanceToWire(this.exchange.chance(ACCOUNT, market))));
  }

  instruments(markets: readonly string[], options: CallOptions = {}): Promise<Instrument[]> {
    return this.quotes.instruments(markets, options);
  }

  tickers(markets: readonly string[], options: CallOptions = {}): Promise<TickerSnapshot[]> {
    return this.quotes.tickers(markets, options);
  }

  /**
   * Fill against the book as it is now: the book is fetched first, then the engine places
   * the order synchronously. Any rejection means no order exists (a failed quote fetch
   * included); paper never answers `OrderOutcomeUnknownError`.
   */
  async placeOrder(order: OrderRequest, options: CallOptions = {}): Promise<Order> {
    this.assertOpen();
    await this.view.refresh(order.market, options);
    options.signal?.throwIfAborted();
    this.assertOpen();
    // On disk before it returns, with the identifier it used up (also when the order is refused, as on Upbit).
    return this.engineCall(ENDPOINTS.placeOrder, () => parseOrder(orderToWire(this.exchange.place(ACCOUNT, engineRequest(order)))));
  }

  getOrder(ref: OrderRef, options: CallOptions = {}): Promise<OrderWithTrades> {
    return this.answer(options, ENDPOINTS.getOrder, () =>
      parseOrderWithTrades(orderToWire(this.exchange.get(ACCOUNT, lookup(ref)), { withTrades: true, withExecutedFunds: true })),
    );
  }

  cancelOrder(ref: OrderRef, options: CallOptions = {}): Promise<Order> {
    return this.answer(options, ENDPOINTS.cancelOrder, () => {
      this.assertOpen();
      return parseOrder(orderToWire(this.exchange.cancel(ACCOUNT, lookup(ref))));
    });
  }

  openOrders(query: OpenOrdersQuery = {}, options: CallOptions = {}): Promise<Order[]> {
    const { market, page, limit, orderBy } = query;
    return this.answer(options, ENDPOINTS.openOrders, () =>
      this.exchange
        .list(ACCOUNT, { market, states: query.states ?? ['wait'], page, limit, orderBy })
        .map((o, i) => parseOrder(orderToWire(o, { withExecutedFunds: true }), `orders[${i}]`)),
    );
  }

  /** As Upbit: a window of at most 7 days, the last 7 days when no bound is given. */
  closedOrders(query: ClosedOrdersQuery = {}, options: CallOptions = {}): Promise<Order[]> {
    const { market, limit, orderBy } = query;
    const endTime = query.endTime ?? (query.startTime !== undefined ? query.startTime + SEVEN_DAYS_MS : this.now());
    const startTime = query.startTime ?? endTime - SEVEN_DAYS_MS;
    return this.answer(options, ENDPOINTS.closedOrders, () =>
      this.exchange
        .list(ACCOUNT, { market, states: query.states ?? ['done', 'cancel'], limit, orderBy, startTime, endTime })
        .map((o, i) => parseOrder(orderToWire(o, { withExecutedFunds: true }), `orders[${i}]`)),
    );
  }

  onOrderEvent(listener: (e: MyOrderEvent) => void): () => void {
    this.orderListeners.add(listener);
    return () => this.orderListeners.delete(listener);
  }

  onAssetEvent(listener: (e: MyAssetEvent) => void): () => void {
    this.assetListeners.add(listener);
    return () => this.assetListeners.delete(listener);
  }

  /** Paper has no connection, so nothing ever reconnects. */
  onReconnected(_listener: () => void): () => void {
    return () => undefined;
  }

  /**
   * A trade in the market (the app calls this from its ticker stream): resting limit orders
   * it traded through fill as makers at their own price, up to its volume.
   */
  notifyTrade(market: string, price: Decimal, volume: Decimal, at?: number): void {
    this.lastFedAt = this.now();
    this.feed(market, price, volume, at);
  }

  /**
   * While nobody calls {@link notifyTrade} (a CLI-only session), poll the tickers of markets
   * with open orders every `pollMs` and feed their last trade. Resolves when `signal` aborts.
   */
  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await sleep(this.pollMs, signal);
      } catch {
        return; // aborted: the venue's background work ends, which is not an error
      }
      if (this.closing !== undefined) return;
      if (this.now() - this.lastFedAt < 3 * this.pollMs) continue;
      try {
        await this.pollOnce(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn({ err: error }, 'paper: could not poll tickers for open orders; trying again');
      }
    }
  }

  /**
   * Fill resting orders from the market's candles since each market was last seen (see
   * catch-up.ts). Resolves with how many orders it filled (wholly or in part).
   */
  async catchUp(signal?: AbortSignal): Promise<number> {
    this.assertOpen();
    const open = this.wallet.locked(() => this.exchange.list(ACCOUNT, { states: ['wait'], limit: Number.MAX_SAFE_INTEGER }));
    const from = new Map<string, number>();
    for (const o of open) {
      const placed = Math.max(o.createdAt, this.seen.get(o.market) ?? Number.NEGATIVE_INFINITY);
      from.set(o.market, Math.min(from.get(o.market) ?? Number.POSITIVE_INFINITY, placed));
    }
    if (from.size === 0) return 0;
    const before = new Map(open.map((o) => [o.uuid, o.executedVolume.toFixed()]));
    let seen: ReadonlyMap<string, number>;
    try {
      seen = await catchUp({
        from,
        now: this.now(),
        candles: (market, unit, count, options) => this.quotes.candles(market, unit, count, options),
        trade: (market, price, volume, at) => this.feed(market, price, volume, at),
        signal,
      });
    } catch (error) {
      if (error instanceof CatchUpError) for (const [m, t] of error.seen) this.markSeen(m, t);
      await this.saveSeen();
      throw error;
    }
    for (const [m, t] of seen) this.markSeen(m, t);
    await this.saveSeen();
    return this.wallet.locked(() => open.filter((o) => this.exchange.get(ACCOUNT, { uuid: o.uuid }).executedVolume.toFixed() !== before.get(o.uuid)).length);
  }

  /** Stop the engine (the wallet is already saved: every change was) and release the wallet. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.offEngine();
      try {
        await this.saveSeen();
      } finally {
        this.wallet.close();
      }
    })();
    return this.closing;
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const markets = [...new Set(this.wallet.read((engine) => engine.list(ACCOUNT, { states: ['wait'], limit: Number.MAX_SAFE_INTEGER })).map((o) => o.market))];
    if (markets.length === 0) return;
    for (const t of await this.quotes.tickers(markets, { signal })) {
      const seen = this.polledTradeAt.get(t.market) ?? this.startedAt;
      if (t.tradeTimestamp <= seen) continue;
      this.polledTradeAt.set(t.market, t.tradeTimestamp);
      this.feed(t.market, t.tradePrice, t.tradeVolume, t.tradeTimestamp);
    }
  }

  private markSeen(market: string, at: number): void {
    if (at > (this.seen.get(market) ?? Number.NEGATIVE_INFINITY)) this.seen.set(market, at);
  }

  private async saveSeen(): Promise<void> {
    try {
      // Another process on the wallet may have seen later trades: never write its times back.
      for (const [m, t] of await readSeen(seenPath(this.file))) this.markSeen(m, t);
      await writeSeen(seenPath(this.file), this.seen);
    } catch (error) {
      // Only costs a replay of candles already applied (bounded by each order's volume).
      this.logger.warn({ err: error }, 'paper: could not save which market times were already applied');
    }
  }

  private feed(market: string, price: Decimal, volume: Decimal, at?: number): void {
    if (this.closing !== undefined) return;
    this.markSeen(market, at ?? this.now());
    if (!this.view.hasPrice(market)) this.view.traded(market, price);
    try {
      this.wallet.locked(() => this.exchange.onMarketTrade(market, price, volume, at));
    } catch (error) {
      // As a trade the stream missed: resting orders fill at the next one through them.
      this.logger.warn({ err: error, market }, 'paper: a market trade could not be applied to the wallet');
    } finally {
      this.view.traded(market, price);
    }
  }

  private deliver(e: ExchangeEvent): void {
    if (e.accessKey !== ACCOUNT) return;
    const parsed = narrowPrivateMessage(e.type === 'order' ? myOrderMessage(e) : myAssetMessage(e));
    if (parsed.kind === 'order') for (const l of [...this.orderListeners]) this.call(l, parsed.order);
    else if (parsed.kind === 'asset') for (const l of [...this.assetListeners]) this.call(l, parsed.asset);
    else this.logger.error({ event: parsed }, 'paper: an engine event did not narrow (a bug)');
  }

  private call<T>(listener: (e: T) => void, e: T): void {
    try {
      listener(e);
    } catch (error) {
      this.logger.error({ err: error }, 'a paper event listener threw');
    }
  }

  /** An engine call as the REST client's promise: checked against the signal first, refusals mapped. */
  private answer<T>(options: CallOptions, endpoint: Endpoint, call: () => T): Promise<T> {
    return Promise.resolve().then(() => {
      options.signal?.throwIfAborted();
      return this.engineCall(endpoint, call);
    });
  }

  /**
   * Run an engine call; its refusals become the errors the REST client would throw. A change
   * the wallet could not save was undone by the engine: a {@link PaperWalletError} says so.
   */
  private engineCall<T>(endpoint: Endpoint, call: () => T): T {
    try {
      return this.wallet.locked(call);
    } catch (error) {
      if (error instanceof StateNotSavedError) {
        throw walletNotSaved(this.file, error.cause, endpoint.effect === 'order' ? 'the order was not placed' : endpoint.effect === 'cancel' ? 'the order was not cancelled' : 'nothing was changed');
      }
      if (!(error instanceof ExchangeError)) throw error;
      throw mapHttpError({
        status: error.status,
        body: { name: error.upbitName, message: error.message, text: null },
        endpoint: endpointName(endpoint),
        attempts: 1,
        exchange: true,
        effect: endpoint.effect,
      });
    }
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new Error('The paper venue is closed: no more orders are accepted.');
  }
}

/** The engine takes what `POST /v1/orders` takes: Upbit's field names, amounts as plain strings. */
function engineRequest(o: OrderRequest): EngineOrderRequest {
  return {
    market: o.market,
    side: o.side,
    ord_type: o.ordType,
    ...(o.price !== undefined ? { price: plainAmount(o.price) } : {}),
    ...(o.volume !== undefined ? { volume: plainAmount(o.volume) } : {}),
    ...(o.timeInForce !== undefined ? { time_in_force: o.timeInForce } : {}),
    ...(o.smpType !== undefined ? { smp_type: o.smpType } : {}),
    identifier: o.identifier,
  };
}

function plainAmount(v: Decimal): string {
  return v.toFixed();
}

function lookup(ref: OrderRef): { uuid?: string; identifier?: string } {
  return 'uuid' in ref ? { uuid: ref.uuid } : { identifier: ref.identifier };
}
