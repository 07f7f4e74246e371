/**
 * After an order is placed, read it back for a moment so the answer can say what it did.
 * Upbit answers `POST /v1/orders` before matching (a market buy that fills at once comes back
 * `wait` with nothing executed), so the POST answer alone hides fills. `GET /v1/order`
 * gives the order with its trades (https://docs.upbit.com/kr/reference/rest-api-guide).
 *
 * Bounded: polls until the order is finished (`done`/`cancel`), a limit order rests with the
 * same fills on two reads in a row, or the deadline passes. Reads only; never sends an order.
 */
import { sleep } from '../runtime/backoff.js';
import type { Order, OrderWithTrades } from '../upbit/rest/types.js';
import type { Venue } from './venue.js';

export interface AwaitFillsOptions {
  /** Longest wait, in ms. @default 2000 */
  timeoutMs?: number;
  /** Between two reads, in ms (Upbit's `default` group allows 30 requests a second). @default 200 */
  pollMs?: number;
  /** Stops the wait (SIGINT): what was read so far is returned. */
  signal?: AbortSignal;
  /** @default Date.now */
  now?: () => number;
}

export interface AwaitFillsResult {
  /** The order as last read, or the POST answer when no read succeeded. */
  order: Order | OrderWithTrades;
  /** Whether `order` was read after placing (false: it is the POST answer). */
  refreshed: boolean;
  /** Why no read succeeded, or null. */
  problem: string | null;
  waitedMs: number;
}

export const AWAIT_FILLS_TIMEOUT_MS = 2_000;

export async function awaitFills(venue: Pick<Venue, 'getOrder'>, placed: Order, opts: AwaitFillsOptions = {}): Promise<AwaitFillsResult> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? AWAIT_FILLS_TIMEOUT_MS;
  const pollMs = opts.pollMs ?? 200;
  const started = now();
  const deadline = started + timeoutMs;
  let last: Order | OrderWithTrades = placed;
  let previous: OrderWithTrades | undefined;
  let refreshed = false;
  let problem: string | null = null;
  const aborted = (): boolean => opts.signal?.aborted === true;
  for (;;) {
    const remaining = deadline - now();
    if (remaining <= 0 || aborted()) break;
    const timeout = AbortSignal.timeout(remaining);
    try {
      const order = await venue.getOrder({ uuid: placed.uuid }, { signal: opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]) });
      last = order;
      refreshed = true;
      problem = null;
      if (order.state === 'done' || order.state === 'cancel') break;
      if (order.ordType === 'limit' && previous !== undefined && sameFills(previous, order)) break;
      previous = order;
    } catch (error) {
      if (aborted()) break;
      problem = timeout.aborted ? `no answer within ${formatSeconds(timeoutMs)}` : error instanceof Error ? error.message : String(error);
      // A failed read is tried again until the deadline; the order exists either way.
    }
    const pause = Math.min(pollMs, deadline - now());
    if (pause <= 0) break;
    try {
      await sleep(pause, opts.signal);
    } catch {
      break; // interrupted: report what is known
    }
  }
  return { order: last, refreshed, problem: refreshed ? null : problem, waitedMs: Math.max(0, now() - started) };
}

function sameFills(a: Order, b: Order): boolean {
  return a.state === b.state && a.executedVolume.eq(b.executedVolume) && a.tradesCount === b.tradesCount;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
