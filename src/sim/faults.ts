import { performance } from 'node:perf_hooks';

import type { Rng } from './random.js';

/** A one-shot HTTP fault: what happens to the next request that matches. */
export type HttpFaultKind =
  /** Wait `latencyMs` (on top of `httpLatencyMs`), then process the request normally. */
  | 'latency'
  /** Close the connection before the request is processed: nothing happens server-side. */
  | 'dropBefore'
  /** Process the request fully, then close the connection instead of answering. */
  | 'dropAfter'
  /**
   * Process the request fully, then hold its answer `latencyMs` before sending it: an order
   * exists while its placer still waits (a client killed meanwhile never hears of it).
   */
  | 'holdAfter'
  /** Reset the connection (TCP RST, the client sees ECONNRESET) before processing. */
  | 'reset'
  /** Answer `status` (500, 502 or 503) with an Upbit-style error body, without processing. */
  | 'status5xx'
  /** Answer 429 as the rate limiter would, without processing. */
  | 'status429'
  /** Answer 418 (temporarily blocked) as the rate limiter would, without processing. */
  | 'status418';

export type Status5xx = 500 | 502 | 503;

export interface HttpFaultMatch {
  /** e.g. `POST`; any method when absent. */
  method?: string;
  /** The request path (`/v1/orders`) or the route pattern (`/v1/candles/minutes/{unit}`); any when absent. */
  path?: string;
}

export interface HttpFaultOnce {
  kind: HttpFaultKind;
  /** Which request it applies to. @default the next request of any kind */
  match?: HttpFaultMatch;
  /** For `status5xx`. @default faults.status5xx */
  status?: Status5xx;
  /** For `latency` and `holdAfter`. @default 0 */
  latencyMs?: number;
}

/** A one-shot WebSocket fault, applied to the next data frame any quotation connection sends. */
export type WsFaultKind =
  /** Replace the frame with garbage (truncated JSON or bytes that are not UTF-8). */
  | 'malformed'
  /** Drop the frame silently: a gap in the stream. */
  | 'skip'
  /** Terminate the connection (no close frame) where the frame would have gone. */
  | 'terminate';

export interface WsFaultOnce {
  kind: WsFaultKind;
}

/**
 * Faults the simulator plays, for testing how a client copes. All are off by default. The
 * server reads this object on every frame and request, so tests (and the CLI) change the
 * fields of `server.faults` while it runs; push to `nextHttp`/`nextWs` for a fault that must
 * hit one particular request or frame.
 *
 * Rates are probabilities in [0, 1], drawn from a generator seeded with the server's
 * `faultSeed`, so a seed and a sequence of requests give the same faults. Each request draws
 * one number, which picks at most one of the HTTP faults in this order: drop before, reset,
 * 5xx, 429, 418, drop after — so their rates should add up to at most 1.
 */
export interface SimFaults {
  /**
   * WebSocket: play dead — send nothing (no data, no `{"status":"UP"}`, no pong, no idle
   * close) while the socket stays open: the half-open connection a client must detect by
   * itself. Frames produced meanwhile are dropped, not delayed.
   * @default false
   */
  silent: boolean;
  /**
   * WebSocket: delay every outbound frame (data, status, errors, pongs) by this many ms, in order.
   * @default 0
   */
  latencyMs: number;
  /**
   * WebSocket: at least this many ms between two outbound frames of a connection (a slow
   * link); frames queue up in order. A connection that falls 10,000 frames behind is cut.
   * @default 0
   */
  slowMs: number;
  /**
   * WebSocket: probability that a data frame (ticker, trade, orderbook — not status, error
   * or subscription answers) is replaced by garbage.
   * @default 0
   */
  malformedRate: number;
  /**
   * WebSocket: terminate every connection this often (ms), like a flaky network; 0 is off.
   * @default 0
   */
  dropConnectionsEveryMs: number;
  /** WebSocket one-shots, first in first applied. @default [] */
  nextWs: WsFaultOnce[];

  /** HTTP: wait this long before processing each request. @default 0 */
  httpLatencyMs: number;
  /** HTTP: probability of closing the connection before the request is processed. @default 0 */
  dropBeforeRate: number;
  /**
   * HTTP: probability of processing the request fully and then closing the connection
   * without an answer — an order is placed, the client never hears of it.
   * @default 0
   */
  dropAfterRate: number;
  /** HTTP: probability of resetting the connection (ECONNRESET) before processing. @default 0 */
  resetRate: number;
  /** HTTP: probability of answering `status5xx` without processing. @default 0 */
  status5xxRate: number;
  /** HTTP: the status `status5xxRate` answers with. @default 500 */
  status5xx: Status5xx;
  /** HTTP: probability of a 429 without processing. @default 0 */
  force429Rate: number;
  /** HTTP: probability of a 418 without processing. @default 0 */
  force418Rate: number;
  /** HTTP one-shots: each applies to the next request it matches, then is removed. @default [] */
  nextHttp: HttpFaultOnce[];
}

const RATE_FIELDS = ['malformedRate', 'dropBeforeRate', 'dropAfterRate', 'resetRate', 'status5xxRate', 'force429Rate', 'force418Rate'] as const;
const MS_FIELDS = ['latencyMs', 'slowMs', 'dropConnectionsEveryMs', 'httpLatencyMs'] as const;
/** The HTTP rates, in the order one draw is matched against them. */
export const HTTP_RATE_ORDER = [
  ['dropBeforeRate', 'dropBefore'],
  ['resetRate', 'reset'],
  ['status5xxRate', 'status5xx'],
  ['force429Rate', 'status429'],
  ['force418Rate', 'status418'],
  ['dropAfterRate', 'dropAfter'],
] as const satisfies ReadonlyArray<readonly [keyof SimFaults, HttpFaultKind]>;
export const STATUS_5XX: readonly Status5xx[] = [500, 502, 503];

/** Faults with every field set: `initial` over the defaults (all off). Throws a RangeError naming a bad field. */
export function createFaults(initial: Partial<SimFaults> = {}): SimFaults {
  const faults: SimFaults = {
    silent: initial.silent ?? false,
    latencyMs: initial.latencyMs ?? 0,
    slowMs: initial.slowMs ?? 0,
    malformedRate: initial.malformedRate ?? 0,
    dropConnectionsEveryMs: initial.dropConnectionsEveryMs ?? 0,
    nextWs: [...(initial.nextWs ?? [])],
    httpLatencyMs: initial.httpLatencyMs ?? 0,
    dropBeforeRate: initial.dropBeforeRate ?? 0,
    dropAfterRate: initial.dropAfterRate ?? 0,
    resetRate: initial.resetRate ?? 0,
    status5xxRate: initial.status5xxRate ?? 0,
    status5xx: initial.status5xx ?? 500,
    force429Rate: initial.force429Rate ?? 0,
    force418Rate: initial.force418Rate ?? 0,
    nextHttp: [...(initial.nextHttp ?? [])],
  };
  for (const field of RATE_FIELDS) {
    const v = faults[field];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`faults.${field} must be a probability from 0 to 1, not ${String(v)}.`);
  }
  for (const field of MS_FIELDS) {
    const v = faults[field];
    if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`faults.${field} must be a number of milliseconds ≥ 0, not ${String(v)}.`);
  }
  if (!STATUS_5XX.includes(faults.status5xx)) throw new RangeError(`faults.status5xx must be 500, 502 or 503, not ${String(faults.status5xx)}.`);
  const sum = HTTP_RATE_ORDER.reduce((total, [field]) => total + faults[field], 0);
  if (sum > 1 + 1e-9) throw new RangeError(`The HTTP fault rates add up to ${sum}; at most one fault hits a request, so they must add up to 1 or less.`);
  return faults;
}

/** What to do with one outbound WebSocket data frame. */
export type WsFrameFate = { kind: 'send'; frame: Buffer } | { kind: 'skip' } | { kind: 'terminate' };

/**
 * Decide the fate of each data frame: a queued one-shot first, else `malformedRate`. One
 * draw per data frame (even at rate 0), so the pattern depends only on the seed and the
 * order of frames.
 */
export function createWsFaultPlayer(faults: SimFaults, rng: Rng): (frame: Buffer) => WsFrameFate {
  return (frame) => {
    const u = rng.uniform();
    const once = faults.nextWs.shift();
    const kind = once?.kind ?? (u < faults.malformedRate ? 'malformed' : undefined);
    switch (kind) {
      case undefined:
        return { kind: 'send', frame };
      case 'malformed':
        return { kind: 'send', frame: garble(frame, rng) };
      case 'skip':
      case 'terminate':
        return { kind };
    }
  };
}

/** Truncated JSON or bytes that are not UTF-8, half of each. Never valid JSON. */
export function garble(frame: Buffer, rng: Rng): Buffer {
  if (frame.length >= 2 && rng.uniform() < 0.5) return Buffer.from(frame.subarray(0, Math.max(1, Math.floor(frame.length / 2))));
  const bytes = Buffer.alloc(Math.max(8, Math.min(64, frame.length)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng.uniform() * 256);
  // 0xFF never occurs in UTF-8, so the frame cannot be decoded as text, let alone JSON.
  bytes[0] = 0xff;
  return bytes;
}

/** How often the periodic-drop timer looks at the setting while it is off or long. */
const DROP_CHECK_MS = 250;

/**
 * Call `drop()` every `faults.dropConnectionsEveryMs` ms while that is above 0 (re-read
 * at least every 250 ms, so changes take effect promptly). Returns the release.
 */
export function scheduleConnectionDrops(faults: SimFaults, drop: () => void): () => void {
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    timer = setTimeout(tick, Math.min(ms, DROP_CHECK_MS));
    timer.unref();
  };
  function tick(): void {
    const every = faults.dropConnectionsEveryMs;
    const t = performance.now();
    if (!(every > 0)) {
      since = undefined;
      arm(DROP_CHECK_MS);
      return;
    }
    since ??= t;
    if (t - since >= every) {
      since = t;
      drop();
    }
    arm(Math.max(0, since + every - t));
  }
  if (faults.dropConnectionsEveryMs > 0) since = performance.now();
  arm(faults.dropConnectionsEveryMs > 0 ? faults.dropConnectionsEveryMs : DROP_CHECK_MS);
  return () => clearTimeout(timer);
}
