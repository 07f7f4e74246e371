/**
 * A scripted stand-in for Upbit's private WebSocket (`/websocket/v1/private`) on a real HTTP
 * server at port 0: records every upgrade's `Authorization` header and every request, and can
 * refuse upgrades with HTTP 401, answer with an `INVALID_AUTH` frame, stay silent, or push
 * myOrder/myAsset frames. Not the simulator (src/sim).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface PrivateConnection {
  socket: WebSocket;
  authorization: string | undefined;
  requests: unknown[];
  pings: number;
  closeCode: number | null;
}

export interface Upgrade {
  at: number;
  authorization: string | undefined;
}

/** How the next upgrades are answered. */
export type AuthMode = 'accept' | 'http401' | 'errorFrame';

export class FakePrivateUpbit {
  readonly connections: PrivateConnection[] = [];
  /** Every upgrade request, accepted or not. */
  readonly upgrades: Upgrade[] = [];
  mode: AuthMode = 'accept';
  readonly #http: Server;
  readonly #wss: WebSocketServer;

  private constructor(http: Server, wss: WebSocketServer) {
    this.#http = http;
    this.#wss = wss;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
  }

  static async start(opts: { autoPong?: boolean } = {}): Promise<FakePrivateUpbit> {
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true, autoPong: opts.autoPong ?? true });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return new FakePrivateUpbit(http, wss);
  }

  get url(): string {
    const addr = this.#http.address() as AddressInfo;
    return `ws://127.0.0.1:${addr.port}/websocket/v1/private`;
  }

  latest(): PrivateConnection {
    const c = this.connections.at(-1);
    if (c === undefined) throw new Error('no connection yet');
    return c;
  }

  /** Send a frame to the latest connection: binary (as Upbit does) unless `binary: false`. */
  send(data: Record<string, unknown> | unknown[] | string, opts: { binary?: boolean } = {}): void {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    const binary = opts.binary ?? true;
    this.latest().socket.send(binary ? Buffer.from(text, 'utf8') : text, { binary });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const authorization = req.headers.authorization;
    this.upgrades.push({ at: Date.now(), authorization });
    if (this.mode === 'http401') {
      const body = '{"error":{"name":"INVALID_AUTH","message":"Authentication information is invalid."}}';
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const mode = this.mode;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: PrivateConnection = { socket: ws, authorization, requests: [], pings: 0, closeCode: null };
      this.connections.push(conn);
      ws.on('ping', () => (conn.pings += 1));
      ws.on('close', (code) => (conn.closeCode = code));
      ws.on('message', (data) => {
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
        try {
          conn.requests.push(JSON.parse(text));
        } catch {
          conn.requests.push(text);
        }
      });
      if (mode === 'errorFrame') {
        ws.send(Buffer.from('{"error":{"name":"INVALID_AUTH","message":"인증 정보가 올바르지 않습니다."}}'), { binary: true }, () => ws.close(1008, 'INVALID_AUTH'));
      }
    });
  }
}
