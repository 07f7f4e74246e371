/**
 * A `ws` client for `/websocket/v1/private` that sends the JWT on the handshake, records
 * every frame and lets a test wait on conditions (never on guessed sleeps).
 */
import type { RawData } from 'ws';
import { WebSocket } from 'ws';

import { signUpbitJwt } from '../auth/sign.js';
import type { Account } from '../rest/client.js';

export interface Frame {
  binary: boolean;
  text: string;
  json: unknown;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PrivateClient {
  readonly received: Frame[] = [];
  readonly pongs: string[] = [];
  closeCode: number | undefined;
  private readonly wakers = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.received.push({ binary: isBinary, text, json });
      this.wake();
    });
    ws.on('pong', (data) => {
      this.pongs.push(data.toString('utf8'));
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Connect with `Authorization: Bearer <jwt>` (a fresh token for `account`, or `authorization` verbatim). */
  static async connect(url: string, auth: { account?: Account; authorization?: string }): Promise<PrivateClient> {
    const authorization = auth.authorization ?? (auth.account === undefined ? undefined : `Bearer ${signUpbitJwt(auth.account.accessKey, auth.account.secretKey)}`);
    const ws = new WebSocket(url, { headers: authorization === undefined ? {} : { authorization } });
    const client = new PrivateClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`)));
      });
    });
    return client;
  }

  send(request: unknown): void {
    this.ws.send(typeof request === 'string' ? request : JSON.stringify(request));
  }

  until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(this.received.map((r) => r.json))}`));
      }, timeoutMs);
      this.wakers.add(wake);
    });
  }

  /** Index of the first frame at or after `from` matching, once it has arrived. */
  async next(match: (json: Record<string, unknown>) => boolean, what: string, from = 0, timeoutMs = 5_000): Promise<number> {
    let found = -1;
    await this.until(
      () => {
        found = this.received.findIndex((r, i) => i >= from && isRecord(r.json) && match(r.json));
        return found >= 0;
      },
      what,
      timeoutMs,
    );
    return found;
  }

  /** PING → `{"status":"UP"}`: afterwards every frame produced before has arrived. */
  async sync(): Promise<number> {
    const from = this.received.length;
    this.send('PING');
    return this.next((j) => j['status'] === 'UP', 'the UP answer to PING', from);
  }

  /** The JSON objects received (LIST formats flattened), from index `from`. */
  messages(from = 0): Array<Record<string, unknown>> {
    return this.received
      .slice(from)
      .flatMap((r): unknown[] => (Array.isArray(r.json) ? (r.json as unknown[]) : [r.json]))
      .filter(isRecord);
  }

  async close(): Promise<void> {
    if (this.closeCode !== undefined) return;
    this.ws.terminate();
    await this.until(() => this.closeCode !== undefined, 'the socket to close');
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
