/**
 * The connection discipline every Upbit WebSocket client shares (the quotation stream and the
 * private `myOrder`/`myAsset` stream): one connection kept alive, the wanted subscriptions
 * sent whole, and trouble reported as a {@link ConnectionStatus}, never thrown.
 *
 * - The desired request is the source of truth; the socket is reconciled to it after every
 *   (re)connect and on every change, always with the whole set, because a new request
 *   replaces the previous one on Upbit (docs/upbit-protocol.md#websocket-requests). At most 5 requests a
 *   second per connection (docs/upbit-protocol.md#websocket-limits): the latest set is delayed, never dropped.
 * - Full-jitter backoff, and never more than 5 connection attempts per second (docs/upbit-protocol.md#websocket-limits).
 * - Liveness: protocol pings well inside Upbit's 120 s idle timeout (docs/upbit-protocol.md#keep-alive); a connection that
 *   answers neither with data nor with a pong is replaced (docs/upbit-protocol.md#keep-alive).
 * - Handshake headers (the private stream's `Authorization`) are asked for afresh before
 *   every attempt, because a JWT nonce is single-use (docs/upbit-protocol.md#websocket-transport, #authentication). They are never logged.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { fullJitterDelay, sleep } from '../../runtime/backoff.js';
import type { Logger } from '../../runtime/logger.js';
import type { TypeRequestWire } from '../wire.js';
import { describeClose, describeHttpStatus, describeSocketError, errorCode, formatSeconds } from './describe.js';
import type { Refusal, UpbitSocketOptions } from './options.js';
import { burstClock } from './burst-clock.js';
import { RequestSender } from './request-sender.js';
import { FLAP_WINDOW_MS, sameStatus, type ConnectionStatus, type SocketStats } from './status.js';

export type { Refusal, SocketTuning, UpbitSocketOptions } from './options.js';
export type { SocketFormat } from './request-sender.js';

/**
 * Upbit counts connection requests at 5/s (docs/upbit-protocol.md#websocket-limits). 200 ms would be exactly 5/s on our clock;
 * the margin keeps network jitter from making Upbit's clock see a 6th.
 */
const MIN_ATTEMPT_SPACING_MS = 220;
/** After this many attempts in a row that never opened, say "offline" rather than "reconnecting". */
const OFFLINE_AFTER_FAILURES = 3;
/** How long a clean close(1000) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** A SIMPLE_LIST frame of every KRW ticker is ~150 KB; anything near this is not Upbit. */
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
const INVALID_LOG_INTERVAL_MS = 1_000;
/**
 * After Upbit answered the upgrade with 429 (too many requests) or 418 (this IP blocked for
 * a while, after more 429s; https://docs.upbit.com/kr/reference/rate-limits), wait at least
 * this long: a quick retry would only extend the block.
 */
const RATE_LIMITED_WAIT_MS = 10_000;

interface ConnectionOutcome {
  opened: boolean;
  /** How long the connection was live (0 if it never opened). */
  liveMs: number;
  reason: string;
  /** Set when the server refused us (credentials): offline at once, and no fast retry. */
  refused: boolean;
  /** We closed it (1000) because nothing was wanted any more: not a drop, no backoff. */
  idle?: boolean;
  /** The server said we asked too often (HTTP 429/418): no retry before RATE_LIMITED_WAIT_MS. */
  rateLimited?: boolean;
}

export class UpbitSocket {
  readonly #url: string;
  readonly #host: string;
  readonly #hostname: string;
  readonly #label: string;
  readonly #log: Logger;
  readonly #opts: UpbitSocketOptions;
  readonly #pingIntervalMs: number;
  readonly #probeAfterMs: number;
  readonly #livenessTimeoutMs: number;
  readonly #backoff: { baseMs: number; capMs: number };
  readonly #connectTimeoutMs: number;
  readonly #stableAfterMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  /** {@link #now} read once per burst of frames (see burst-clock.ts): the receive time of a message. */
  readonly #receivedAt: () => number;

  readonly #sender: RequestSender;
  #running = false;
  #status: ConnectionStatus | null = null;
  /** Ends the open connection as refused; null while none is open. */
  #refuseCurrent: ((r: Refusal) => void) | null = null;
  /** Closes the open connection because nothing is wanted; null while none is open. */
  #closeIdleCurrent: (() => void) | null = null;
  /** Ends the idle wait of {@link run} once something is wanted again; null when not waiting. */
  #wake: (() => void) | null = null;
  /** When short-lived connections dropped, within FLAP_WINDOW_MS (see ConnectionStatus `drops`). */
  #drops: number[] = [];
  #lastInvalidLogAt = Number.NEGATIVE_INFINITY;
  #invalidSinceLog = 0;
  readonly #stats: SocketStats = { messages: 0, invalid: 0, connects: 0, lastMessageAt: null, bytes: 0 };

  constructor(opts: UpbitSocketOptions) {
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
    this.#label = opts.label;
    this.#log = opts.logger;
    this.#opts = opts;
    this.#pingIntervalMs = opts.pingIntervalMs ?? 20_000;
    this.#probeAfterMs = opts.probeAfterMs ?? 2_000;
    this.#livenessTimeoutMs = opts.livenessTimeoutMs ?? 5_000;
    this.#backoff = opts.backoff ?? { baseMs: 500, capMs: 30_000 };
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.#stableAfterMs = opts.stableAfterMs ?? 30_000;
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? Date.now;
    this.#receivedAt = burstClock(this.#now);
    this.#sender = new RequestSender({ format: opts.format, label: opts.label, logger: opts.logger, now: this.#now, onEmpty: () => this.#closeIdleCurrent?.() });
  }

  /**
   * Replace the desired data-type elements of the request (the ticket and the format are
   * added here). While connected the whole set is sent again; calls in the same tick are
   * coalesced into one request.
   *
   * An empty set ends the streams cleanly: Upbit has no unsubscribe message, a request must
   * name at least one type (`NO_TYPE`, https://docs.upbit.com/kr/reference/websocket-guide), and
   * a connection sends nothing until it is subscribed
   * (https://docs.upbit.com/kr/docs/websocket-best-practice). So the connection is closed with
   * 1000 (normal closure), and {@link run} stays idle, without connecting, until a non-empty set
   * comes; it then connects at once, with no backoff. Emptied and refilled in the same tick, the
   * connection stays and gets one request.
   */
  setRequest(types: TypeRequestWire[]): void {
    this.#sender.set(types);
    if (types.length > 0) this.#wake?.();
  }

  stats(): SocketStats {
    return { ...this.#stats };
  }

  /** Count a message that could not be used; logged at most once a second. */
  noteInvalid(reason: string, at: number): void {
    this.#stats.invalid += 1;
    this.#opts.onInvalid?.(reason);
    if (at - this.#lastInvalidLogAt >= INVALID_LOG_INTERVAL_MS) {
      this.#log.debug({ reason, alsoSinceLastLog: this.#invalidSinceLog }, `dropped an invalid ${this.#label} message`);
      this.#lastInvalidLogAt = at;
      this.#invalidSinceLog = 0;
    } else {
      this.#invalidSinceLog += 1;
    }
  }

  /** End the open connection as refused (offline at once, slow backoff); no-op when none is open. */
  refuse(refusal: Refusal): void {
    this.#refuseCurrent?.(refusal);
  }

  /**
   * Kernel task body: connects, reconnects with full-jitter backoff, and resolves once
   * `signal` aborts and the socket is closed (close 1000, destroyed after ~1 s). Network
   * problems are statuses, never rejections; it rejects only for bugs (e.g. a callback threw).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error(`The ${this.#label} client is already running: one client owns one connection.`);
    this.#running = true;
    try {
      let streak = 0; // connections since the last stable one: the backoff exponent
      let attempt = 0; // attempts since the last live connection
      let failedBeforeOpen = 0; // consecutive attempts that never opened
      let lastAttemptAt = Number.NEGATIVE_INFINITY;
      while (!signal.aborted) {
        if (this.#sender.isEmpty()) {
          this.#setStatus({ state: 'idle' });
          // Filled and emptied again before this resumed: keep waiting.
          while (this.#sender.isEmpty()) if (!(await this.#waitForRequest(signal))) return;
          // A fresh start: whatever went wrong before the idle spell is history.
          streak = 0;
          attempt = 0;
          failedBeforeOpen = 0;
        }
        // Timers may fire a millisecond early on our clock: re-check rather than trust them.
        for (let wait = lastAttemptAt + MIN_ATTEMPT_SPACING_MS - this.#now(); wait > 0; wait = lastAttemptAt + MIN_ATTEMPT_SPACING_MS - this.#now()) {
          if (!(await sleepUnlessAborted(wait, signal))) return;
        }
        attempt += 1;
        lastAttemptAt = this.#now();
        // While offline the status bar already says "retrying"; don't flicker through "connecting".
        if (this.#status?.state !== 'offline') {
          this.#pruneDrops();
          this.#setStatus(this.#drops.length > 0 ? { state: 'connecting', attempt, drops: [...this.#drops] } : { state: 'connecting', attempt });
        }

        const outcome = await this.#attempt(signal);
        if (signal.aborted) return;
        if (outcome.idle === true) {
          this.#log.info({}, `${this.#label} stream closed: nothing subscribed`);
          continue;
        }

        const usable = outcome.opened && !outcome.refused;
        if (usable) {
          attempt = 0;
          failedBeforeOpen = 0;
        } else {
          failedBeforeOpen += 1;
        }
        if (usable && outcome.liveMs >= this.#stableAfterMs) streak = 0;
        else if (usable) this.#drops.push(this.#now());
        this.#pruneDrops();
        const jitter = fullJitterDelay(streak, this.#backoff, this.#random);
        // A refusal will not clear up in a moment: wait at least half the window ("equal jitter").
        const delay = outcome.refused ? fullJitterDelay(streak, this.#backoff, () => 1) / 2 + jitter / 2 : jitter;
        const retryInMs = Math.max(Math.round(delay), lastAttemptAt + MIN_ATTEMPT_SPACING_MS - this.#now(), outcome.rateLimited === true ? RATE_LIMITED_WAIT_MS : 0);
        const retryAt = this.#now() + retryInMs;
        streak += 1;
        const next = attempt + 1;
        const drops = this.#drops.length > 0 ? { drops: [...this.#drops] } : {};
        const fields = { reason: outcome.reason, attempt: next, retryInMs, recentDrops: this.#drops.length };
        if (outcome.refused) this.#log.warn(fields, `${this.#label} stream refused; retrying`);
        else this.#log.info(fields, `${this.#label} stream down; retrying`);
        this.#setStatus(
          outcome.refused || failedBeforeOpen >= OFFLINE_AFTER_FAILURES
            ? { state: 'offline', reason: outcome.reason, attempt: next, retryInMs, retryAt, ...drops }
            : { state: 'reconnecting', attempt: next, retryInMs, retryAt, reason: outcome.reason, ...drops },
        );
        if (!(await sleepUnlessAborted(retryInMs, signal))) return;
      }
    } finally {
      this.#sender.detach();
      this.#refuseCurrent = null;
      this.#closeIdleCurrent = null;
      this.#status = null; // a later run() reports from scratch
      this.#running = false;
    }
  }

  /** Resolves true once a non-empty request is set, false if `signal` aborts first. */
  #waitForRequest(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (!this.#sender.isEmpty()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (wanted: boolean): void => {
        this.#wake = null;
        signal.removeEventListener('abort', onAbort);
        resolve(wanted);
      };
      const onAbort = (): void => done(false);
      this.#wake = () => done(true);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Fresh handshake headers, then one connection. */
  async #attempt(signal: AbortSignal): Promise<ConnectionOutcome> {
    const provider = this.#opts.handshakeHeaders;
    let headers: Record<string, string> | undefined;
    if (provider !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      try {
        // Neither a hung provider nor an abort while it works may hold the loop.
        const got = await new Promise<Record<string, string> | null>((resolve, reject) => {
          onAbort = () => resolve(null);
          signal.addEventListener('abort', onAbort, { once: true });
          timer = setTimeout(() => reject(new Error(`preparing the ${this.#label} handshake took over ${formatSeconds(this.#connectTimeoutMs)}`)), this.#connectTimeoutMs);
          Promise.resolve().then(provider).then(resolve, reject);
        });
        if (got === null) return { opened: false, liveMs: 0, reason: 'stopped', refused: false };
        headers = got;
      } catch (error) {
        return { opened: false, liveMs: 0, reason: error instanceof Error ? error.message : String(error), refused: true };
      } finally {
        clearTimeout(timer);
        if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      }
    }
    return this.#connectOnce(signal, headers);
  }

  /** One connection from attempt to close. Resolves with how it went; rejects only for a bug. */
  #connectOnce(signal: AbortSignal, headers: Record<string, string> | undefined): Promise<ConnectionOutcome> {
    return new Promise<ConnectionOutcome>((resolve, reject) => {
      // No `origin`: requests with an Origin header get 1 per 10 s (docs/upbit-protocol.md#websocket-limits). No redirects: the
      // Authorization header must not follow one to another host.
      const ws = new WebSocket(this.#url, {
        perMessageDeflate: false,
        maxPayload: MAX_PAYLOAD_BYTES,
        handshakeTimeout: this.#connectTimeoutMs,
        followRedirects: false,
        ...(headers !== undefined ? { headers } : {}),
      });
      let openedAt: number | null = null;
      let reason: string | null = null;
      let refused = false;
      let rateLimited = false;
      let idle = false;
      let bug: { error: unknown } | null = null;
      let lastActivityAt = 0;
      /** When the oldest unanswered ping went out; null when none is outstanding. */
      let pingSentAt: number | null = null;
      let lastPingAt = 0;
      let pingTimer: ReturnType<typeof setInterval> | undefined;
      let closeTimer: ReturnType<typeof setTimeout> | undefined;

      // The first explanation wins: an error or our own decision comes before the close it causes.
      const explain = (why: string): void => {
        reason ??= why;
      };
      const refuse = (r: Refusal): void => {
        if (reason === null) refused = true;
        explain(r.reason);
        ws.terminate();
      };
      const fail = (error: unknown): void => {
        bug ??= { error };
        ws.terminate();
      };
      // Nothing is wanted any more: a normal closure, as for a stop.
      const closeIdle = (): void => {
        if (reason !== null || ws.readyState !== WebSocket.OPEN) return;
        idle = true;
        explain('nothing subscribed');
        ws.close(1000, 'nothing subscribed');
        clearTimeout(closeTimer);
        closeTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      };

      const onOpen = (): void => {
        const t = this.#now();
        openedAt = t;
        lastActivityAt = t;
        this.#stats.connects += 1;
        this.#refuseCurrent = refuse;
        this.#closeIdleCurrent = closeIdle;
        try {
          this.#sender.attach(ws);
          // Emptied while connecting: closing already, never live.
          if (idle) return;
          this.#log.info({ host: this.#host }, `${this.#label} stream live`);
          this.#pruneDrops();
          this.#setStatus(this.#drops.length > 0 ? { state: 'live', since: t, drops: [...this.#drops] } : { state: 'live', since: t });
          this.#opts.onConnected?.(this.#stats.connects);
        } catch (error) {
          fail(error);
          return;
        }
        lastPingAt = t;
        pingTimer = setInterval(onPingTick, Math.max(10, Math.min(this.#pingIntervalMs, this.#probeAfterMs, this.#livenessTimeoutMs) / 4));
      };

      const onMessage = (data: WebSocket.RawData): void => {
        // The frames of one read arrived together: one clock read for all of them.
        const t = this.#receivedAt();
        lastActivityAt = t;
        const stats = this.#stats;
        stats.messages += 1;
        stats.lastMessageAt = t;
        stats.bytes += Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
        try {
          this.#opts.onActivity?.(t);
          this.#opts.onFrame(data, t);
        } catch (error) {
          fail(error);
        }
      };

      const onActivity = (): void => {
        const t = this.#now();
        lastActivityAt = t;
        try {
          this.#opts.onActivity?.(t);
        } catch (error) {
          fail(error);
        }
      };

      // One timer: a keep-alive ping every pingIntervalMs, a probe ping as soon as the link has
      // been quiet for probeAfterMs, and the connection replaced when a ping goes unanswered
      // (no frame, no pong) for livenessTimeoutMs.
      const onPingTick = (): void => {
        if (ws.readyState !== WebSocket.OPEN) return;
        const t = this.#now();
        if (pingSentAt !== null) {
          if (lastActivityAt >= pingSentAt) {
            pingSentAt = null;
          } else if (t - pingSentAt >= this.#livenessTimeoutMs) {
            const silentFor = t - lastActivityAt;
            explain(`no data or pong for ${formatSeconds(silentFor)}`);
            this.#log.warn({ silentForMs: silentFor }, `${this.#label} stream silent; replacing the connection`);
            ws.terminate();
            return;
          }
        }
        if (pingSentAt === null && (t - lastActivityAt >= this.#probeAfterMs || t - lastPingAt >= this.#pingIntervalMs)) {
          ws.ping();
          pingSentAt = t;
          lastPingAt = t;
        }
      };

      const onUnexpectedResponse = (_req: ClientRequest, res: IncomingMessage): void => {
        const status = res.statusCode ?? 0;
        const refusal = this.#opts.refusal?.(status);
        res.resume();
        if (status === 429 || status === 418) rateLimited = true;
        if (refusal !== undefined) {
          refuse(refusal);
          return;
        }
        explain(describeHttpStatus(status, this.#host));
        ws.terminate();
      };

      const onError = (err: Error): void => {
        explain(describeSocketError(err, { host: this.#host, hostname: this.#hostname, connectTimeoutMs: this.#connectTimeoutMs, maxPayloadBytes: MAX_PAYLOAD_BYTES }));
        this.#log.debug({ err: err.message, code: errorCode(err) }, `${this.#label} socket error`);
      };

      const onAbort = (): void => {
        explain('stopped');
        if (ws.readyState === WebSocket.CONNECTING) {
          ws.terminate();
          return;
        }
        ws.close(1000);
        clearTimeout(closeTimer);
        closeTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      };

      const onClose = (code: number, closeReason: Buffer): void => {
        explain(describeClose(code, closeReason, this.#host));
        clearInterval(pingTimer);
        clearTimeout(closeTimer);
        signal.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        ws.off('message', onMessage);
        ws.off('pong', onActivity);
        ws.off('ping', onActivity);
        ws.off('unexpected-response', onUnexpectedResponse);
        ws.off('error', onError);
        ws.off('close', onClose);
        if (this.#refuseCurrent === refuse) this.#refuseCurrent = null;
        if (this.#closeIdleCurrent === closeIdle) this.#closeIdleCurrent = null;
        this.#sender.detach(ws);
        if (bug !== null) {
          reject(bug.error instanceof Error ? bug.error : new Error(`A ${this.#label} client callback threw`, { cause: bug.error }));
          return;
        }
        resolve({
          opened: openedAt !== null,
          liveMs: openedAt === null ? 0 : this.#now() - openedAt,
          reason: reason ?? 'connection closed',
          refused,
          rateLimited,
          idle,
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

  #pruneDrops(): void {
    const from = this.#now() - FLAP_WINDOW_MS;
    while (this.#drops.length > 0 && (this.#drops[0] ?? from) <= from) this.#drops.shift();
  }

  #setStatus(next: ConnectionStatus): void {
    if (this.#status !== null && sameStatus(this.#status, next)) return;
    this.#status = next;
    this.#opts.onStatus?.(next);
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
