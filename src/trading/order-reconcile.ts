/**
 * Resolving attempts over REST: lookups by identifier of attempts whose outcome is unknown,
 * refreshes of acked orders that have not finished, and the account's open orders.
 */
import { sleep } from '../runtime/backoff.js';
import { describeError } from '../runtime/errors.js';
import { OrderNotFoundError, UpbitError } from '../upbit/rest/errors.js';
import type { Order, OrderRef } from '../upbit/rest/types.js';
import { applyKnownOrder, applyOrder, attemptState, type OrderSync } from './order-apply.js';
import { OrderAlreadyFinishedError } from './order-errors.js';

export type Lookup = { kind: 'found'; order: Order } | { kind: 'not_found' } | { kind: 'unknown'; reason: string };

const MAX_LOOKUP_DELAY_MS = 4_000;
const OPEN_ORDERS_PAGE = 100;
const NOT_FOUND = 'Upbit has no order with this identifier';
const MAX_OPEN_PAGES = 20;

/**
 * Look an attempt up by identifier up to `tries` times (delays doubling from
 * `lookupDelayMs`). Found → acked with fills and terminal state; the last lookup "not found"
 * → `not_found`; otherwise it stays `unknown`. Rejects only when `signal` aborts.
 */
export async function resolveAttempt(ctx: OrderSync, lookupDelayMs: number, identifier: string, tries: number, signal?: AbortSignal): Promise<Lookup> {
  let reason = 'not looked up';
  for (let i = 0; i < tries; i++) {
    if (i > 0) await sleep(Math.min(MAX_LOOKUP_DELAY_MS, lookupDelayMs * 2 ** (i - 1)), signal);
    let order: Order;
    try {
      order = await ctx.venue.getOrder({ identifier }, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof OrderNotFoundError) {
        reason = NOT_FOUND;
        continue;
      }
      reason = describeError(error);
      continue;
    }
    applyOrder(ctx, identifier, order);
    return { kind: 'found', order };
  }
  const state = attemptState(ctx.journal, identifier);
  if (reason === NOT_FOUND && state === 'unknown') {
    ctx.journal.markNotFound(identifier);
    ctx.log.info({ identifier }, 'unanswered order proven absent');
    return { kind: 'not_found' };
  }
  if (state === 'not_found') return { kind: 'not_found' };
  return { kind: 'unknown', reason };
}

/** Refresh every acked, unfinished attempt's order over REST; a failed refresh is logged. */
export async function refreshOpenAttempts(ctx: OrderSync, signal?: AbortSignal): Promise<void> {
  for (const attempt of ctx.journal.openAttempts()) {
    signal?.throwIfAborted();
    if (attempt.uuid === null) continue;
    try {
      applyOrder(ctx, attempt.identifier, await ctx.venue.getOrder({ uuid: attempt.uuid }, { signal }));
    } catch (error) {
      if (signal?.aborted) throw error;
      ctx.log.warn({ identifier: attempt.identifier, err: describeError(error) }, 'could not refresh an open order');
    }
  }
}

/** The account's open orders (of one market, if given), page by page up to a cap. */
export async function fetchOpenOrders(ctx: OrderSync, market: string | undefined, signal: AbortSignal | undefined): Promise<Order[]> {
  const all: Order[] = [];
  for (let page = 1; page <= MAX_OPEN_PAGES; page++) {
    const batch = await ctx.venue.openOrders({ ...(market === undefined ? {} : { market }), page, limit: OPEN_ORDERS_PAGE }, { signal });
    all.push(...batch);
    if (batch.length < OPEN_ORDERS_PAGE) break;
  }
  return all;
}

/**
 * A cancel that failed with 404 or a lost answer is not yet a failure: a retried DELETE whose
 * first answer was lost gets 404 because the first one cancelled the order, and a finished
 * order gets 404 too. The order is looked up to say which: cancelled by this cancel (returned),
 * already finished before it ({@link OrderAlreadyFinishedError}), or still open or not to be
 * found (the original error).
 */
export async function settleFailedCancel(ctx: OrderSync, ref: OrderRef, error: unknown, signal: AbortSignal | undefined): Promise<Order> {
  const notFound = error instanceof OrderNotFoundError;
  if (!notFound && !(error instanceof UpbitError && (error.kind === 'connection' || error.kind === 'outcome-unknown'))) throw error;
  let order: Order;
  try {
    order = await ctx.venue.getOrder(ref, { signal });
  } catch (lookupError) {
    if (signal?.aborted === true) throw lookupError;
    ctx.log.warn({ ref, err: describeError(lookupError) }, 'could not look up an order after its cancel failed');
    throw error;
  }
  applyKnownOrder(ctx, order);
  // Sent more than once (or unanswered): an earlier try may be what cancelled it.
  const answerLost = !notFound || (error.attempts ?? 1) > 1;
  if (order.state === 'cancel' && answerLost) {
    ctx.log.info({ uuid: order.uuid }, "the cancel's answer was lost; the order is cancelled");
    return order;
  }
  if (order.state === 'done' || order.state === 'cancel') throw new OrderAlreadyFinishedError(order, { cause: error });
  throw error;
}
