/**
 * The request side of an Upbit socket: the desired data types, sent whole with a fresh ticket
 * whenever the socket opens or the set changes, never more than 5 requests a second per
 * connection (https://docs.upbit.com/kr/reference/rate-limits) — the latest set is delayed,
 * never dropped — and never twice the same set on one connection.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from '../../runtime/logger.js';
import type { TypeRequestWire } from '../wire.js';

export type SocketFormat = 'DEFAULT' | 'SIMPLE';

/** Upbit allows 5 request messages per second per connection (https://docs.upbit.com/kr/reference/rate-limits). */
const MAX_SENDS_PER_SECOND = 5;

type RequestElement = { ticket: string } | TypeRequestWire | { format: SocketFormat };

export class RequestSender {
  readonly #format: SocketFormat;
  readonly #label: string;
  readonly #log: Logger;
  readonly #now: () => number;

  #types: TypeRequestWire[] = [];
  /** The socket requests go to: set while open, null otherwise. */
  #socket: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** When the last (up to 5) requests went out on the current socket. */
  #sendTimes: number[] = [];
  /** The data-type part of the last request on the current socket, to skip no-op resends. */
  #lastSentBody: string | null = null;

  readonly #onEmpty: () => void;

  /**
   * `onEmpty` is called, instead of a send, when the set is empty on an open socket (at attach,
   * or when a change to the empty set is flushed): Upbit has no unsubscribe message and rejects
   * a request without types, so the socket closes the connection instead.
   */
  constructor(opts: { format: SocketFormat; label: string; logger: Logger; now: () => number; onEmpty: () => void }) {
    this.#onEmpty = opts.onEmpty;
    this.#format = opts.format;
    this.#label = opts.label;
    this.#log = opts.logger;
    this.#now = opts.now;
  }

  /**
   * Replace the desired set. While a socket is attached it is sent again; calls in the same
   * tick are coalesced into one request. An empty set is handed to `onEmpty` (see the constructor).
   */
  set(types: TypeRequestWire[]): void {
    this.#types = types;
    if (this.#socket === null || this.#timer !== null) return;
    this.#timer = setTimeout(this.#flush, this.#delay());
  }

  /** Nothing is wanted: no connection is needed. */
  isEmpty(): boolean {
    return this.#types.length === 0;
  }

  /** A socket just opened: the whole set goes out on it now (or, if empty, `onEmpty`). */
  attach(ws: WebSocket): void {
    this.#clearTimer();
    this.#socket = ws;
    this.#sendTimes = [];
    this.#lastSentBody = null;
    if (this.#types.length === 0) this.#onEmpty();
    else this.#send(ws);
  }

  /** The socket closed (or, without an argument, whatever socket there was): stop sending. */
  detach(ws?: WebSocket): void {
    if (ws !== undefined && this.#socket !== ws) return;
    this.#socket = null;
    this.#clearTimer();
  }

  #send(ws: WebSocket): void {
    if (this.#types.length === 0) return;
    const body: RequestElement[] = [...this.#types];
    const bodyKey = JSON.stringify(body);
    if (bodyKey === this.#lastSentBody) return;
    body.unshift({ ticket: randomUUID() });
    body.push({ format: this.#format });
    ws.send(JSON.stringify(body));
    this.#lastSentBody = bodyKey;
    this.#sendTimes.push(this.#now());
    if (this.#sendTimes.length > MAX_SENDS_PER_SECOND) this.#sendTimes.shift();
    this.#log.debug({ types: this.#types.length, format: this.#format }, `sent ${this.#label} request`);
  }

  readonly #flush = (): void => {
    this.#timer = null;
    const ws = this.#socket;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return;
    if (this.#types.length === 0) {
      this.#onEmpty();
      return;
    }
    const delay = this.#delay();
    if (delay > 0) {
      this.#timer = setTimeout(this.#flush, delay);
      return;
    }
    this.#send(ws);
  };

  /** How long until another request fits in Upbit's 5-per-second window. */
  #delay(): number {
    if (this.#sendTimes.length < MAX_SENDS_PER_SECOND) return 0;
    const oldest = this.#sendTimes[0] ?? Number.NEGATIVE_INFINITY;
    return Math.max(0, oldest + 1_000 - this.#now());
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}
