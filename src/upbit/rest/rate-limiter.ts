/**
 * Client-side rate limiting for Upbit's REST API (docs/upbit-protocol.md#rate-limits): requests wait for
 * budget instead of drawing a 429, and a 418 halts its group until the block ends.
 *
 * Per `Remaining-Req` group, three things bound when the next request may leave:
 *
 * 1. **A local sliding window** of the documented limit (docs/upbit-protocol.md#rate-limit-groups), e.g. 30 per second for
 *    `default`. It holds before the first response tells us anything, and under any
 *    server window (fixed seconds or "from the first request") a sliding window of the
 *    same size never exceeds it. The `order` group is capped at 8/s here whatever the
 *    headers say (Upbit's older limit; it now allows 12/s).
 * 2. **The server's word**: `Remaining-Req: group=default; min=1800; sec=29` on every
 *    response says how many requests are left in the server's current second (`min` is
 *    deprecated and ignored). We may send `sec` minus the requests still in flight (they
 *    may not have been counted yet) until one window after that response arrived — the
 *    server's window contains that response, so it ends no later. At 0 the group waits
 *    for that moment.
 * 3. **A 418 block**: the group is halted until the block ends and every call fails fast
 *    with a {@link RateLimitError} saying for how long.
 *
 * Quotation groups are limited per IP and exchange groups per account (pocket), so share
 * one limiter between the clients that share an IP and an account.
 */
import { UPBIT_RATE_RULES, type RateGroup, type RateRule } from '../rate-groups.js';
import { sleep as defaultSleep } from '../../runtime/backoff.js';
import { clockTime, RateLimitError, seconds } from './errors.js';

/** The group names Upbit actually returns in `Remaining-Req` (observed, docs/upbit-protocol.md#rate-limit-groups). */
export type { RateGroup, RateRule };

/**
 * Documented limits (docs/upbit-protocol.md#rate-limit-groups) as the budget before the server has said anything, except `order`:
 * a local cap of 8/s (below Upbit's 12/s since 2026-08-21; it costs nothing at a trading
 * console's pace and keeps us clear of 429s on orders).
 */
export const DEFAULT_RATE_RULES: Readonly<Record<RateGroup, RateRule>> = { ...UPBIT_RATE_RULES, order: { limit: 8, windowMs: 1_000 } };

/** The cap on `order` that no header can raise. */
export const LOCAL_ORDER_CAP_PER_SECOND = 8;

/** What the user reads in "Upbit blocked order requests…". */
const GROUP_WORDS: Readonly<Record<string, string>> = {
  market: 'market-list',
  candles: 'candle',
  'crix-trades': 'trade-history',
  ticker: 'ticker',
  orderbook: 'order-book',
  default: 'account and order-query',
  order: 'order',
  'order-test': 'test-order',
  'order-cancel-all': 'cancel-all',
};

export interface RemainingReq {
  group: string;
  /** Requests left in the current second. */
  sec: number;
}

/**
 * Parse `Remaining-Req: group=default; min=1800; sec=29` tolerantly: any order, any
 * spacing and case, `,` or `;` between fields, `min` ignored. Undefined when there is no
 * usable `group` and `sec`.
 */
export function parseRemainingReq(header: string | readonly string[] | undefined): RemainingReq | undefined {
  const text = typeof header === 'string' ? header : header?.[0];
  if (text === undefined) return undefined;
  let group: string | undefined;
  let sec: number | undefined;
  for (const part of text.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'group' && /^[A-Za-z0-9_-]+$/.test(value)) group = value.toLowerCase();
    else if (key === 'sec' && /^\d+$/.test(value)) sec = Number(value);
  }
  return group === undefined || sec === undefined ? undefined : { group, sec };
}

const BLOCK_UNITS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(ms|msec|millis|milliseconds?)$/, 1],
  [/^(s|sec|secs|seconds?|초)$/, 1_000],
  [/^(m|min|mins|minutes?|분)$/, 60_000],
  [/^(h|hr|hrs|hours?|시간)$/, 3_600_000],
];

/**
 * The block duration of a 418 answer, in ms, if the body (JSON or text) names one:
 * "blocked for 57 seconds", "retry after 10 s", "1 minute", "60초". Upbit documents that
 * the duration is returned but not its format (docs/upbit-protocol.md#exceeding-the-limits), so this reads any number with a unit,
 * and a `Retry-After` header (seconds) if one is ever sent.
 */
export function parseBlockDuration(body: string, retryAfter?: string | readonly string[]): number | undefined {
  const header = typeof retryAfter === 'string' ? retryAfter : retryAfter?.[0];
  if (header !== undefined && /^\s*\d+\s*$/.test(header)) return Number(header) * 1_000;
  let total = 0;
  for (const match of body.matchAll(/(\d+(?:\.\d+)?)\s*(milliseconds?|millis|msec|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|초|분|시간)(?![A-Za-z])/gi)) {
    const unit = BLOCK_UNITS.find(([re]) => re.test((match[2] ?? '').toLowerCase()));
    if (unit !== undefined) total += Number(match[1]) * unit[1];
  }
  return total > 0 ? total : undefined;
}

export interface RateLimiterOptions {
  /** Override limits per group (tests, or a pocket with other limits). @default DEFAULT_RATE_RULES */
  rules?: Partial<Record<string, RateRule>>;
  /**
   * How long a group is halted after a 418 whose answer names no duration. Upbit lengthens
   * repeated blocks, so this errs long.
   * @default 60000
   */
  defaultBlockMs?: number;
  /** Wall clock (ms since epoch); inject one where timing is the point. @default Date.now */
  now?: () => number;
  /** @default runtime `sleep` */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A slot taken from a group's budget; hand back what the response said with {@link Permit.done}. */
export interface Permit {
  readonly group: string;
  readonly sentAt: number;
  /**
   * The request finished. Pass the response's `Remaining-Req` header and status, or
   * nothing when no response came (the slot stays counted in the window either way).
   */
  done(response?: { remainingReq: string | readonly string[] | undefined; status: number; body?: string; retryAfter?: string | readonly string[] }): void;
}

interface Hint {
  remaining: number;
  until: number;
  /** Send time of the request whose response set it: older answers do not overwrite newer ones. */
  sentAt: number;
}

interface GroupState {
  rule: RateRule;
  /** Send times inside the sliding window, oldest first. */
  sent: number[];
  inFlight: number;
  hint: Hint | undefined;
  haltedUntil: number;
}

/** Snapshot of one group, for a status line. */
export interface RateGroupStatus {
  group: string;
  /** The local window's budget: at most this many requests per `windowMs`. */
  limit: number;
  windowMs: number;
  /** Requests we may still send now, as far as we know (the window's, or fewer if the server said so). */
  remaining: number;
  inFlight: number;
  /** End of a 418 block (ms since epoch), or null. */
  haltedUntil: number | null;
}

export class RateLimiter {
  private readonly rules: Record<string, RateRule>;
  private readonly defaultBlockMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly groups = new Map<string, GroupState>();

  constructor(options: RateLimiterOptions = {}) {
    const rules: Record<string, RateRule> = { ...DEFAULT_RATE_RULES };
    for (const [group, rule] of Object.entries(options.rules ?? {})) if (rule !== undefined) rules[group] = rule;
    // The local order cap holds whatever a caller configures.
    const order = rules['order'] ?? DEFAULT_RATE_RULES.order;
    rules['order'] = { limit: Math.min(order.limit, Math.ceil((LOCAL_ORDER_CAP_PER_SECOND * order.windowMs) / 1_000)), windowMs: order.windowMs };
    this.rules = rules;
    this.defaultBlockMs = options.defaultBlockMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Wait until `group` has budget, then take a slot. Throws a {@link RateLimitError} at once
   * while the group is halted by a 418, and `signal.reason` if the signal aborts while
   * waiting (nothing was sent then).
   */
  async acquire(group: string, signal?: AbortSignal): Promise<Permit> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const state = this.state(group);
      if (state.haltedUntil > now) throw this.blockedError(group, state.haltedUntil, now);
      const wait = this.waitMs(state, now);
      if (wait <= 0) return this.take(group, state, now);
      await this.sleep(wait, signal);
    }
  }

  /** Halt `group` until `until` (ms since epoch): every acquire fails fast meanwhile. */
  halt(group: string, until: number): void {
    const state = this.state(group);
    state.haltedUntil = Math.max(state.haltedUntil, until);
  }

  /** The error a call in a halted group fails with, or undefined when it is not halted. */
  haltedError(group: string): RateLimitError | undefined {
    const now = this.now();
    const until = this.groups.get(group)?.haltedUntil ?? 0;
    return until > now ? this.blockedError(group, until, now) : undefined;
  }

  /** Every group something was sent in so far. */
  status(): RateGroupStatus[] {
    const now = this.now();
    return [...this.groups.entries()].map(([group, s]) => this.statusOf(group, s, now));
  }

  /**
   * One group now, whether anything was sent in it yet or not (then its whole budget is left):
   * cheap, for a status line that reads it at each redraw.
   */
  group(group: string): RateGroupStatus {
    const state = this.groups.get(group);
    if (state !== undefined) return this.statusOf(group, state, this.now());
    const rule = this.rules[group] ?? DEFAULT_RATE_RULES.market;
    return { group, limit: rule.limit, windowMs: rule.windowMs, remaining: rule.limit, inFlight: 0, haltedUntil: null };
  }

  private statusOf(group: string, s: GroupState, now: number): RateGroupStatus {
    this.prune(s, now);
    const local = s.rule.limit - s.sent.length;
    const remaining = s.hint !== undefined && now < s.hint.until ? Math.min(local, s.hint.remaining) : local;
    return { group, limit: s.rule.limit, windowMs: s.rule.windowMs, remaining: Math.max(0, remaining), inFlight: s.inFlight, haltedUntil: s.haltedUntil > now ? s.haltedUntil : null };
  }

  private state(group: string): GroupState {
    let state = this.groups.get(group);
    if (state === undefined) {
      // A group we have no rule for (Upbit added one): the most cautious documented rule.
      state = { rule: this.rules[group] ?? DEFAULT_RATE_RULES.market, sent: [], inFlight: 0, hint: undefined, haltedUntil: 0 };
      this.groups.set(group, state);
    }
    return state;
  }

  private prune(state: GroupState, now: number): void {
    const since = now - state.rule.windowMs;
    let drop = 0;
    while (drop < state.sent.length && (state.sent[drop] ?? 0) <= since) drop++;
    if (drop > 0) state.sent.splice(0, drop);
    if (state.hint !== undefined && now >= state.hint.until) state.hint = undefined;
  }

  private waitMs(state: GroupState, now: number): number {
    this.prune(state, now);
    let until = now;
    const oldest = state.sent[0];
    if (state.sent.length >= state.rule.limit && oldest !== undefined) until = Math.max(until, oldest + state.rule.windowMs);
    if (state.hint !== undefined && state.hint.remaining <= 0) until = Math.max(until, state.hint.until);
    return until - now;
  }

  private take(group: string, state: GroupState, now: number): Permit {
    state.sent.push(now);
    state.inFlight++;
    if (state.hint !== undefined) state.hint.remaining--;
    let finished = false;
    return {
      group,
      sentAt: now,
      done: (response) => {
        if (finished) return;
        finished = true;
        state.inFlight--;
        if (response !== undefined) this.learn(group, now, response);
      },
    };
  }

  private learn(group: string, sentAt: number, response: NonNullable<Parameters<Permit['done']>[0]>): void {
    const receivedAt = this.now();
    const header = parseRemainingReq(response.remainingReq);
    // Upbit's group names match ours (docs/upbit-protocol.md#rate-limit-groups); if one ever differs, the header's name wins,
    // and a budget of 0 still holds back the group this request was sent in.
    const target = header === undefined ? this.state(group) : this.state(header.group);
    const windowMs = target.rule.windowMs;
    if (response.status === 418) {
      const blockMs = parseBlockDuration(response.body ?? '', response.retryAfter) ?? this.defaultBlockMs;
      this.halt(group, receivedAt + blockMs);
      if (header !== undefined && header.group !== group) this.halt(header.group, receivedAt + blockMs);
      return;
    }
    let remaining = header === undefined ? undefined : header.sec - target.inFlight;
    if (response.status === 429) remaining = 0;
    if (remaining === undefined) return;
    const hint: Hint = { remaining, until: receivedAt + windowMs, sentAt };
    if (target.hint === undefined || target.hint.sentAt <= sentAt || remaining <= 0) target.hint = hint;
    if (remaining <= 0 && header !== undefined && header.group !== group) {
      const own = this.state(group);
      own.hint = { remaining: 0, until: receivedAt + own.rule.windowMs, sentAt };
    }
  }

  private blockedError(group: string, until: number, now: number): RateLimitError {
    const words = GROUP_WORDS[group] ?? group;
    return new RateLimitError(`Upbit blocked ${words} requests for ${seconds(until - now)} after too many requests; wait until ${clockTime(until)}.`, {
      upbitName: null,
      status: 418,
      retryable: true,
      group,
      retryAt: until,
      blocked: true,
      attempts: 0,
    });
  }
}
