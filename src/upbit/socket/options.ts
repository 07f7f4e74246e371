/** Options of {@link UpbitSocket} and the tuning the clients built on it pass through. */
import type WebSocket from 'ws';
import type { Logger } from '../../runtime/logger.js';
import type { SocketFormat } from './request-sender.js';
import type { ConnectionStatus } from './status.js';

/** The server turned us down for a reason a quick retry will not fix (e.g. the API key). */
export interface Refusal {
  /** The status-bar sentence: what is wrong and what to do. */
  reason: string;
}

/** Tuning shared by every client built on {@link UpbitSocket}; each is documented with its default. */
export interface SocketTuning {
  /** Protocol ping period, whatever the traffic (Upbit's idle timeout is 120 s). @default 20_000 */
  pingIntervalMs?: number;
  /**
   * After this long without a frame or a pong, ping at once: a healthy link answers in well
   * under a second, so a quiet subscription (no trades) is told apart from a dead link within
   * seconds, not at the next keep-alive ping. @default 2_000
   */
  probeAfterMs?: number;
  /** How long after a ping a connection may stay without data and without a pong before it is replaced. @default 5_000 */
  livenessTimeoutMs?: number;
  /** Full-jitter reconnect backoff. @default { baseMs: 500, capMs: 30_000 } */
  backoff?: { baseMs: number; capMs: number };
  /** Opening handshake deadline (TCP + TLS + HTTP upgrade). @default 10_000 */
  connectTimeoutMs?: number;
  /** A connection live for this long resets the backoff. @default 30_000 */
  stableAfterMs?: number;
  /** @default Math.random */
  random?: () => number;
  /** @default Date.now */
  now?: () => number;
}

export interface UpbitSocketOptions extends SocketTuning {
  /** `ws://` or `wss://`, without a fragment. */
  url: string;
  /** One word for log lines and errors, e.g. `quotation`, `private`. */
  label: string;
  logger: Logger;
  format: SocketFormat;
  /**
   * Extra upgrade headers, asked for before every attempt. A throw fails that attempt with the
   * error's message as the status reason (offline, slow backoff): word it for the user.
   */
  handshakeHeaders?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Every inbound frame, synchronously; throwing is a bug and makes `run()` reject. */
  onFrame: (data: WebSocket.RawData, at: number) => void;
  /** After a connection opened and the desired set went out on it: 1 for the first, then 2, 3, … */
  onConnected?: (connection: number) => void;
  /** Called only when the status changes. */
  onStatus?: (s: ConnectionStatus) => void;
  onInvalid?: (reason: string) => void;
  /** Every sign of life on the open connection (a frame or a pong), synchronously; keep it cheap. */
  onActivity?: (at: number) => void;
  /** Classify an HTTP answer to the upgrade; a {@link Refusal} makes the status offline at once. */
  refusal?: (httpStatus: number) => Refusal | undefined;
}
