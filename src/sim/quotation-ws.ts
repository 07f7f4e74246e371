import { performance } from 'node:perf_hooks';

import type { RawData, WebSocket } from 'ws';

import type { Logger } from '../runtime/logger.js';
import type { StreamType } from '../upbit/types.js';
import type { WireFormat } from '../upbit/wire.js';
import { TICKER_SIMPLE_KEYS } from '../upbit/wire.js';
import type { SimEngine } from './engine.js';
import type { SimFaults, WsFrameFate } from './faults.js';
import { createWsFaultPlayer } from './faults.js';
import type { Rng } from './random.js';
import { createRng, randomSeed } from './random.js';
import type { RequestedStream } from './request.js';
import { parseRequest } from './request.js';
import type { NestedKeyTables, SimpleKeyTable } from './wire-encode.js';
import { SharedMessage, STATUS_UP, encodeError, encodeFrames, encodeSubscriptionList } from './wire-encode.js';
import { WsConnection, decodeRequest } from './ws-connection.js';

/** One subscription of a connection: a requested code and what it resolved to. */
export type Subscription = Omit<RequestedStream, 'snapshot' | 'realtime'>;

/** A data type the endpoint streams: its SIMPLE key tables and how to build its messages. */
export interface DataTypeSource {
  simpleKeys: SimpleKeyTable;
  /** Tables for arrays of objects inside the message (orderbook units). */
  nestedSimpleKeys?: NestedKeyTables;
  /** The message (DEFAULT keys) for a subscription as of now, or undefined to send nothing. */
  build(subscription: Subscription, streamType: StreamType): object | undefined;
  /**
   * At most one REALTIME message per subscription this often (real time); a change inside
   * the window is sent, rebuilt with {@link build}, when the window ends.
   * @default 0 (every change at once)
   */
  minIntervalMs?: number;
  /**
   * Subscriptions of one market with the same variant get the same message, built once per
   * change for all connections.
   * @default every subscription of a market gets the same message
   */
  variant?(subscription: Subscription): string;
}

export interface QuotationHubOptions {
  engine: SimEngine;
  faults: SimFaults;
  logger: Logger;
  /** Close a connection after this long without a frame either way. */
  idleTimeoutMs: number;
  /** Draws for `faults.malformedRate`. @default a randomly seeded generator */
  faultRng?: Rng;
}

/** What a quotation connection was asked for, as the simulator saw it (for tests). */
export interface QuotationConnectionInfo {
  /** 1 for the first connection of the hub, then 2, 3, … */
  id: number;
  open: boolean;
  /** The close code once closed (1000 for a client's normal closure, 1006 when cut). */
  closeCode: number | null;
  /** Request messages received (subscriptions, LIST_SUBSCRIPTIONS, refused ones), not PINGs. */
  requests: number;
  /** The current REALTIME subscriptions by type, codes as requested. */
  subscriptions: Array<{ type: string; codes: string[]; level?: number }>;
}

/** Closed connections kept for {@link QuotationHub.connections}, newest last. */
const CLOSED_KEPT = 100;

/** Every connection of the public quotation endpoint (`/websocket/v1`). */
export interface QuotationHub {
  /** Take over an upgraded socket until it closes. */
  accept(ws: WebSocket): void;
  connectionCount(): number;
  /** The open connections and the last closed ones, oldest first. */
  connections(): QuotationConnectionInfo[];
  /** Terminate every socket (no close handshake), as a network drop would. */
  dropAll(): void;
  /** Send raw bytes to every connection, bypassing the protocol (but not the latency queue). */
  inject(data: string | Buffer, binary: boolean): void;
  /** Stream another data type (`trade`, `orderbook`, …). Returns the release. */
  addSource(type: string, source: DataTypeSource): () => void;
  /**
   * Send a REALTIME message of `type` for `market` to every connection subscribed to it.
   * `build` (default: the source's) is called at most once per variant.
   */
  publish(type: string, market: string, build?: (subscription: Subscription) => object | undefined): void;
  /** Run `release` when the hub closes, last registered first: for parts that live as long as it. */
  onClose(release: () => void): void;
  /** Release the engine listener and what {@link onClose} registered, and terminate every socket. */
  close(): void;
}

export function createQuotationHub(options: QuotationHubOptions): QuotationHub {
  const { engine, faults, idleTimeoutMs } = options;
  const logger = options.logger.child({ component: 'sim-quotation-ws' });
  const sources = new Map<string, DataTypeSource>([
    ['ticker', { simpleKeys: TICKER_SIMPLE_KEYS, build: (sub, streamType) => engine.ticker(sub.market, streamType) }],
  ]);
  const servedTypes = new Set(sources.keys());
  const connections = new Set<QuotationConnection>();
  const closed: QuotationConnectionInfo[] = [];
  const releases: Array<() => void> = [];
  const dataFrameFate = createWsFaultPlayer(faults, options.faultRng ?? createRng(randomSeed()));
  let nextId = 1;

  const publish = (type: string, market: string, build?: (sub: Subscription) => object | undefined): void => {
    const source = sources.get(type);
    if (source === undefined) return;
    const make = build ?? ((sub: Subscription) => source.build(sub, 'REALTIME'));
    // One message per variant for every connection; null when there is nothing to send.
    const shared = new Map<string, SharedMessage | null>();
    const message = (sub: Subscription): SharedMessage | null => {
      const key = source.variant?.(sub) ?? '';
      let found = shared.get(key);
      if (found === undefined) {
        const object = make(sub);
        found = object === undefined ? null : new SharedMessage(object, source.simpleKeys, source.nestedSimpleKeys);
        shared.set(key, found);
      }
      return found;
    };
    for (const conn of connections) conn.deliver(type, market, source, message);
  };
  const offTrade = engine.onTrade((trade) => publish('ticker', trade.code));

  return {
    accept(ws) {
      const conn = new QuotationConnection(ws, nextId++, {
        sources,
        servedTypes,
        faults,
        dataFrameFate,
        idleTimeoutMs,
        logger,
        onClose: (code) => {
          connections.delete(conn);
          closed.push({ ...conn.info(), open: false, closeCode: code });
          if (closed.length > CLOSED_KEPT) closed.shift();
        },
      });
      connections.add(conn);
    },
    connectionCount: () => connections.size,
    connections: () => [...closed, ...[...connections].map((c) => c.info())].sort((a, b) => a.id - b.id),
    dropAll() {
      for (const conn of connections) conn.terminate();
    },
    inject(data, binary) {
      for (const conn of connections) conn.inject(data, binary);
    },
    addSource(type, source) {
      if (sources.has(type)) throw new Error(`BUG: the quotation hub already streams ${type}`);
      sources.set(type, source);
      servedTypes.add(type);
      return () => {
        if (sources.get(type) !== source) return;
        sources.delete(type);
        servedTypes.delete(type);
      };
    },
    publish,
    onClose(release) {
      releases.push(release);
    },
    close() {
      offTrade();
      for (const release of releases.splice(0).reverse()) {
        try {
          release();
        } catch (err) {
          logger.error({ err }, 'BUG: a quotation hub release threw');
        }
      }
      for (const conn of connections) conn.terminate();
    },
  };
}

interface ConnectionContext {
  sources: ReadonlyMap<string, DataTypeSource>;
  servedTypes: ReadonlySet<string>;
  faults: SimFaults;
  /** Fault decision for each data frame (malformed, skipped, connection cut). */
  dataFrameFate: (frame: Buffer) => WsFrameFate;
  idleTimeoutMs: number;
  logger: Logger;
  onClose: (code: number) => void;
}

interface LiveSubscription {
  subscription: Subscription;
  /** When its last REALTIME message went out (performance.now()). */
  sentAt: number;
  /** A change is waiting for the throttle window to end. */
  held: boolean;
}

/** The protocol state of one socket: format, subscriptions, rate limit, idle timer, faults. */
class QuotationConnection {
  format: WireFormat = 'DEFAULT';
  /** REALTIME subscriptions in request order (for LIST_SUBSCRIPTIONS). */
  private live: LiveSubscription[] = [];
  /** type → market → its REALTIME subscriptions (an orderbook market can have several: `.5`, `.15`…). */
  private realtime = new Map<string, Map<string, LiveSubscription[]>>();
  /** Fires when the earliest held-back (throttled) message is due. */
  private throttleTimer: NodeJS.Timeout | undefined;
  private readonly conn: WsConnection;
  private readonly logger: Logger;
  private requests = 0;

  constructor(
    ws: WebSocket,
    private readonly id: number,
    private readonly ctx: ConnectionContext,
  ) {
    this.logger = ctx.logger.child({ conn: id });
    this.conn = new WsConnection(ws, {
      faults: ctx.faults,
      idleTimeoutMs: ctx.idleTimeoutMs,
      logger: this.logger,
      label: 'connection',
      onMessage: (data, isBinary) => this.onMessage(data, isBinary),
      onClose: (code) => {
        if (this.throttleTimer !== undefined) clearTimeout(this.throttleTimer);
        ctx.onClose(code);
      },
    });
  }

  info(): QuotationConnectionInfo {
    return { id: this.id, open: true, closeCode: null, requests: this.requests, subscriptions: this.listSubscriptions() };
  }

  /** Send the REALTIME message of a change of `market` to this connection's subscriptions, throttled per source. */
  deliver(type: string, market: string, source: DataTypeSource, message: (sub: Subscription) => SharedMessage | null): void {
    const subs = this.realtime.get(type)?.get(market);
    if (subs === undefined) return;
    const interval = source.minIntervalMs ?? 0;
    const t = performance.now();
    for (const sub of subs) {
      if (interval > 0 && t - sub.sentAt < interval) {
        sub.held = true;
        this.armThrottle();
        continue;
      }
      const shared = message(sub.subscription);
      if (shared === null) continue;
      sub.sentAt = t;
      sub.held = false;
      this.sendData(shared.frame(this.format));
    }
  }

  /** Send a data message (ticker, trade, orderbook…): the frames data faults apply to. */
  sendData(frame: Buffer): void {
    const fate = this.ctx.dataFrameFate(frame);
    if (fate.kind === 'skip') return;
    if (fate.kind === 'terminate') this.conn.terminateQueued();
    else this.conn.send(fate.frame, true);
  }

  /** Send a protocol answer (status, error, subscription list): never garbled. */
  private sendControl(frame: Buffer): void {
    this.conn.send(frame, true);
  }

  inject(data: string | Buffer, binary: boolean): void {
    this.conn.send(data, binary, true);
  }

  terminate(): void {
    this.conn.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const text = decodeRequest(data, isBinary);
    if (text === undefined) {
      this.sendError('WRONG_FORMAT', 'Binary request frames must be UTF-8 JSON.');
      return;
    }
    const request = parseRequest(text, this.ctx.servedTypes);
    if (request.kind === 'ping') {
      if (this.ctx.faults.silent) this.logger.debug({}, 'PING ignored (silent fault)');
      else this.sendControl(STATUS_UP);
      return;
    }
    this.requests += 1;
    if (!this.conn.admitRequest()) {
      this.sendError('TOO_MANY_REQUEST', 'Too many request messages on this connection; at most 5 per second and 100 per minute.');
      return;
    }
    if (request.kind === 'error') {
      this.sendError(request.name, request.message);
      return;
    }
    // The format of the latest request applies to the whole connection (docs/upbit-protocol.md#websocket-requests).
    this.format = request.format;
    if (request.streams.length > 0) this.subscribe(request.streams);
    if (request.listSubscriptions) this.sendControl(encodeSubscriptionList(request.ticket, this.listSubscriptions(), this.format));
  }

  /** Replace the subscriptions with `streams`, then send the snapshots they ask for. */
  private subscribe(streams: readonly RequestedStream[]): void {
    const live: LiveSubscription[] = [];
    const realtime = new Map<string, Map<string, LiveSubscription[]>>();
    const snapshots = new Map<string, object[]>();
    for (const { snapshot, realtime: isLive, ...subscription } of streams) {
      const { type, market } = subscription;
      if (isLive) {
        const sub: LiveSubscription = { subscription, sentAt: -Infinity, held: false };
        live.push(sub);
        let byMarket = realtime.get(type);
        if (byMarket === undefined) realtime.set(type, (byMarket = new Map<string, LiveSubscription[]>()));
        const list = byMarket.get(market);
        if (list === undefined) byMarket.set(market, [sub]);
        else list.push(sub);
      }
      if (!snapshot) continue;
      // Unknown (or lower-case) codes yield nothing, as on Upbit.
      const object = this.ctx.sources.get(type)?.build(subscription, 'SNAPSHOT');
      if (object === undefined) continue;
      let list = snapshots.get(type);
      if (list === undefined) snapshots.set(type, (list = []));
      list.push(object);
    }
    this.live = live;
    this.realtime = realtime;
    if (this.throttleTimer !== undefined) clearTimeout(this.throttleTimer);
    this.throttleTimer = undefined;
    for (const [type, objects] of snapshots) {
      const source = this.ctx.sources.get(type);
      for (const frame of encodeFrames(objects, source?.simpleKeys ?? {}, this.format, source?.nestedSimpleKeys)) this.sendData(frame);
    }
  }

  /** The REALTIME subscriptions by type (and, for orderbook, level), codes as requested (docs/upbit-protocol.md#subscription-list). */
  private listSubscriptions(): Array<{ type: string; codes: string[]; level?: number }> {
    const groups = new Map<string, { type: string; codes: string[]; level?: number }>();
    for (const { subscription } of this.live) {
      const { type, code, level } = subscription;
      const key = level === undefined ? type : `${type}\u0000${level}`;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = level === undefined ? { type, codes: [] } : { type, codes: [], level }));
      group.codes.push(code);
    }
    return [...groups.values()];
  }

  /** Wake up when the earliest held-back message may go. */
  private armThrottle(): void {
    if (this.throttleTimer !== undefined) return;
    let due = Infinity;
    for (const sub of this.live) {
      if (!sub.held) continue;
      const interval = this.ctx.sources.get(sub.subscription.type)?.minIntervalMs ?? 0;
      due = Math.min(due, sub.sentAt + interval);
    }
    if (due === Infinity) return;
    this.throttleTimer = setTimeout(() => this.flushHeld(), Math.max(0, due - performance.now()));
  }

  /** Send the held-back messages whose window has passed, built from the state as of now. */
  private flushHeld(): void {
    this.throttleTimer = undefined;
    const t = performance.now();
    for (const sub of this.live) {
      if (!sub.held) continue;
      const source = this.ctx.sources.get(sub.subscription.type);
      if (source === undefined) {
        sub.held = false;
        continue;
      }
      if (t - sub.sentAt < (source.minIntervalMs ?? 0)) continue;
      sub.held = false;
      sub.sentAt = t;
      const object = source.build(sub.subscription, 'REALTIME');
      if (object !== undefined) this.sendData(new SharedMessage(object, source.simpleKeys, source.nestedSimpleKeys).frame(this.format));
    }
    this.armThrottle();
  }

  private sendError(name: string, message: string): void {
    this.sendControl(encodeError(name, message));
  }
}
