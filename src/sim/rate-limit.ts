import { UPBIT_RATE_RULES, type RateRule } from '../upbit/rate-groups.js';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';

import { ACCESS_KEY_LOCAL } from './auth/middleware.js';
import type { Middleware, RateGroup, RouteContext } from './http-router.js';
import { sendJson } from './http-router.js';

export { UPBIT_RATE_RULES };
export type { RateRule };

/** The deprecated fixed `min=` value Upbit still sends per group (docs/upbit-protocol.md#rate-limits). */
export const REMAINING_REQ_MIN: Readonly<Record<RateGroup, number>> = {
  market: 600,
  candles: 600,
  'crix-trades': 600,
  ticker: 600,
  orderbook: 600,
  default: 1800,
  order: 480,
  'order-test': 480,
  'order-cancel-all': 30,
};

export interface RateLimitOptions {
  /** Override a group's limit or window, e.g. `{ default: { limit: 3 } }` in tests. @default UPBIT_RATE_RULES */
  groups?: Partial<Record<RateGroup, Partial<RateRule>>>;
  /**
   * Consecutive 429s a client (IP or account) may collect; the next over-limit request is
   * answered 418 and starts a block.
   * @default 10
   */
  blockAfter?: number;
  /**
   * How long a 418 block lasts; every request of the blocked IP or account gets 418 until
   * then. Upbit lengthens blocks for repeat offenders; the simulator keeps one length.
   * @default 60_000
   */
  blockMs?: number;
  /** WebSocket upgrades per IP (public) or per access key (private) (docs/upbit-protocol.md#websocket-limits). @default { limit: 5, windowMs: 1_000 } */
  wsConnect?: Partial<RateRule>;
  /** Monotonic ms clock; inject one where timing is the point. @default performance.now */
  clock?: () => number;
}

export type Admission = { kind: 'ok'; remaining: number } | { kind: 'limited' } | { kind: 'blocked'; remainingMs: number };

interface Window {
  start: number;
  count: number;
}

/** Past this many live windows, expired ones are swept on the next insertion. */
const SWEEP_AT = 10_000;

/**
 * Per-group, per-client request windows: a bucket of `limit` requests that refills whole
 * `windowMs` after the first request of the window, so `Remaining-Req`'s `sec` is what is
 * left of the current second. Over the limit → 429; after `blockAfter` consecutive 429s →
 * 418 for `blockMs`. All state is swept lazily: no timers, nothing to release on close.
 */
export class RateLimiter {
  private readonly rules: Record<RateGroup, RateRule>;
  private readonly wsRule: RateRule;
  private readonly blockAfter: number;
  private readonly blockMs: number;
  private readonly clock: () => number;
  private readonly windows = new Map<string, Window>();
  private readonly strikes = new Map<string, number>();
  private readonly blocks = new Map<string, number>();

  constructor(options: RateLimitOptions = {}) {
    const rules = { ...UPBIT_RATE_RULES };
    for (const [group, rule] of Object.entries(options.groups ?? {}) as Array<[RateGroup, Partial<RateRule> | undefined]>) {
      rules[group] = { ...UPBIT_RATE_RULES[group], ...rule };
    }
    this.rules = rules;
    this.wsRule = { limit: 5, windowMs: 1_000, ...options.wsConnect };
    this.blockAfter = options.blockAfter ?? 10;
    this.blockMs = options.blockMs ?? 60_000;
    this.clock = options.clock ?? (() => performance.now());
  }

  rule(group: RateGroup): RateRule {
    return this.rules[group];
  }

  /** Count one request of `scope` (e.g. `ip:127.0.0.1`, `account:KEY`) in `group`. */
  admit(group: RateGroup, scope: string): Admission {
    const t = this.clock();
    const blockedUntil = this.blocks.get(scope);
    if (blockedUntil !== undefined) {
      if (t < blockedUntil) return { kind: 'blocked', remainingMs: blockedUntil - t };
      this.blocks.delete(scope);
    }
    const rule = this.rules[group];
    const window = this.take(`${group}|${scope}`, rule, t);
    if (window !== undefined) {
      this.strikes.delete(scope);
      return { kind: 'ok', remaining: rule.limit - window.count };
    }
    const strikes = (this.strikes.get(scope) ?? 0) + 1;
    if (strikes <= this.blockAfter) {
      this.strikes.set(scope, strikes);
      return { kind: 'limited' };
    }
    this.strikes.delete(scope);
    this.blocks.set(scope, t + this.blockMs);
    return { kind: 'blocked', remainingMs: this.blockMs };
  }

  /** Count a WebSocket upgrade of `scope`; false when it is over the connect limit. */
  admitConnection(scope: string): boolean {
    return this.take(`ws|${scope}`, this.wsRule, this.clock()) !== undefined;
  }

  /**
   * Router middleware: stamps `Remaining-Req` on every routed response (errors included) and
   * answers 429/418 over the limit. Exchange routes count per authenticated account, so it
   * must run after `authenticate` (which notes the access key) and before `requireAuth`.
   */
  readonly middleware: Middleware = async (ctx, next) => {
    const group = ctx.route.group;
    const admission = this.admit(group, scopeOf(ctx));
    const sec = admission.kind === 'ok' ? admission.remaining : 0;
    ctx.res.setHeader('Remaining-Req', `group=${group}; min=${REMAINING_REQ_MIN[group]}; sec=${sec}`);
    // UNCERTAIN: Upbit's 429/418 bodies. Older clients (pyupbit) saw the plain text
    // "Too many API requests."; we send Upbit's usual JSON error shape with that message,
    // a string name on exchange routes and the integer status on quotation ones (docs/upbit-protocol.md#rest-errors).
    // Clients must not rely on either.
    if (admission.kind === 'limited') {
      sendJson(ctx.res, 429, { error: { name: ctx.route.exchange ? 'too_many_requests' : 429, message: 'Too many API requests.' } });
      return;
    }
    if (admission.kind === 'blocked') {
      const message = `Too many API requests after repeated 429 responses: blocked for ${formatDuration(admission.remainingMs)}. Retry after that.`;
      sendJson(ctx.res, 418, { error: { name: ctx.route.exchange ? 'too_many_requests' : 418, message } });
      return;
    }
    return next();
  };

  private take(key: string, rule: RateRule, t: number): Window | undefined {
    let window = this.windows.get(key);
    if (window === undefined || t - window.start >= rule.windowMs) {
      if (window === undefined && this.windows.size >= SWEEP_AT) this.sweep(t);
      window = { start: t, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= rule.limit) return undefined;
    window.count++;
    return window;
  }

  private sweep(t: number): void {
    const longest = Math.max(this.wsRule.windowMs, ...Object.values(this.rules).map((r) => r.windowMs));
    for (const [key, window] of this.windows) if (t - window.start >= longest) this.windows.delete(key);
    for (const [scope, until] of this.blocks) if (t >= until) this.blocks.delete(scope);
  }
}

/** The client a request is counted against: its account once authenticated, else its IP. */
function scopeOf(ctx: RouteContext): string {
  const key = ctx.locals[ACCESS_KEY_LOCAL];
  return typeof key === 'string' ? `account:${key}` : `ip:${remoteIp(ctx.req)}`;
}

export function remoteIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** "60 seconds", or ms below a second (tests use tiny blocks). */
function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.ceil(ms)} ms`;
  const seconds = Math.ceil(ms / 1_000);
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** Refuse a WebSocket upgrade with an HTTP status and an Upbit-shaped JSON error body. */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
    // Flushed, the socket is closed outright: an upgrade socket is no longer the HTTP
    // server's to close, so nothing else would.
    () => socket.destroy(),
  );
}
