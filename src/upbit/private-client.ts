/**
 * The private WebSocket client: one connection to `/websocket/v1/private` carrying `myOrder`
 * and `myAsset` (docs/upbit-protocol.md#websocket-transport, #myorder, #myasset), with the same discipline as the
 * quotation stream ({@link UpbitSocket}: full-jitter reconnects, ≤ 5 attempts and requests a
 * second, keepalive pings, the whole desired set resent after every reconnect).
 *
 * What is particular here:
 * - Every connection attempt carries a freshly signed `Authorization: Bearer <JWT>` (a nonce
 *   is single-use, docs/upbit-protocol.md#authentication). The header is never logged.
 * - A refused key (HTTP 401 on the upgrade, or an `INVALID_AUTH` error frame) is a credentials
 *   problem: status `offline` with a sentence saying which variables to check, and a slower,
 *   capped backoff — never a hammering loop.
 * - myOrder/myAsset have no snapshot (docs/upbit-protocol.md#private-streams-have-no-snapshot), and fills can happen while we are away, so
 *   `onReconnected` fires after every connection (the first included) once the subscription
 *   request has gone out: the order service then reconciles open orders and balances over
 *   REST, and anything after that REST read arrives on the stream.
 */
import { silentLogger, type Logger } from '../runtime/logger.js';
import { parsePrivateFrame } from './parse-private.js';
import type { SocketTuning } from './socket/options.js';
import type { ConnectionStatus, SocketStats } from './socket/status.js';
import { UpbitSocket } from './socket/upbit-socket.js';
import type { MyAssetEvent, MyOrderEvent } from './types.js';
import type { TypeRequestWire } from './wire.js';

export type { ConnectionStatus } from './socket/status.js';

/** The desired private streams: the source of truth, resent whole after every reconnect. */
export interface PrivateSubscriptions {
  /** Order events; `codes` omitted or empty means every market (docs/upbit-protocol.md#myorder). Null: none. */
  myOrder: { codes?: string[] } | null;
  /** Balance events (docs/upbit-protocol.md#myasset; never takes codes). */
  myAsset: boolean;
}

export interface PrivateClientOptions extends SocketTuning {
  /** e.g. `wss://api.upbit.com/websocket/v1/private`. */
  url: string;
  /**
   * A fresh `Bearer <JWT>` (payload `access_key`, `nonce`; no `query_hash`), asked for before
   * every connection attempt. Supplied by the app from the REST auth module; never logged.
   * A throw fails that attempt as a credentials problem.
   */
  authorization: () => string | Promise<string>;
  /** Key style Upbit should use; both are parsed. @default 'DEFAULT' */
  format?: 'DEFAULT' | 'SIMPLE';
  /** @default silentLogger */
  logger?: Logger;
  /** Called synchronously for every order event (a fill or a new state); never throw. */
  onOrder: (e: MyOrderEvent) => void;
  /** Called synchronously for every balance event; never throw. */
  onAsset: (e: MyAssetEvent) => void;
  /** Called only when the status changes. */
  onStatus?: (s: ConnectionStatus) => void;
  /**
   * After every connection opened (the first is `connection: 1`) and the subscriptions went
   * out on it: reconcile open orders and balances over REST now, since the stream has no
   * snapshot and events during an outage are lost. Called synchronously; never throw.
   */
  onReconnected?: (info: { connection: number }) => void;
  onInvalid?: (reason: string) => void;
}

export type PrivateStats = SocketStats;

/** The status-bar sentence for a refused key. */
export const CREDENTIALS_REFUSED = 'Upbit refused the API key for the private stream (401): check UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY';

/** What `authorization()` must return: a bearer token of visible ASCII (a JWT is base64url and dots). */
const BEARER = /^Bearer [\x21-\x7e]+$/;

export class PrivateClient {
  readonly #socket: UpbitSocket;
  readonly #log: Logger;
  readonly #onOrder: (e: MyOrderEvent) => void;
  readonly #onAsset: (e: MyAssetEvent) => void;
  #subs: PrivateSubscriptions = { myOrder: null, myAsset: false };

  constructor(opts: PrivateClientOptions) {
    const { url, authorization, format, logger, onOrder, onAsset, onStatus, onReconnected, onInvalid, ...tuning } = opts;
    this.#log = logger?.child({ component: 'private-ws' }) ?? silentLogger;
    this.#onOrder = onOrder;
    this.#onAsset = onAsset;
    this.#socket = new UpbitSocket({
      ...tuning,
      url,
      label: 'private',
      logger: this.#log,
      format: format ?? 'DEFAULT',
      handshakeHeaders: () => signedHeaders(authorization),
      onFrame: (data, at) => this.#onFrame(data, at),
      onConnected: onReconnected === undefined ? undefined : (connection) => onReconnected({ connection }),
      onStatus,
      onInvalid,
      refusal: (status) => (status === 401 ? { reason: CREDENTIALS_REFUSED } : undefined),
    });
  }

  /**
   * Replace the desired streams. While connected the whole set is sent again (a request
   * replaces the previous one on Upbit), coalesced per tick and at most 5 a second. With
   * nothing wanted the connection is closed (1000) and none is made until something is
   * wanted again (see `UpbitSocket.setRequest`).
   */
  setSubscriptions(subs: PrivateSubscriptions): void {
    const codes = subs.myOrder?.codes;
    this.#subs = { myOrder: subs.myOrder === null ? null : codes === undefined ? {} : { codes: [...codes] }, myAsset: subs.myAsset };
    const types: TypeRequestWire[] = [];
    // `codes` omitted (not `[]`) for every market: the documented form (docs/upbit-protocol.md#myorder).
    if (this.#subs.myOrder !== null) {
      const wanted = this.#subs.myOrder.codes;
      types.push(wanted !== undefined && wanted.length > 0 ? { type: 'myOrder', codes: [...wanted] } : { type: 'myOrder' });
    }
    // `codes` on myAsset is a WRONG_FORMAT error (docs/upbit-protocol.md#myasset).
    if (this.#subs.myAsset) types.push({ type: 'myAsset' });
    this.#socket.setRequest(types);
  }

  subscriptions(): PrivateSubscriptions {
    const order = this.#subs.myOrder;
    return { myOrder: order === null ? null : order.codes === undefined ? {} : { codes: [...order.codes] }, myAsset: this.#subs.myAsset };
  }

  stats(): PrivateStats {
    return this.#socket.stats();
  }

  /**
   * Kernel task body: connects, reconnects with backoff, and resolves once `signal` aborts and
   * the socket is closed. Network and credential problems are statuses, never rejections; it
   * rejects only for bugs (a callback threw).
   */
  run(signal: AbortSignal): Promise<void> {
    return this.#socket.run(signal);
  }

  #onFrame(data: Parameters<typeof parsePrivateFrame>[0], at: number): void {
    for (const ev of parsePrivateFrame(data)) {
      switch (ev.kind) {
        case 'order':
          this.#onOrder(ev.order);
          break;
        case 'asset':
          this.#onAsset(ev.asset);
          break;
        case 'invalid':
          this.#socket.noteInvalid(ev.reason, at);
          break;
        case 'error':
          if (ev.name === 'INVALID_AUTH') {
            this.#log.warn({ name: ev.name }, 'Upbit refused the API key for the private stream');
            this.#socket.refuse({ reason: CREDENTIALS_REFUSED });
          } else {
            this.#log.warn({ name: ev.name, message: ev.message }, 'Upbit rejected the private request');
          }
          break;
        case 'status':
          // The answer to a text `PING`; we keep alive with protocol pings instead.
          break;
      }
    }
  }
}

/** The upgrade headers for one attempt; a failure is worded for the status bar. */
async function signedHeaders(authorization: () => string | Promise<string>): Promise<Record<string, string>> {
  let value: unknown;
  try {
    value = await authorization();
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot sign the private-stream handshake (${why}): check UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY`, { cause });
  }
  // Never echo the value: it is a credential.
  if (typeof value !== 'string' || !BEARER.test(value)) throw new Error('cannot sign the private-stream handshake: authorization() did not return "Bearer <JWT>"');
  return { Authorization: value };
}
