/**
 * The quotation WebSocket client: keeps one connection to Upbit's public stream alive, sends
 * the wanted subscriptions, and hands every ticker to `onTicker` and every trade, book and
 * candle to `onMarketData`, synchronously. The market feed (src/trading/feed/) owns one and
 * decides what it subscribes.
 *
 * The connection discipline (reconnect with full jitter, at most 5 connection attempts and 5
 * requests per second, keepalive pings and liveness, the whole desired set resent after every
 * reconnect, statuses in plain words) lives in {@link UpbitSocket}; this file is what is
 * particular to the quotation stream: its subscriptions and their dispatch.
 */
import { silentLogger, type Logger } from '../runtime/logger.js';
import { forEachQuotationEvent, type QuotationFrameData } from './parse.js';
import type { SocketTuning } from './socket/options.js';
import type { ConnectionStatus, SocketStats } from './socket/status.js';
import { UpbitSocket } from './socket/upbit-socket.js';
import type { CandleType, QuotationEvent, Ticker } from './types.js';

export type { ConnectionStatus } from './socket/status.js';

/** The data types this client can hand over; widen together with the dispatcher. */
export type SubscriptionType = 'ticker' | 'trade' | 'orderbook' | CandleType;

/** A trade, a whole order book or a candle, as parsed (see `parse-trade.ts` and beside it). */
export type MarketDataEvent = Extract<QuotationEvent, { kind: 'trade' | 'orderbook' | 'candle' }>;

export interface Subscription {
  type: SubscriptionType;
  /** Upper-case market codes, e.g. `KRW-BTC`. */
  codes: string[];
}

export interface QuotationClientOptions extends SocketTuning {
  /** e.g. `wss://api.upbit.com/websocket/v1`. */
  url: string;
  /** Key style Upbit should use; both are parsed. @default 'DEFAULT' */
  format?: 'DEFAULT' | 'SIMPLE';
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Called synchronously from the socket's message handler; keep it cheap, never throw. `at` is
   * when its frame arrived, on the socket's clock (`now`), read once per frame: a store on the
   * same clock can take it instead of reading the clock again per tick.
   */
  onTicker: (t: Ticker, at: number) => void;
  /** Every trade, order book and candle, synchronously, in order; the same rules as `onTicker`. @default dropped */
  onMarketData?: (ev: MarketDataEvent) => void;
  /** Called only when the status changes. */
  onStatus?: (s: ConnectionStatus) => void;
  onInvalid?: (reason: string) => void;
  /** Every frame or pong on the open connection: the link is alive even when no market trades. */
  onActivity?: (at: number) => void;
}

export type QuotationStats = SocketStats;

/**
 * Reconnect backoff of the quotation stream: a trader watching prices must not be blind for
 * long after a drop, so the full-jitter ceiling doubles from 250 ms to 3 s and stays there
 * (mean wait 1.5 s during an outage). Upbit allows 5 connection requests a second per IP
 * (https://docs.upbit.com/kr/reference/rate-limits); the socket spaces attempts at least
 * 220 ms apart whatever the backoff, and at this cap a long outage costs Upbit about one
 * attempt every 1.5 s. The private stream keeps the slower default (its state is
 * reconciled over REST after a reconnect anyway).
 */
export const QUOTATION_BACKOFF = { baseMs: 250, capMs: 3_000 } as const;

export class QuotationClient {
  readonly #socket: UpbitSocket;
  readonly #log: Logger;
  readonly #onTicker: (t: Ticker, at: number) => void;
  readonly #onMarketData: ((ev: MarketDataEvent) => void) | undefined;
  #subs: Subscription[] = [];

  constructor(opts: QuotationClientOptions) {
    const { url, format, logger, onTicker, onMarketData, onStatus, onInvalid, onActivity, ...tuning } = opts;
    this.#log = logger?.child({ component: 'quotation-ws' }) ?? silentLogger;
    this.#onTicker = onTicker;
    this.#onMarketData = onMarketData;
    this.#socket = new UpbitSocket({
      ...tuning,
      backoff: tuning.backoff ?? QUOTATION_BACKOFF,
      url,
      label: 'quotation',
      logger: this.#log,
      format: format ?? 'DEFAULT',
      onFrame: (data, at) => this.#onFrame(data, at),
      onStatus,
      onInvalid,
      onActivity,
    });
  }

  /**
   * Replace the desired set — the source of truth. While connected, the whole set is sent
   * again (a new request replaces the old one on Upbit); calls in the same tick are coalesced
   * into one request, and requests are spaced to at most 5 per second, so the latest set is
   * delayed, never dropped. Entries without codes are ignored; an empty set closes the
   * connection (1000) and none is made until something is wanted again, because Upbit has no
   * unsubscribe message (see `UpbitSocket.setRequest`).
   */
  setSubscriptions(subs: Subscription[]): void {
    this.#subs = subs.filter((s) => s.codes.length > 0).map((s) => ({ type: s.type, codes: [...s.codes] }));
    this.#socket.setRequest(this.#subs.map((s) => ({ type: s.type, codes: s.codes })));
  }

  subscriptions(): Subscription[] {
    return this.#subs.map((s) => ({ type: s.type, codes: [...s.codes] }));
  }

  stats(): QuotationStats {
    return this.#socket.stats();
  }

  /**
   * Kernel task body: connects, reconnects with full-jitter backoff, and resolves once
   * `signal` aborts and the socket is closed (close 1000, destroyed after ~1 s). Network
   * problems are statuses, never rejections; it rejects only for bugs (e.g. a callback threw).
   */
  run(signal: AbortSignal): Promise<void> {
    return this.#socket.run(signal);
  }

  /** The receive time of the frame being dispatched, for {@link #dispatch} (set per frame). */
  #frameAt = 0;

  /**
   * One frame: no array and no closure per frame, each event dispatched as it is narrowed, and
   * a DEFAULT ticker handed over bare, without an event around it (docs/performance.md, "After L").
   */
  #onFrame(data: QuotationFrameData, at: number): void {
    this.#frameAt = at;
    forEachQuotationEvent(data, this.#dispatch, this.#ticker);
  }

  readonly #ticker = (t: Ticker): void => {
    this.#onTicker(t, this.#frameAt);
  };

  readonly #dispatch = (ev: QuotationEvent): void => {
    const at = this.#frameAt;
    switch (ev.kind) {
      case 'ticker':
        this.#onTicker(ev.ticker, at);
        break;
      case 'trade':
      case 'orderbook':
      case 'candle':
        this.#onMarketData?.(ev);
        break;
      case 'invalid':
        this.#socket.noteInvalid(ev.reason, at);
        break;
      case 'error':
        this.#log.warn({ name: ev.name, message: ev.message }, 'Upbit rejected the quotation request');
        break;
      case 'status':
        // The answer to a text `PING`; we keep alive with protocol pings instead.
        break;
    }
  };
}
