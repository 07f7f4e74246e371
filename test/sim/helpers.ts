import type { RawData } from 'ws';
import { WebSocket } from 'ws';

import type { SimServer } from '../../src/sim/index.js';

/** A frame the test client received, decoded. */
export interface Received {
  binary: boolean;
  text: string;
  /** Parsed JSON, or undefined when the frame was not JSON. */
  json: unknown;
}

type Check = () => boolean;

/** Wait until `check()` holds, re-checking whenever `subscribe`'s callback fires. */
function waitOn(subscribe: (wake: () => void) => () => void, check: Check, what: string, timeoutMs: number): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** A real `ws` client that records every frame and lets a test wait for conditions. */
export class TestClient {
  readonly received: Received[] = [];
  readonly pongs: string[] = [];
  closeCode: number | undefined;
  private readonly wakers = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = toBuffer(data).toString('utf8');
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

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Send a request: strings as text frames, anything else as JSON text. */
  send(request: unknown): void {
    this.ws.send(typeof request === 'string' ? request : JSON.stringify(request));
  }

  until(check: Check, what: string, timeoutMs = 5_000): Promise<void> {
    return waitOn(
      (wake) => {
        this.wakers.add(wake);
        return () => this.wakers.delete(wake);
      },
      check,
      what,
      timeoutMs,
    );
  }

  /** The index of the first frame at or after `from` that matches, once it has arrived. */
  async next(match: (r: Received) => boolean, what: string, from = 0, timeoutMs = 5_000): Promise<number> {
    let found = -1;
    await this.until(
      () => {
        found = this.received.findIndex((r, i) => i >= from && match(r));
        return found >= 0;
      },
      what,
      timeoutMs,
    );
    return found;
  }

  /**
   * Send the text `PING` and wait for its `{"status":"UP"}`. The server answers in order, so
   * afterwards every frame it produced for earlier requests and trades has arrived.
   */
  async sync(): Promise<number> {
    const from = this.received.length;
    this.send('PING');
    return this.next(isStatusUp, 'the {"status":"UP"} answer to PING', from);
  }

  closed(): Promise<void> {
    return this.until(() => this.closeCode !== undefined, 'the socket to close');
  }

  async close(): Promise<void> {
    if (this.closeCode !== undefined) return;
    this.ws.terminate();
    await this.closed();
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const isStatusUp = (r: Received): boolean => isRecord(r.json) && r.json['status'] === 'UP';

export const isErrorNamed =
  (name: string) =>
  (r: Received): boolean =>
    isRecord(r.json) && isRecord(r.json['error']) && r.json['error']['name'] === name;

/** A ticker message (DEFAULT or SIMPLE keys) for `code`, optionally of one stream type. */
export const isTicker =
  (code?: string, streamType?: 'SNAPSHOT' | 'REALTIME') =>
  (r: Received): boolean => {
    if (!isRecord(r.json)) return false;
    const m = r.json;
    const type = m['type'] ?? m['ty'];
    const cd = m['code'] ?? m['cd'];
    const st = m['stream_type'] ?? m['st'];
    return type === 'ticker' && (code === undefined || cd === code) && (streamType === undefined || st === streamType);
  };

/** A market clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 10, 20, 3, 0, 0)): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/**
 * Move the clock a second at a time (running the due trades at once) until `code` has
 * traded `count` more times.
 */
export function tradeUntil(server: SimServer, clock: { advance: (ms: number) => void }, code: string, count: number): void {
  let seen = 0;
  const off = server.engine.onTrade((t) => {
    if (t.code === code) seen++;
  });
  try {
    for (let i = 0; seen < count; i++) {
      if (i > 3_600) throw new Error(`${code} did not trade ${count} times in an hour of market time`);
      clock.advance(1_000);
      server.engine.catchUp();
    }
  } finally {
    off();
  }
}
