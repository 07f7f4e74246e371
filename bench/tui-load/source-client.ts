/**
 * The parent's side of the TUI load source (./source.ts): fork it through tsx, wait for its
 * port, and drive it over IPC. The child ends with the parent (IPC disconnect) and on close().
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { FocusType } from './source-request.js';

const SOURCE = fileURLToPath(new URL('./source.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface SourceStats {
  /** Frames handed to the socket since the source started. */
  sent: number;
  rate: number;
  connections: number;
  subscribed: number;
  /** Bytes queued in the source, not yet taken by the kernel's socket (`bufferedAmount`), now and at most. */
  buffered: number;
  maxBuffered: number;
  /** Mean size of a frame of the set, bytes. */
  frameBytes: number;
  /** WebSocket messages (requests) the clients sent. */
  wsRequests: number;
  /** Book + trade frames a second of each focused market. */
  focusRate: number;
  /** The markets some client has a request in force for, by focus type. */
  focus: Record<FocusType, string[]>;
  /** Focus frames sent (snapshots included), by type; they are not in `sent`, which counts tickers as the TUI's metrics do. */
  focusSent: Record<FocusType, number>;
  focusBytes: number;
  /** HTTP requests by `METHOD /path`. */
  requests: Record<string, number>;
  at: number;
}

export interface LoadSource {
  readonly pid: number;
  readonly apiUrl: string;
  readonly wsUrl: string;
  /** Send `rate` frames a second from now on (0 pauses). */
  setRate(rate: number): Promise<SourceStats>;
  /** Send exactly `count` more frames at `rate`, then pause. */
  send(count: number, rate: number): Promise<SourceStats>;
  /** Send `rate` book + trade frames a second (half each) and a candle a second of each focused market (0 pauses them). */
  setFocusRate(rate: number): Promise<SourceStats>;
  stats(): Promise<SourceStats>;
  close(): void;
}

export async function startLoadSource(markets: number, timeoutMs = 20_000): Promise<LoadSource> {
  const child: ChildProcess = fork(SOURCE, [String(markets)], { cwd: REPO, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const waiting = new Map<number, (s: SourceStats) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the TUI load source (${SOURCE}) did not report its port within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`the TUI load source exited with ${code} before it listened`)));
    child.on('message', (m: unknown) => {
      const msg = m as { port?: number; id?: number } & SourceStats;
      if (typeof msg.port === 'number') {
        clearTimeout(timer);
        resolve(msg.port);
      } else if (typeof msg.id === 'number') {
        waiting.get(msg.id)?.(msg);
        waiting.delete(msg.id);
      }
    });
  });
  const ask = (body: Record<string, unknown>): Promise<SourceStats> =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        reject(new Error('the TUI load source has gone'));
        return;
      }
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, ...body });
    });
  return {
    pid: child.pid ?? 0,
    apiUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/websocket/v1`,
    setRate: (rate) => ask({ type: 'rate', rate }),
    send: (count, rate) => ask({ type: 'send', count, rate }),
    setFocusRate: (rate) => ask({ type: 'focus-rate', rate }),
    stats: () => ask({ type: 'stats' }),
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
