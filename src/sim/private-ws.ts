import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { RawData, WebSocket, WebSocketServer } from 'ws';

import type { Logger } from '../runtime/logger.js';
import type { WireFormat } from '../upbit/wire.js';
import { MY_ORDER_SIMPLE_KEYS, toSimpleKeys } from '../upbit/wire.js';
import type { JwtVerifier } from './auth/jwt.js';
import type { ExchangeEvent } from '../exchange/types.js';
import { myAssetMessage, myAssetToSimple, myOrderMessage } from '../exchange/wire.js';
import type { SimFaults } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import { refuseUpgrade, remoteIp } from './rate-limit.js';
import type { RequestedStream } from './request.js';
import { parseRequest } from './request.js';
import { STATUS_UP, encodeError, encodeSubscriptionList } from './wire-encode.js';
import { WsConnection, decodeRequest } from './ws-connection.js';

/**
 * How the private endpoint answers a handshake whose JWT does not verify (docs/upbit-protocol.md#websocket-errors: Upbit does not say):
 * refuse the upgrade with HTTP 401, or accept it, send `{"error":{"name":"INVALID_AUTH"}}`
 * and close.
 */
export type PrivateAuthFailure = 'http401' | 'errorFrame';

export interface PrivateHubOptions {
  /** Where order and balance events come from (the simulated exchange). */
  events: { on(listener: (e: ExchangeEvent) => void): () => void };
  verifier: JwtVerifier;
  limiter: RateLimiter;
  /** The server's `noServer` WebSocketServer, shared with the public endpoint. */
  wss: WebSocketServer;
  faults: SimFaults;
  logger: Logger;
  idleTimeoutMs: number;
  authFailure: PrivateAuthFailure;
}

/** The connections of `/websocket/v1/private`. */
export interface PrivateHub {
  /** Authenticate and rate-limit an upgrade request for the private path, then take the socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  connectionCount(): number;
  /** Terminate every socket (no close handshake). */
  dropAll(): void;
  /** Release the event listener and terminate every socket. */
  close(): void;
}

const PRIVATE_TYPES: ReadonlySet<string> = new Set(['myOrder', 'myAsset']);
const PUBLIC_TYPES = /^(ticker|trade|orderbook|candle\..+)$/;
/** Stands for "every market" in a subscription (`codes` omitted or `[]`); not a market code. */
const ALL = '\u0000all';

export function createPrivateHub(options: PrivateHubOptions): PrivateHub {
  const logger = options.logger.child({ component: 'sim-private-ws' });
  const connections = new Set<PrivateConnection>();
  /** Sockets accepted only to be told INVALID_AUTH (`errorFrame` mode), until they close. */
  const refused = new Set<WebSocket>();
  let nextId = 1;

  const offEvents = options.events.on((event) => {
    let message: PrivateMessage | undefined;
    for (const conn of connections) {
      if (conn.accessKey !== event.accessKey || !conn.wants(event)) continue;
      message ??= event.type === 'order' ? orderMessage(event) : assetMessage(event);
      conn.sendData(message.frame(conn.format));
    }
  });

  const accept = (ws: WebSocket, accessKey: string): void => {
    const conn = new PrivateConnection(ws, accessKey, nextId++, { ...options, logger, onClose: () => connections.delete(conn) });
    connections.add(conn);
  };

  return {
    upgrade(req, socket, head) {
      // The token is checked before the connect limit, so the limit can count per account (docs/upbit-protocol.md#websocket-limits).
      const outcome = options.verifier.verify(req.headers.authorization);
      const scope = outcome.ok ? `account:${outcome.accessKey}` : `ip:${remoteIp(req)}`;
      if (!options.limiter.admitConnection(scope)) {
        refuseUpgrade(socket, 429, { error: { name: 'too_many_requests', message: 'Too many WebSocket connection requests: at most 5 per second.' } });
        return;
      }
      if (!outcome.ok) {
        const message = `Authentication information is invalid (${outcome.name}: ${outcome.message})`;
        logger.debug({ reason: outcome.name }, 'private handshake refused');
        if (options.authFailure === 'http401') {
          refuseUpgrade(socket, 401, { error: { name: 'INVALID_AUTH', message } });
          return;
        }
        options.wss.handleUpgrade(req, socket, head, (ws) => {
          refused.add(ws);
          ws.once('close', () => refused.delete(ws));
          ws.on('error', (err) => logger.debug({ err }, 'socket error'));
          // UNCERTAIN: whether Upbit closes after INVALID_AUTH; closing says the socket is useless.
          ws.send(encodeError('INVALID_AUTH', message), { binary: true }, () => ws.close(1008, 'INVALID_AUTH'));
        });
        return;
      }
      options.wss.handleUpgrade(req, socket, head, (ws) => accept(ws, outcome.accessKey));
    },
    connectionCount: () => connections.size,
    dropAll() {
      for (const conn of connections) conn.terminate();
      for (const ws of refused) ws.terminate();
    },
    close() {
      offEvents();
      for (const conn of connections) conn.terminate();
      for (const ws of refused) ws.terminate();
    },
  };
}

const isSimple = (format: WireFormat): boolean => format === 'SIMPLE' || format === 'SIMPLE_LIST';
const isList = (format: WireFormat): boolean => format === 'JSON_LIST' || format === 'SIMPLE_LIST';

/** One event's message, encoded once per format for every connection of the account. */
class PrivateMessage {
  private readonly frames = new Map<WireFormat, Buffer>();

  constructor(
    private readonly standard: object,
    private readonly simple: () => object,
  ) {}

  frame(format: WireFormat): Buffer {
    let frame = this.frames.get(format);
    if (frame === undefined) {
      const shaped = isSimple(format) ? this.simple() : this.standard;
      frame = Buffer.from(JSON.stringify(isList(format) ? [shaped] : shaped));
      this.frames.set(format, frame);
    }
    return frame;
  }
}

function orderMessage(event: Extract<ExchangeEvent, { type: 'order' }>): PrivateMessage {
  const m = myOrderMessage(event);
  return new PrivateMessage(m, () => toSimpleKeys({ ...m }, MY_ORDER_SIMPLE_KEYS));
}

/** SIMPLE myAsset renames the nested `assets[]` keys too (`ast: [{cu, b, l}]`, docs/upbit-protocol.md#myasset). */
function assetMessage(event: Extract<ExchangeEvent, { type: 'asset' }>): PrivateMessage {
  const m = myAssetMessage(event);
  return new PrivateMessage(m, () => myAssetToSimple(m));
}

interface ConnectionContext {
  faults: SimFaults;
  idleTimeoutMs: number;
  logger: Logger;
  onClose: () => void;
}

/**
 * One authenticated private socket: its subscriptions (myOrder by market or all, myAsset),
 * format, and (through {@link WsConnection}) request rate limit, idle timer and the WebSocket
 * faults `silent`, `latencyMs` and `slowMs`.
 * Realtime only: a subscription sends nothing until an event happens (docs/upbit-protocol.md#myorder, #myasset).
 */
class PrivateConnection {
  format: WireFormat = 'DEFAULT';
  /** type → market codes, or {ALL}. */
  private subscriptions = new Map<string, Set<string>>();
  private readonly conn: WsConnection;

  constructor(
    ws: WebSocket,
    readonly accessKey: string,
    id: number,
    private readonly ctx: ConnectionContext,
  ) {
    this.conn = new WsConnection(ws, {
      faults: ctx.faults,
      idleTimeoutMs: ctx.idleTimeoutMs,
      logger: ctx.logger.child({ conn: id }),
      label: 'private connection',
      onMessage: (data, isBinary) => this.onMessage(data, isBinary),
      onClose: ctx.onClose,
    });
  }

  wants(event: ExchangeEvent): boolean {
    if (event.type === 'asset') return this.subscriptions.has('myAsset');
    const codes = this.subscriptions.get('myOrder');
    return codes !== undefined && (codes.has(ALL) || codes.has(event.order.market));
  }

  sendData(frame: Buffer): void {
    this.conn.send(frame, true);
  }

  terminate(): void {
    this.conn.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const text = decodeRequest(data, isBinary);
    if (text === undefined) {
      this.sendData(encodeError('WRONG_FORMAT', 'Binary request frames must be UTF-8 JSON.'));
      return;
    }
    if (text.trim() === 'PING') {
      if (!this.ctx.faults.silent) this.sendData(STATUS_UP);
      return;
    }
    if (!this.conn.admitRequest()) {
      this.sendData(encodeError('TOO_MANY_REQUEST', 'Too many request messages on this connection; at most 5 per second and 100 per minute.'));
      return;
    }
    const request = parsePrivateRequest(text);
    if (request.kind === 'ping') return;
    if (request.kind === 'error') {
      this.sendData(encodeError(request.name, request.message));
      return;
    }
    this.format = request.format;
    if (request.streams.length > 0) this.subscribe(request.streams);
    if (request.listSubscriptions) {
      const result = [...this.subscriptions].map(([type, codes]) => ({ type, codes: codes.has(ALL) ? [] : [...codes] }));
      this.sendData(encodeSubscriptionList(request.ticket, result, this.format));
    }
  }

  /** Replace the subscriptions (docs/upbit-protocol.md#websocket-requests); private types have no snapshot, so nothing is sent now. */
  private subscribe(streams: readonly RequestedStream[]): void {
    const subscriptions = new Map<string, Set<string>>();
    for (const { type, code, realtime } of streams) {
      if (!realtime) continue;
      let codes = subscriptions.get(type);
      if (codes === undefined) subscriptions.set(type, (codes = new Set()));
      codes.add(code);
    }
    this.subscriptions = subscriptions;
  }
}

/**
 * Private request frames go through the public endpoint's parser (src/sim/request.ts) after
 * the private rules are applied here: `myOrder` takes optional `codes` (omitted or `[]` = all
 * markets), `myAsset` must not have `codes` (`WRONG_FORMAT`), public types are refused.
 */
export function parsePrivateRequest(text: string): ReturnType<typeof parseRequest> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseRequest(text, PRIVATE_TYPES);
  }
  if (!Array.isArray(value)) return parseRequest(text, PRIVATE_TYPES);
  const items: unknown[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || !('type' in item)) {
      items.push(item);
      continue;
    }
    const record = item as Record<string, unknown>;
    const type = record['type'];
    if (type === 'myAsset') {
      if ('codes' in record) return { kind: 'error', name: 'WRONG_FORMAT', message: 'myAsset takes no "codes": send {"type":"myAsset"}.' };
      items.push({ ...record, codes: [ALL] });
    } else if (type === 'myOrder') {
      const codes = record['codes'];
      const all = codes === undefined || codes === null || (Array.isArray(codes) && codes.length === 0);
      items.push(all ? { ...record, codes: [ALL] } : record);
    } else if (typeof type === 'string' && PUBLIC_TYPES.test(type)) {
      return { kind: 'error', name: 'INVALID_PARAM', message: `${type} is a public type; subscribe to it on /websocket/v1. This endpoint serves myOrder and myAsset.` };
    } else {
      items.push(item);
    }
  }
  return parseRequest(JSON.stringify(items), PRIVATE_TYPES);
}
