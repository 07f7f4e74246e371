/**
 * A tiny scripted stand-in for Upbit's quotation WebSocket, on a real `ws` server at port 0.
 * It records every request and connection, answers a ticker request with one SNAPSHOT ticker
 * per code as a binary frame in the requested format (like Upbit, docs/upbit-protocol.md#websocket-transport), and
 * lets a test drop, silence or feed garbage to a connection. Not the simulator (src/sim).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isRecord } from '../../src/upbit/json-narrow.js';
import { TICKER_SIMPLE_KEYS, toSimpleKeys } from '../../src/upbit/wire.js';

export interface FakeConnection {
  socket: WebSocket;
  openedAt: number;
  /** Parsed request messages, in arrival order (raw text when it is not JSON). */
  requests: unknown[];
  requestTimes: number[];
  pings: number;
  /** The close code the server saw, once closed. */
  closeCode: number | null;
}

export interface FakeUpbitOptions {
  /** Answer protocol pings. @default true */
  autoPong?: boolean;
  /** Answer ticker requests with snapshots. @default true */
  snapshots?: boolean;
}

const TICKER_TEMPLATE: Record<string, unknown> = (() => {
  const value: unknown = JSON.parse(readFileSync(new URL('../fixtures/ws/ticker-default.json', import.meta.url), 'utf8'));
  if (!isRecord(value)) throw new Error('ticker-default.json is not an object');
  return value;
})();

/** A DEFAULT-format ticker for `code` (the KRW-BTC fixture with another code and price). */
export function tickerWire(code: string, tradePrice = 32287000, streamType = 'REALTIME'): Record<string, unknown> {
  return { ...TICKER_TEMPLATE, code, trade_price: tradePrice, stream_type: streamType };
}

export class FakeUpbit {
  readonly connections: FakeConnection[] = [];
  readonly #wss: WebSocketServer;
  readonly #snapshots: boolean;

  private constructor(wss: WebSocketServer, opts: FakeUpbitOptions) {
    this.#wss = wss;
    this.#snapshots = opts.snapshots ?? true;
    wss.on('connection', (socket) => this.#accept(socket));
  }

  static async start(opts: FakeUpbitOptions = {}): Promise<FakeUpbit> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: opts.autoPong ?? true });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new FakeUpbit(wss, opts);
  }

  get port(): number {
    const addr = this.#wss.address();
    if (addr === null || typeof addr === 'string') throw new Error('fake server is not listening on TCP');
    return (addr satisfies AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/websocket/v1`;
  }

  /** All requests over all connections, in order. */
  allRequests(): unknown[] {
    return this.connections.flatMap((c) => c.requests);
  }

  latest(): FakeConnection {
    const c = this.connections.at(-1);
    if (c === undefined) throw new Error('no connection yet');
    return c;
  }

  /** Send a frame to the latest connection: binary (as Upbit does) unless `binary: false`. */
  send(data: string | Buffer | Record<string, unknown> | unknown[], opts: { binary?: boolean } = {}): void {
    const text = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    this.latest().socket.send(typeof text === 'string' && opts.binary !== false ? Buffer.from(text, 'utf8') : text, {
      binary: opts.binary ?? true,
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    const conn: FakeConnection = { socket, openedAt: Date.now(), requests: [], requestTimes: [], pings: 0, closeCode: null };
    this.connections.push(conn);
    socket.on('ping', () => {
      conn.pings += 1;
    });
    socket.on('close', (code) => {
      conn.closeCode = code;
    });
    socket.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
      let request: unknown = text;
      try {
        request = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      conn.requests.push(isBinary ? { binaryRequest: text } : request);
      conn.requestTimes.push(Date.now());
      if (this.#snapshots) this.#answer(socket, request);
    });
  }

  #answer(socket: WebSocket, request: unknown): void {
    if (!Array.isArray(request)) return;
    let simple = false;
    const codes: string[] = [];
    for (const el of request) {
      if (!isRecord(el)) continue;
      if (el.format === 'SIMPLE') simple = true;
      if (el.type === 'ticker' && Array.isArray(el.codes)) {
        for (const c of el.codes) if (typeof c === 'string') codes.push(c);
      }
    }
    for (const code of codes) {
      const wire = tickerWire(code, 32287000, 'SNAPSHOT');
      socket.send(Buffer.from(JSON.stringify(simple ? toSimpleKeys(wire, TICKER_SIMPLE_KEYS) : wire), 'utf8'), { binary: true });
    }
  }
}
