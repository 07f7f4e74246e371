import { performance } from 'node:perf_hooks';

import type { RawData, WebSocket } from 'ws';

import type { Logger } from '../runtime/logger.js';
import type { SimFaults } from './faults.js';

/**
 * The per-socket machinery both WebSocket endpoints (`/websocket/v1` and `/websocket/v1/private`)
 * share: the outbound queue that plays the `silent`, `latencyMs` and `slowMs` faults, the idle
 * timer, pongs, the request rate limit and request decoding. The protocol stays with the hubs.
 */

/** A client this far behind on reading is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** A connection this many frames behind its (slow or latency) fault queue is cut off too. */
const MAX_QUEUED_FRAMES = 10_000;

/**
 * Request messages allowed per connection: 5 per second and 100 per minute (docs/upbit-protocol.md#websocket-limits), on both
 * endpoints.
 */
const RATE_LIMITS: ReadonlyArray<{ count: number; windowMs: number }> = [
  { count: 5, windowMs: 1_000 },
  { count: 100, windowMs: 60_000 },
];
const RATE_RING = 100;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface WsConnectionOptions {
  faults: SimFaults;
  /** Close the connection after this long without a frame either way. */
  idleTimeoutMs: number;
  /** The connection's own logger (already tagged with its id). */
  logger: Logger;
  /** How log lines name the connection (`connection`, `private connection`). */
  label: string;
  /** An inbound message; the idle timer has been refreshed. A throw is logged as a bug. */
  onMessage(data: RawData, isBinary: boolean): void;
  /** The socket closed; the queue and idle timer are already released. */
  /** With the close code (1006 when the socket was cut without a close frame). */
  onClose(code: number): void;
}

interface QueuedFrame {
  dueAt: number;
  /** Injected frames go out even while silent. */
  forced: boolean;
  write: () => void;
}

/** One socket's outbound queue, keepalive (idle timer, pongs) and request rate limit. */
export class WsConnection {
  private readonly queue: QueuedFrame[] = [];
  private queueTimer: NodeJS.Timeout | undefined;
  /** When the last queued frame is due; `slowMs` spaces the next one from it. */
  private lastDueAt = 0;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly requestTimes: number[] = [];
  private requestCount = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: WsConnectionOptions,
  ) {
    const { logger, label } = options;
    this.idleTimer = setTimeout(() => this.onIdle(), options.idleTimeoutMs);
    ws.on('message', (data, isBinary) => {
      try {
        this.touch();
        options.onMessage(data, isBinary);
      } catch (err) {
        logger.error({ err }, `BUG: the simulator failed to handle a request (${label})`);
      }
    });
    ws.on('ping', (data) => this.onPing(data));
    ws.on('pong', () => this.touch());
    ws.on('error', (err) => logger.debug({ err }, 'socket error'));
    ws.once('close', (code) => {
      clearTimeout(this.idleTimer);
      if (this.queueTimer !== undefined) clearTimeout(this.queueTimer);
      this.queue.length = 0;
      logger.debug({ code }, `${label} closed`);
      options.onClose(code);
    });
    logger.debug({}, `${label} opened`);
  }

  /** Send `data` through the fault queue (dropped while silent unless `forced`). */
  send(data: string | Buffer, binary: boolean, forced = false): void {
    this.enqueue(() => this.write(data, binary), forced);
  }

  /** Terminate through the fault queue, where a frame would have gone. */
  terminateQueued(): void {
    this.enqueue(() => this.ws.terminate(), false);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Whether another request message is allowed now; counts it if so. */
  admitRequest(): boolean {
    const t = performance.now();
    for (const { count, windowMs } of RATE_LIMITS) {
      if (this.requestCount < count) continue;
      const past = this.requestTimes[(this.requestCount - count) % RATE_RING];
      if (past !== undefined && t - past < windowMs) return false;
    }
    this.requestTimes[this.requestCount % RATE_RING] = t;
    this.requestCount++;
    return true;
  }

  private onPing(data: Buffer): void {
    this.touch();
    // autoPong is off on the server so that a silent fault can withhold the pong.
    if (this.options.faults.silent) this.options.logger.debug({}, 'ping ignored (silent fault)');
    else this.enqueue(() => this.ws.readyState === this.ws.OPEN && this.ws.pong(data), false);
  }

  /** Send now, or after the configured latency (and `slowMs` spacing) behind whatever is already waiting. */
  private enqueue(write: () => void, forced: boolean): void {
    const { silent, latencyMs, slowMs } = this.options.faults;
    if (silent && !forced) return;
    const t = performance.now();
    const dueAt = Math.max(t + latencyMs, slowMs > 0 ? this.lastDueAt + slowMs : 0);
    this.lastDueAt = Math.max(this.lastDueAt, dueAt, t);
    if (dueAt <= t && this.queue.length === 0) {
      write();
      return;
    }
    if (this.queue.length >= MAX_QUEUED_FRAMES) {
      this.options.logger.warn({ queued: this.queue.length }, 'connection too far behind its fault queue; dropping it');
      this.ws.terminate();
      return;
    }
    this.queue.push({ dueAt, forced, write });
    if (this.queueTimer === undefined) this.armQueue();
  }

  private armQueue(): void {
    const head = this.queue[0];
    if (head === undefined) return;
    this.queueTimer = setTimeout(() => this.flushQueue(), Math.max(0, head.dueAt - performance.now()));
  }

  private flushQueue(): void {
    this.queueTimer = undefined;
    const t = performance.now();
    // Frames keep their order even when the latency setting changes while they wait.
    for (let head = this.queue[0]; head !== undefined && head.dueAt <= t; head = this.queue[0]) {
      this.queue.shift();
      if (!this.options.faults.silent || head.forced) head.write();
    }
    this.armQueue();
  }

  private write(data: string | Buffer, binary: boolean): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.options.logger.warn({ buffered: this.ws.bufferedAmount }, 'client is not reading; dropping the connection');
      this.ws.terminate();
      return;
    }
    this.touch();
    this.ws.send(data, { binary });
  }

  private touch(): void {
    this.idleTimer.refresh();
  }

  private onIdle(): void {
    // A silent server does not even say goodbye.
    if (this.options.faults.silent) {
      this.touch();
      return;
    }
    this.options.logger.debug({ idleTimeoutMs: this.options.idleTimeoutMs }, 'closing idle connection');
    // UNCERTAIN: the close code Upbit uses for its 120 s idle timeout.
    this.ws.close(1000, 'idle timeout');
  }
}

/** A request frame as text, or undefined for a binary frame that is not UTF-8. */
export function decodeRequest(data: RawData, isBinary: boolean): string | undefined {
  const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (!isBinary) return buffer.toString('utf8'); // ws has already checked text frames are UTF-8
  try {
    return utf8.decode(buffer);
  } catch {
    return undefined;
  }
}
