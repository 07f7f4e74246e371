import { performance } from 'node:perf_hooks';

import type { RawData, WebSocket } from 'ws';

import type { Logger } from '../runtime/logger.js';
import type { WireFormat } from '../upbit/wire.js';
import { TICKER_SIMPLE_KEYS } from '../upbit/wire.js';
import type { SimEngine } from './engine.js';
import type { SimFaults } from './faults.js';
import type { RequestedStream } from './request.js';
import { parseRequest } from './request.js';
import type { SimpleKeyTable } from './wire-encode.js';
import { SharedMessage, STATUS_UP, encodeError, encodeFrames, encodeSubscriptionList } from './wire-encode.js';

/** A data type the endpoint streams: its SIMPLE key table and how to build its snapshot. */
export interface DataTypeSource {
  simpleKeys: SimpleKeyTable;
  snapshot(code: string): object | undefined;
}

export interface QuotationHubOptions {
  engine: SimEngine;
  faults: SimFaults;
  logger: Logger;
  /** Close a connection after this long without a frame either way. */
  idleTimeoutMs: number;
}

/** Every connection of the public quotation endpoint (`/websocket/v1`). */
export interface QuotationHub {
  /** Take over an upgraded socket until it closes. */
  accept(ws: WebSocket): void;
  connectionCount(): number;
  /** Terminate every socket (no close handshake), as a network drop would. */
  dropAll(): void;
  /** Send raw bytes to every connection, bypassing the protocol (but not the latency queue). */
  inject(data: string | Buffer, binary: boolean): void;
  /** Release the engine listener and terminate every socket. */
  close(): void;
}

/**
 * Request messages allowed per connection: 5 per second and 100 per minute (§2.6).
 * UNCERTAIN: how Upbit answers a breach; we send a `TOO_MANY_REQUEST` error object and
 * drop the request, keeping the connection.
 */
const RATE_LIMITS: ReadonlyArray<{ count: number; windowMs: number }> = [
  { count: 5, windowMs: 1_000 },
  { count: 100, windowMs: 60_000 },
];
const RATE_RING = 100;
/** A client this far behind on reading is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createQuotationHub(options: QuotationHubOptions): QuotationHub {
  const { engine, faults, idleTimeoutMs } = options;
  const logger = options.logger.child({ component: 'sim-quotation-ws' });
  const sources = new Map<string, DataTypeSource>([
    ['ticker', { simpleKeys: TICKER_SIMPLE_KEYS, snapshot: (code) => engine.ticker(code, 'SNAPSHOT') }],
  ]);
  const servedTypes: ReadonlySet<string> = new Set(sources.keys());
  const connections = new Set<QuotationConnection>();
  let nextId = 1;

  const publish = (type: string, code: string, build: () => object | undefined): void => {
    const source = sources.get(type);
    if (source === undefined) return;
    let message: SharedMessage | undefined;
    for (const conn of connections) {
      if (!conn.wantsRealtime(type, code)) continue;
      if (message === undefined) {
        const object = build();
        if (object === undefined) return;
        message = new SharedMessage(object, source.simpleKeys);
      }
      conn.sendData(message.frame(conn.format));
    }
  };
  const offTrade = engine.onTrade((trade) => publish('ticker', trade.code, () => engine.ticker(trade.code, 'REALTIME')));

  return {
    accept(ws) {
      const conn = new QuotationConnection(ws, nextId++, {
        sources,
        servedTypes,
        faults,
        idleTimeoutMs,
        logger,
        onClose: () => connections.delete(conn),
      });
      connections.add(conn);
    },
    connectionCount: () => connections.size,
    dropAll() {
      for (const conn of connections) conn.terminate();
    },
    inject(data, binary) {
      for (const conn of connections) conn.inject(data, binary);
    },
    close() {
      offTrade();
      for (const conn of connections) conn.terminate();
    },
  };
}

interface ConnectionContext {
  sources: ReadonlyMap<string, DataTypeSource>;
  servedTypes: ReadonlySet<string>;
  faults: SimFaults;
  idleTimeoutMs: number;
  logger: Logger;
  onClose: () => void;
}

interface QueuedFrame {
  dueAt: number;
  /** Injected frames go out even while silent. */
  forced: boolean;
  write: () => void;
}

/** The protocol state of one socket: format, subscriptions, rate limit, idle timer, faults. */
class QuotationConnection {
  format: WireFormat = 'DEFAULT';
  /** type → codes streamed in REALTIME. */
  private realtime = new Map<string, Set<string>>();
  private readonly requestTimes: number[] = [];
  private requestCount = 0;
  private readonly queue: QueuedFrame[] = [];
  private queueTimer: NodeJS.Timeout | undefined;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    private readonly ws: WebSocket,
    id: number,
    private readonly ctx: ConnectionContext,
  ) {
    this.logger = ctx.logger.child({ conn: id });
    this.idleTimer = setTimeout(() => this.onIdle(), ctx.idleTimeoutMs);
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        this.logger.error({ err }, 'BUG: the simulator failed to handle a request');
      }
    });
    ws.on('ping', (data) => this.onPing(data));
    ws.on('pong', () => this.touch());
    ws.on('error', (err) => this.logger.debug({ err }, 'socket error'));
    ws.once('close', (code) => {
      clearTimeout(this.idleTimer);
      if (this.queueTimer !== undefined) clearTimeout(this.queueTimer);
      this.queue.length = 0;
      this.logger.debug({ code }, 'connection closed');
      ctx.onClose();
    });
    this.logger.debug({}, 'connection opened');
  }

  wantsRealtime(type: string, code: string): boolean {
    return this.realtime.get(type)?.has(code) ?? false;
  }

  sendData(frame: Buffer): void {
    this.enqueue(() => this.write(frame, true), false);
  }

  inject(data: string | Buffer, binary: boolean): void {
    this.enqueue(() => this.write(data, binary), true);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.touch();
    const text = decode(data, isBinary);
    if (text === undefined) {
      this.sendError('WRONG_FORMAT', 'Binary request frames must be UTF-8 JSON.');
      return;
    }
    const request = parseRequest(text, this.ctx.servedTypes);
    if (request.kind === 'ping') {
      if (this.ctx.faults.silent) this.logger.debug({}, 'PING ignored (silent fault)');
      else this.sendData(STATUS_UP);
      return;
    }
    if (!this.admitRequest()) {
      this.sendError('TOO_MANY_REQUEST', 'Too many request messages on this connection; at most 5 per second and 100 per minute.');
      return;
    }
    if (request.kind === 'error') {
      this.sendError(request.name, request.message);
      return;
    }
    // The format of the latest request applies to the whole connection (§2.2).
    this.format = request.format;
    if (request.streams.length > 0) this.subscribe(request.streams);
    if (request.listSubscriptions) {
      const result = [...this.realtime].map(([type, codes]) => ({ type, codes: [...codes] }));
      this.sendData(encodeSubscriptionList(request.ticket, result, this.format));
    }
  }

  /** Replace the subscriptions with `streams`, then send the snapshots they ask for. */
  private subscribe(streams: readonly RequestedStream[]): void {
    const realtime = new Map<string, Set<string>>();
    const snapshots = new Map<string, object[]>();
    for (const { type, code, snapshot, realtime: live } of streams) {
      if (live) {
        let codes = realtime.get(type);
        if (codes === undefined) realtime.set(type, (codes = new Set()));
        codes.add(code);
      }
      if (!snapshot) continue;
      // Unknown (or lower-case) codes yield nothing, as on Upbit.
      const object = this.ctx.sources.get(type)?.snapshot(code);
      if (object === undefined) continue;
      let list = snapshots.get(type);
      if (list === undefined) snapshots.set(type, (list = []));
      list.push(object);
    }
    this.realtime = realtime;
    for (const [type, objects] of snapshots) {
      const table = this.ctx.sources.get(type)?.simpleKeys ?? {};
      for (const frame of encodeFrames(objects, table, this.format)) this.sendData(frame);
    }
  }

  private admitRequest(): boolean {
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
    if (this.ctx.faults.silent) this.logger.debug({}, 'ping ignored (silent fault)');
    else this.enqueue(() => this.ws.readyState === this.ws.OPEN && this.ws.pong(data), false);
  }

  private sendError(name: string, message: string): void {
    this.sendData(encodeError(name, message));
  }

  /** Send now, or after the configured latency behind whatever is already waiting. */
  private enqueue(write: () => void, forced: boolean): void {
    const { silent, latencyMs } = this.ctx.faults;
    if (silent && !forced) return;
    if (latencyMs <= 0 && this.queue.length === 0) {
      write();
      return;
    }
    this.queue.push({ dueAt: performance.now() + latencyMs, forced, write });
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
      if (!this.ctx.faults.silent || head.forced) head.write();
    }
    this.armQueue();
  }

  private write(data: string | Buffer, binary: boolean): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn({ buffered: this.ws.bufferedAmount }, 'client is not reading; dropping the connection');
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
    if (this.ctx.faults.silent) {
      this.touch();
      return;
    }
    this.logger.debug({ idleTimeoutMs: this.ctx.idleTimeoutMs }, 'closing idle connection');
    // UNCERTAIN: the close code Upbit uses for its 120 s idle timeout.
    this.ws.close(1000, 'idle timeout');
  }
}

function decode(data: RawData, isBinary: boolean): string | undefined {
  const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (!isBinary) return buffer.toString('utf8'); // ws has already checked text frames are UTF-8
  try {
    return utf8.decode(buffer);
  } catch {
    return undefined;
  }
}
