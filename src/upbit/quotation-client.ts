/**
 * The quotation WebSocket client: keeps one connection to Upbit's public stream alive, sends
 * the wanted subscriptions, and hands every ticker to `onTicker` synchronously.
 *
 * - The desired subscription set is the source of truth; the socket is reconciled to it after
 *   every (re)connect and on every change, always with the whole set, because a new request
 *   replaces the previous one on Upbit (shared/upbit-api.md §2.2).
 * - Network trouble is never an exception: it is a {@link ConnectionStatus} and a retry with
 *   full-jitter backoff, and never more than 5 connection attempts per second (§2.6).
 * - Liveness: protocol pings well inside Upbit's 120 s idle timeout (§2.4); a connection that
 *   answers neither with data nor with a pong is replaced (perf-reliability.md §8).
 */
import { randomUUID } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { fullJitterDelay, sleep } from '../runtime/backoff.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { parseQuotationFrame } from './parse.js';
import type { Ticker } from './types.js';
import type { TypeRequestWire } from './wire.js';

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'live'; since: number }
  | { state: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  /** Every attempt since the last live connection (at least 3) failed before opening; still retrying. */
  | { state: 'offline'; reason: string; attempt: number; retryInMs: number };

/** The data types this client can hand over; widen together with the dispatcher. */
export type SubscriptionType = 'ticker';

export interface Subscription {
  type: SubscriptionType;
  /** Upper-case market codes, e.g. `KRW-BTC`. */
  codes: string[];
}

export interface QuotationClientOptions {
  /** e.g. `wss://api.upbit.com/websocket/v1`. */
  url: string;
  /** Key style Upbit should use; both are parsed. @default 'DEFAULT' */
  format?: 'DEFAULT' | 'SIMPLE';
  /** @default silentLogger */
  logger?: Logger;
  /** Called synchronously from the socket's message handler; keep it cheap, never throw. */
  onTicker: (t: Ticker) => void;
  /** Called only when the status changes. */
  onStatus?: (s: ConnectionStatus) => void;
  onInvalid?: (reason: string) => void;
  /** Protocol ping period. @default 20_000 */
  pingIntervalMs?: number;
  /** How long after a ping a connection may stay without data and without a pong before it is replaced. @default 10_000 */
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

export interface QuotationStats {
  /** Frames received. */
  messages: number;
  /** Messages that could not be used (see `onInvalid`). */
  invalid: number;
  /** Connections that opened. */
  connects: number;
  lastMessageAt: number | null;
  /** Payload bytes received. */
  bytes: number;
}

/**
 * Upbit counts connection requests per IP at 5/s (§2.6). 200 ms would be exactly 5/s on our
 * clock; the margin keeps network jitter from making Upbit's clock see a 6th.
 */
const MIN_ATTEMPT_SPACING_MS = 220;
/** Upbit allows 5 request messages per second per connection (§2.6). */
const MAX_SENDS_PER_SECOND = 5;
/** After this many attempts in a row that never opened, say "offline" rather than "reconnecting". */
const OFFLINE_AFTER_FAILURES = 3;
/** How long a clean close(1000) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** A SIMPLE_LIST frame of every KRW ticker is ~150 KB; anything near this is not Upbit. */
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
const INVALID_LOG_INTERVAL_MS = 1_000;

interface ConnectionOutcome {
  opened: boolean;
  /** How long the connection was live (0 if it never opened). */
  liveMs: number;
  reason: string;
}

type RequestElement = { ticket: string } | TypeRequestWire | { format: 'DEFAULT' | 'SIMPLE' };

export class QuotationClient {
  readonly #url: string;
  readonly #host: string;
  readonly #hostname: string;
  readonly #format: 'DEFAULT' | 'SIMPLE';
  readonly #log: Logger;
  readonly #onTicker: (t: Ticker) => void;
  readonly #onStatus: ((s: ConnectionStatus) => void) | undefined;
  readonly #onInvalid: ((reason: string) => void) | undefined;
  readonly #pingIntervalMs: number;
  readonly #livenessTimeoutMs: number;
  readonly #backoff: { baseMs: number; capMs: number };
  readonly #connectTimeoutMs: number;
  readonly #stableAfterMs: number;
  readonly #random: () => number;
  readonly #now: () => number;

  #subs: Subscription[] = [];
  #running = false;
  #status: ConnectionStatus | null = null;
  /** The socket requests go to: set while open, null otherwise. */
  #socket: WebSocket | null = null;
  #sendTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last (up to 5) requests went out on the current socket. */
  #sendTimes: number[] = [];
  /** The subscription part of the last request on the current socket, to skip no-op resends. */
  #lastSentBody: string | null = null;
  #lastInvalidLogAt = Number.NEGATIVE_INFINITY;
  #invalidSinceLog = 0;
  readonly #stats: QuotationStats = { messages: 0, invalid: 0, connects: 0, lastMessageAt: null, bytes: 0 };

  constructor(opts: QuotationClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch (cause) {
      throw new TypeError(`"${opts.url}" is not a WebSocket URL; use e.g. wss://api.upbit.com/websocket/v1.`, { cause });
    }
    if ((parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') || parsed.hash !== '') {
      throw new TypeError(`"${opts.url}" is not a WebSocket URL (ws:// or wss://, without a #fragment); use e.g. wss://api.upbit.com/websocket/v1.`);
    }
    this.#url = opts.url;
    this.#host = parsed.host;
    this.#hostname = parsed.hostname;
    this.#format = opts.format ?? 'DEFAULT';
    this.#log = opts.logger?.child({ component: 'quotation-ws' }) ?? silentLogger;
    this.#onTicker = opts.onTicker;
    this.#onStatus = opts.onStatus;
    this.#onInvalid = opts.onInvalid;
    this.#pingIntervalMs = opts.pingIntervalMs ?? 20_000;
    this.#livenessTimeoutMs = opts.livenessTimeoutMs ?? 10_000;
    this.#backoff = opts.backoff ?? { baseMs: 500, capMs: 30_000 };
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.#stableAfterMs = opts.stableAfterMs ?? 30_000;
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Replace the desired set — the source of truth. While connected, the whole set is sent
   * again (a new request replaces the old one on Upbit); calls in the same tick are coalesced
   * into one request, and requests are spaced to at most 5 per second, so the latest set is
   * delayed, never dropped. Entries without codes are ignored; an empty set sends nothing
   * (Upbit rejects a request without types), so the previous streams continue until the next
   * reconnect.
   */
  setSubscriptions(subs: Subscription[]): void {
    this.#subs = subs.filter((s) => s.codes.length > 0).map((s) => ({ type: s.type, codes: [...s.codes] }));
    this.#scheduleSend();
  }

  subscriptions(): Subscription[] {
    return this.#subs.map((s) => ({ type: s.type, codes: [...s.codes] }));
  }

  stats(): QuotationStats {
    return { ...this.#stats };
  }

  /**
   * Kernel task body: connects, reconnects with full-jitter backoff, and resolves once
   * `signal` aborts and the socket is closed (close 1000, destroyed after ~1 s). Network
   * problems are statuses, never rejections; it rejects only for bugs (e.g. a callback threw).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('QuotationClient.run() is already running: one client owns one connection.');
    this.#running = true;
    try {
      let streak = 0; // connections since the last stable one: the backoff exponent
      let attempt = 0; // attempts since the last live connection
      let failedBeforeOpen = 0; // consecutive attempts that never opened
      let lastAttemptAt = Number.NEGATIVE_INFINITY;
      while (!signal.aborted) {
        // Timers may fire a millisecond early on our clock: re-check rather than trust them.
        for (let wait = lastAttemptAt + MIN_ATTEMPT_SPACING_MS - this.#now(); wait > 0; wait = lastAttemptAt + MIN_ATTEMPT_SPACING_MS - this.#now()) {
          if (!(await sleepUnlessAborted(wait, signal))) return;
        }
        attempt += 1;
        lastAttemptAt = this.#now();
        // While offline the status bar already says "retrying"; don't flicker through "connecting".
        if (this.#status?.state !== 'offline') this.#setStatus({ state: 'connecting', attempt });

        const outcome = await this.#connectOnce(signal);
        if (signal.aborted) return;

        if (outcome.opened) {
          attempt = 0;
          failedBeforeOpen = 0;
        } else {
          failedBeforeOpen += 1;
        }
        if (outcome.liveMs >= this.#stableAfterMs) streak = 0;
        const retryInMs = Math.max(
          Math.round(fullJitterDelay(streak, this.#backoff, this.#random)),
          lastAttemptAt + MIN_ATTEMPT_SPACING_MS - this.#now(),
          0,
        );
        streak += 1;
        const next = attempt + 1;
        this.#log.info({ reason: outcome.reason, attempt: next, retryInMs }, 'quotation stream down; retrying');
        this.#setStatus(
          failedBeforeOpen >= OFFLINE_AFTER_FAILURES
            ? { state: 'offline', reason: outcome.reason, attempt: next, retryInMs }
            : { state: 'reconnecting', attempt: next, retryInMs, reason: outcome.reason },
        );
        if (!(await sleepUnlessAborted(retryInMs, signal))) return;
      }
    } finally {
      this.#clearSendTimer();
      this.#socket = null;
      this.#status = null; // a later run() reports from scratch
      this.#running = false;
    }
  }

  /** One connection from attempt to close. Resolves with how it went; rejects only for a bug. */
  #connectOnce(signal: AbortSignal): Promise<ConnectionOutcome> {
    return new Promise<ConnectionOutcome>((resolve, reject) => {
      // No `origin`: requests with an Origin header get 1 per 10 s (§2.6).
      const ws = new WebSocket(this.#url, {
        perMessageDeflate: false,
        maxPayload: MAX_PAYLOAD_BYTES,
        handshakeTimeout: this.#connectTimeoutMs,
        followRedirects: false,
      });
      let openedAt: number | null = null;
      let reason: string | null = null;
      let bug: { error: unknown } | null = null;
      let lastActivityAt = 0;
      let pingSentAt = 0;
      let pingTimer: ReturnType<typeof setInterval> | undefined;
      let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
      let closeTimer: ReturnType<typeof setTimeout> | undefined;

      // The first explanation wins: an error or our own decision comes before the close it causes.
      const explain = (why: string): void => {
        reason ??= why;
      };
      const fail = (error: unknown): void => {
        bug ??= { error };
        ws.terminate();
      };

      const onOpen = (): void => {
        const t = this.#now();
        openedAt = t;
        lastActivityAt = t;
        this.#stats.connects += 1;
        this.#socket = ws;
        this.#sendTimes = [];
        this.#lastSentBody = null;
        try {
          this.#clearSendTimer();
          this.#sendRequest(ws);
          this.#log.info({ host: this.#host }, 'quotation stream live');
          this.#setStatus({ state: 'live', since: t });
        } catch (error) {
          fail(error);
          return;
        }
        pingTimer = setInterval(onPingTick, this.#pingIntervalMs);
      };

      const onMessage = (data: WebSocket.RawData): void => {
        const t = this.#now();
        lastActivityAt = t;
        const stats = this.#stats;
        stats.messages += 1;
        stats.lastMessageAt = t;
        stats.bytes += Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
        try {
          for (const ev of parseQuotationFrame(data)) {
            switch (ev.kind) {
              case 'ticker':
                this.#onTicker(ev.ticker);
                break;
              case 'invalid':
                this.#noteInvalid(ev.reason, t);
                break;
              case 'error':
                this.#log.warn({ name: ev.name, message: ev.message }, 'Upbit rejected the quotation request');
                break;
              case 'status':
                // The answer to a text `PING`; we keep alive with protocol pings instead.
                break;
            }
          }
        } catch (error) {
          fail(error);
        }
      };

      const onActivity = (): void => {
        lastActivityAt = this.#now();
      };

      const onPingTick = (): void => {
        if (ws.readyState !== WebSocket.OPEN) return;
        const t = this.#now();
        ws.ping();
        // One deadline at a time, measured from the oldest unanswered ping.
        if (deadlineTimer === undefined) {
          pingSentAt = t;
          deadlineTimer = setTimeout(onDeadline, this.#livenessTimeoutMs);
        }
      };

      const onDeadline = (): void => {
        deadlineTimer = undefined;
        if (lastActivityAt >= pingSentAt) return;
        const silentFor = this.#now() - lastActivityAt;
        explain(`no data or pong for ${formatSeconds(silentFor)}`);
        this.#log.warn({ silentForMs: silentFor }, 'quotation stream silent; replacing the connection');
        ws.terminate();
      };

      const onUnexpectedResponse = (_req: ClientRequest, res: IncomingMessage): void => {
        explain(describeHttpStatus(res.statusCode ?? 0, this.#host));
        res.resume();
        ws.terminate();
      };

      const onError = (err: Error): void => {
        explain(describeSocketError(err, this.#host, this.#hostname, this.#connectTimeoutMs));
        this.#log.debug({ err: err.message, code: errorCode(err) }, 'quotation socket error');
      };

      const onAbort = (): void => {
        explain('stopped');
        if (ws.readyState === WebSocket.CONNECTING) {
          ws.terminate();
          return;
        }
        ws.close(1000);
        closeTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      };

      const onClose = (code: number, closeReason: Buffer): void => {
        explain(describeClose(code, closeReason, this.#host));
        clearInterval(pingTimer);
        clearTimeout(deadlineTimer);
        clearTimeout(closeTimer);
        signal.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        ws.off('message', onMessage);
        ws.off('pong', onActivity);
        ws.off('ping', onActivity);
        ws.off('unexpected-response', onUnexpectedResponse);
        ws.off('error', onError);
        ws.off('close', onClose);
        if (this.#socket === ws) {
          this.#socket = null;
          this.#clearSendTimer();
        }
        if (bug !== null) {
          reject(bug.error instanceof Error ? bug.error : new Error('QuotationClient callback threw', { cause: bug.error }));
          return;
        }
        resolve({
          opened: openedAt !== null,
          liveMs: openedAt === null ? 0 : this.#now() - openedAt,
          reason: reason ?? 'connection closed',
        });
      };

      ws.on('open', onOpen);
      ws.on('message', onMessage);
      ws.on('pong', onActivity);
      ws.on('ping', onActivity);
      ws.on('unexpected-response', onUnexpectedResponse);
      ws.on('error', onError);
      ws.on('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }

  #sendRequest(ws: WebSocket): void {
    if (this.#subs.length === 0) return;
    const body: RequestElement[] = this.#subs.map((s) => ({ type: s.type, codes: s.codes }));
    const bodyKey = JSON.stringify(body);
    if (bodyKey === this.#lastSentBody) return;
    body.unshift({ ticket: randomUUID() });
    body.push({ format: this.#format });
    ws.send(JSON.stringify(body));
    this.#lastSentBody = bodyKey;
    this.#sendTimes.push(this.#now());
    if (this.#sendTimes.length > MAX_SENDS_PER_SECOND) this.#sendTimes.shift();
    this.#log.debug({ subscriptions: this.#subs.length, format: this.#format }, 'sent quotation request');
  }

  #scheduleSend(): void {
    if (this.#socket === null || this.#sendTimer !== null) return;
    this.#sendTimer = setTimeout(this.#flushSend, this.#sendDelay());
  }

  readonly #flushSend = (): void => {
    this.#sendTimer = null;
    const ws = this.#socket;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return;
    const delay = this.#sendDelay();
    if (delay > 0) {
      this.#sendTimer = setTimeout(this.#flushSend, delay);
      return;
    }
    this.#sendRequest(ws);
  };

  /** How long until another request fits in Upbit's 5-per-second window. */
  #sendDelay(): number {
    if (this.#sendTimes.length < MAX_SENDS_PER_SECOND) return 0;
    const oldest = this.#sendTimes[0] ?? Number.NEGATIVE_INFINITY;
    return Math.max(0, oldest + 1_000 - this.#now());
  }

  #clearSendTimer(): void {
    if (this.#sendTimer !== null) {
      clearTimeout(this.#sendTimer);
      this.#sendTimer = null;
    }
  }

  #noteInvalid(reason: string, t: number): void {
    this.#stats.invalid += 1;
    this.#onInvalid?.(reason);
    if (t - this.#lastInvalidLogAt >= INVALID_LOG_INTERVAL_MS) {
      this.#log.debug({ reason, alsoSinceLastLog: this.#invalidSinceLog }, 'dropped an invalid quotation message');
      this.#lastInvalidLogAt = t;
      this.#invalidSinceLog = 0;
    } else {
      this.#invalidSinceLog += 1;
    }
  }

  #setStatus(next: ConnectionStatus): void {
    if (this.#status !== null && sameStatus(this.#status, next)) return;
    this.#status = next;
    this.#onStatus?.(next);
  }
}

/** Sleep; `false` if `signal` aborted first (cancellation is not an error here). */
async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}

function sameStatus(a: ConnectionStatus, b: ConnectionStatus): boolean {
  switch (a.state) {
    case 'connecting':
      return b.state === 'connecting' && a.attempt === b.attempt;
    case 'live':
      return b.state === 'live' && a.since === b.since;
    case 'reconnecting':
      return b.state === 'reconnecting' && a.attempt === b.attempt && a.retryInMs === b.retryInMs && a.reason === b.reason;
    case 'offline':
      return b.state === 'offline' && a.attempt === b.attempt && a.retryInMs === b.retryInMs && a.reason === b.reason;
  }
}

function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function errorCode(err: Error): string | undefined {
  if ('code' in err && typeof err.code === 'string') return err.code;
  // Node 20's happy-eyeballs connect reports every address it tried in an AggregateError.
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      if (inner instanceof Error) {
        const code = errorCode(inner);
        if (code !== undefined) return code;
      }
    }
  }
  return undefined;
}

const TLS_CODE_PREFIXES = ['ERR_TLS_', 'ERR_SSL_', 'CERT_', 'UNABLE_TO_', 'DEPTH_ZERO_', 'SELF_SIGNED_'];

/** A socket or handshake error in words for the status bar. */
function describeSocketError(err: Error, host: string, hostname: string, connectTimeoutMs: number): string {
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${hostname} (no network?)`;
    case 'ETIMEDOUT':
      return `${host} did not answer within ${formatSeconds(connectTimeoutMs)}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection dropped';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `cannot reach ${host} (${code}; no network?)`;
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return `${host} sent a message over ${MAX_PAYLOAD_BYTES / (1024 * 1024)} MB`;
    case undefined:
      break;
    default:
      if (TLS_CODE_PREFIXES.some((p) => code.startsWith(p))) return `secure connection to ${host} failed (${code})`;
      if (code.startsWith('WS_ERR_')) return `${host} broke the WebSocket protocol (${code})`;
  }
  if (err.message === 'Opening handshake has timed out') return `${host} did not answer within ${formatSeconds(connectTimeoutMs)}`;
  const status = /^Unexpected server response: (\d+)$/.exec(err.message);
  if (status?.[1] !== undefined) return describeHttpStatus(Number(status[1]), host);
  return `cannot connect to ${host} (${code ?? err.message})`;
}

function describeHttpStatus(status: number, host: string): string {
  if (status === 429) return `rate limited by ${host}`;
  if (status === 418) return `${host} has temporarily blocked this IP (HTTP 418)`;
  return `${host} refused the WebSocket upgrade (HTTP ${status})`;
}

function describeClose(code: number, reason: Buffer, host: string): string {
  if (code === 1006) return 'connection dropped';
  const text = reason.length > 0 ? `: ${reason.toString('utf8').slice(0, 80)}` : '';
  return `${host} closed the connection (code ${code}${text})`;
}
