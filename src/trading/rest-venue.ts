/**
 * The venue for Upbit and the simulator: REST for requests, the private WebSocket (when its
 * URL is given) for `myOrder`/`myAsset` events and the reconnect signal that triggers REST
 * reconciliation.
 */
import { createHash } from 'node:crypto';

import { silentLogger, type Logger } from '../runtime/logger.js';
import type { ApiKeys } from '../upbit/credentials.js';
import { PrivateClient } from '../upbit/private-client.js';
import { authorizationHeader } from '../upbit/rest/auth.js';
import type { UpbitRestClient } from '../upbit/rest/client.js';
import type { CallOptions } from '../upbit/rest/caller.js';
import type { RateGroupStatus } from '../upbit/rest/rate-limiter.js';
import type {
  Balance,
  ClosedOrdersQuery,
  Instrument,
  OpenOrdersQuery,
  Order,
  OrderChance,
  OrderRef,
  OrderRequest,
  OrderWithTrades,
  TickerSnapshot,
} from '../upbit/rest/types.js';
import type { SocketTuning } from '../upbit/socket/options.js';
import type { ConnectionStatus } from '../upbit/socket/status.js';
import type { MyAssetEvent, MyOrderEvent } from '../upbit/types.js';
import type { PrivateStreamStatus, Venue, VenueKind } from './venue.js';

export interface RestVenueOptions {
  client: UpbitRestClient;
  /** The keys the client signs with; only the access key's hash leaves this module. */
  keys: ApiKeys;
  /** @default 'live' */
  kind?: Extract<VenueKind, 'live' | 'sim'>;
  /** `/websocket/v1/private` URL; without it there are no events and `run` only waits. */
  privateWsUrl?: string;
  /** Reconnect and keepalive tuning of the private stream. */
  privateTuning?: SocketTuning;
  /** @default silentLogger */
  logger?: Logger;
}

/** A stable, non-secret account id: the first 12 hex digits of sha256(access key). */
export function accountIdOf(accessKey: string): string {
  return createHash('sha256').update(accessKey, 'utf8').digest('hex').slice(0, 12);
}

export class RestVenue implements Venue {
  readonly kind: VenueKind;
  readonly endpoint: string;
  readonly accountId: string;
  readonly #client: UpbitRestClient;
  readonly #private: PrivateClient | undefined;
  readonly #orderListeners = new Set<(e: MyOrderEvent) => void>();
  readonly #assetListeners = new Set<(e: MyAssetEvent) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #statusListeners = new Set<(s: ConnectionStatus) => void>();
  #status: ConnectionStatus = { state: 'connecting', attempt: 1 };
  readonly #log: Logger;
  readonly privateStream: PrivateStreamStatus | undefined;
  readonly orderBudget = (): RateGroupStatus => this.#client.limiter.group('order');

  constructor(opts: RestVenueOptions) {
    this.kind = opts.kind ?? 'live';
    this.#client = opts.client;
    this.endpoint = opts.client.baseUrl;
    this.accountId = accountIdOf(opts.keys.accessKey);
    this.#log = (opts.logger ?? silentLogger).child({ component: 'rest-venue' });
    const keys = opts.keys;
    this.#private =
      opts.privateWsUrl === undefined
        ? undefined
        : new PrivateClient({
            ...opts.privateTuning,
            url: opts.privateWsUrl,
            authorization: () => authorizationHeader(keys),
            logger: opts.logger,
            onOrder: (e) => emit(this.#orderListeners, e, this.#log),
            onAsset: (e) => emit(this.#assetListeners, e, this.#log),
            onReconnected: () => emit(this.#reconnectListeners, undefined, this.#log),
            onStatus: (status) => {
              this.#status = status;
              emit(this.#statusListeners, status, this.#log);
            },
          });
    this.#private?.setSubscriptions({ myOrder: {}, myAsset: true });
    this.privateStream =
      this.#private === undefined ? undefined : { status: () => this.#status, onStatus: (listener) => subscribe(this.#statusListeners, listener) };
  }

  accounts(options?: CallOptions): Promise<Balance[]> {
    return this.#client.accounts(options);
  }
  chance(market: string, options?: CallOptions): Promise<OrderChance> {
    return this.#client.chance(market, options);
  }
  instruments(markets: readonly string[], options?: CallOptions): Promise<Instrument[]> {
    return this.#client.instruments(markets, options);
  }
  tickers(markets: readonly string[], options?: CallOptions): Promise<TickerSnapshot[]> {
    return this.#client.tickers(markets, options);
  }
  placeOrder(order: OrderRequest, options?: CallOptions): Promise<Order> {
    return this.#client.placeOrder(order, options);
  }
  getOrder(ref: OrderRef, options?: CallOptions): Promise<OrderWithTrades> {
    return this.#client.getOrder(ref, options);
  }
  cancelOrder(ref: OrderRef, options?: CallOptions): Promise<Order> {
    return this.#client.cancelOrder(ref, options);
  }
  openOrders(query?: OpenOrdersQuery, options?: CallOptions): Promise<Order[]> {
    return this.#client.openOrders(query, options);
  }
  closedOrders(query?: ClosedOrdersQuery, options?: CallOptions): Promise<Order[]> {
    return this.#client.closedOrders(query, options);
  }

  onOrderEvent(listener: (e: MyOrderEvent) => void): () => void {
    return subscribe(this.#orderListeners, listener);
  }
  onAssetEvent(listener: (e: MyAssetEvent) => void): () => void {
    return subscribe(this.#assetListeners, listener);
  }
  onReconnected(listener: () => void): () => void {
    return subscribe(this.#reconnectListeners, listener);
  }

  /** Kernel task body: the private stream until `signal` aborts (or just the wait, without one). */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#private !== undefined) return this.#private.run(signal);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Release the REST connection pool (in-flight calls finish first). */
  close(): Promise<void> {
    return this.#client.close();
  }
}

function subscribe<T>(set: Set<T>, listener: T): () => void {
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

/** Listeners must not throw; one that does is logged and the rest still hear the event. */
function emit<E>(set: Set<(e: E) => void>, e: E, log: Logger): void {
  for (const listener of [...set]) {
    try {
      listener(e);
    } catch (error) {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'a venue event listener threw');
    }
  }
}
