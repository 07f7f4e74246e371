/**
 * A venue is where the order service sends orders: Upbit or a simulator over REST (with the
 * private stream for events), or the local paper exchange. One interface, so the UI, the CLI
 * and the monitor share one order path whatever the mode.
 *
 * Error contract of `placeOrder` (as UpbitRestClient's): resolved → the order exists;
 * `OrderOutcomeUnknownError` → it may exist (resolve by identifier before anything else);
 * any other error → it was definitely not placed.
 */
import type { ConnectionStatus } from '../upbit/socket/status.js';
import type { MyOrderEvent, MyAssetEvent } from '../upbit/types.js';
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
  RateGroupStatus,
  TickerSnapshot,
} from '../upbit/rest/index.js';

export type VenueKind = 'live' | 'sim' | 'paper';

export interface Venue {
  readonly kind: VenueKind;
  /**
   * Where the venue sends orders (the REST base URL, or `paper:<quotes>`), for logs. The CLI keys
   * its journal on the trading mode's exchange instead (src/app/trading-mode.ts), not on a URL.
   */
  readonly endpoint: string;
  /** Stable, non-secret account id (e.g. a hash of the access key), for the journal. */
  readonly accountId: string;
  accounts(options?: CallOptions): Promise<Balance[]>;
  chance(market: string, options?: CallOptions): Promise<OrderChance>;
  instruments(markets: readonly string[], options?: CallOptions): Promise<Instrument[]>;
  tickers(markets: readonly string[], options?: CallOptions): Promise<TickerSnapshot[]>;
  placeOrder(order: OrderRequest, options?: CallOptions): Promise<Order>;
  /** Throws OrderNotFoundError when the exchange has no such order. */
  getOrder(ref: OrderRef, options?: CallOptions): Promise<OrderWithTrades>;
  cancelOrder(ref: OrderRef, options?: CallOptions): Promise<Order>;
  openOrders(query?: OpenOrdersQuery, options?: CallOptions): Promise<Order[]>;
  closedOrders(query?: ClosedOrdersQuery, options?: CallOptions): Promise<Order[]>;
  /** myOrder events (the private stream, or the paper engine). Returns the release. */
  onOrderEvent(listener: (e: MyOrderEvent) => void): () => void;
  onAssetEvent(listener: (e: MyAssetEvent) => void): () => void;
  /** After the event source (re)connects: the service reconciles over REST then. */
  onReconnected(listener: () => void): () => void;
  /**
   * The private stream, for a venue whose events come over one (Upbit or a simulator with its
   * private WebSocket URL): its connection status, so the trading session knows when events
   * may be missing and reads balances and orders over REST instead. Absent for a venue with no
   * stream (a REST-only CLI run) and for paper, whose events are its own engine's.
   */
  readonly privateStream?: PrivateStreamStatus;
  /**
   * The `order` rate-limit group's budget as the REST client knows it now (Upbit or a
   * simulator over REST), for a status line to read when it redraws. Absent for paper, whose
   * orders send no request.
   */
  readonly orderBudget?: () => RateGroupStatus;
  /** Background work (the private stream, paper fills from market trades) as a kernel task body. */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface PrivateStreamStatus {
  status(): ConnectionStatus;
  /** Told on every change of status. Returns the release. */
  onStatus(listener: (s: ConnectionStatus) => void): () => void;
}
