/**
 * The one order path for live, simulated and paper trading (issue 4 §4;
 * docs/upbit-protocol.md#order-identifier):
 *
 * 1. each attempt gets a fresh identifier, journalled `pending` (fsynced) before the POST;
 * 2. the POST is never retried; a lost answer makes the attempt `unknown`, resolved by
 *    `GET /v1/order?identifier=…` and by `myOrder` events, never by guessing;
 * 3. placement is serialised per service, and nothing is placed until `recover()` has
 *    resolved what an earlier run left `pending`/`unknown`;
 * 3a. other processes may trade the same journal at the same time (a TUI and CLI commands):
 *    each attempt is claimed in the journal by the process placing or resolving it, and an
 *    attempt claimed by a live process is never looked up or written by another
 *    (docs/locking.md);
 * 4. once shutdown begins nothing new is sent; in-flight requests are awaited to a deadline
 *    and whatever is still unanswered is journalled `unknown`.
 */
import { Mutex } from 'async-mutex';

import { fullJitterDelay, sleep } from '../runtime/backoff.js';
import { describeError, isCancellation } from '../runtime/errors.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { OrderOutcomeUnknownError, UpbitError } from '../upbit/rest/errors.js';
import type { Order, OrderRequest } from '../upbit/rest/types.js';
import { JournalBugError, type AttemptState, type IntentSource, type OrderJournal } from './journal/index.js';
import { checkOrder } from './money.js';
import { applyKnownOrder, applyOrder, applyOrderEvent, attemptOf, attemptState, type OrderSync } from './order-apply.js';
import { InvalidOrderError, NotReadyError, OrderNotPlacedError, ShuttingDownError } from './order-errors.js';
import { fetchOpenOrders, refreshOpenAttempts, resolveAttempt, settleFailedCancel, type Lookup } from './order-reconcile.js';
import { recoveredOrder, type RecoveredOrder, type RecoverResult } from './recovered-order.js';
import { intentOfJournal, toDraft, toRequest, type OrderIntent } from './order-request.js';
import type { Venue } from './venue.js';

export { InvalidOrderError, NotReadyError, OrderAlreadyFinishedError, OrderNotPlacedError, ShuttingDownError } from './order-errors.js';
export type { OrderIntent } from './order-request.js';
export type { RecoveredOrder, RecoverResult } from './recovered-order.js';

export interface PlaceOptions {
  source: IntentSource;
  signal?: AbortSignal;
  /** Journalled with the intent: why (e.g. "stop-loss 94,000,000 crossed at 93,990,000"). */
  note?: string | null;
  /**
   * Run inside the transaction that journals the intent and its pending attempt, before
   * anything is sent: what else must commit with them or not at all (the monitor's rule moving
   * to `triggered`). What it throws rolls the lot back and `place` rejects with it, unsent.
   */
  journalWith?: (ids: { intentId: number; attemptId: number; identifier: string }) => void;
}

export type PlaceResult = { status: 'acked'; identifier: string; order: Order } | { status: 'unknown'; identifier: string; reason: string };

export interface OrderServiceOptions {
  venue: Venue;
  journal: OrderJournal;
  /** @default silentLogger */
  logger?: Logger;
  /** @default Date.now */
  now?: () => number;
  /** Lookups by identifier before an unanswered attempt is declared `not_found` (or left `unknown`). @default 5 */
  lookupAttempts?: number;
  /** Wait before the 2nd lookup; doubles each time, up to 4 s. @default 500 */
  lookupDelayMs?: number;
  /** Deadline of one POST (and `drain`'s default): past it the outcome is `unknown`. @default 5000 */
  inFlightDeadlineMs?: number;
}

/** How often the background task looks at the journal when nothing is unresolved. */
const IDLE_POLL_MS = 1_000;
const BACKGROUND_CAP_MS = 30_000;
/** After `drain`'s deadline, how long aborted requests get to settle and be journalled. */
const ABORT_GRACE_MS = 1_000;

export class OrderService {
  readonly #venue: Venue;
  readonly #journal: OrderJournal;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #lookupAttempts: number;
  readonly #lookupDelayMs: number;
  readonly #deadlineMs: number;
  /** The venue, journal and log, for the helpers in order-apply and order-reconcile. */
  readonly #sync: OrderSync;
  /** One per service, and a service per venue account: placement is serialised per account. */
  readonly #mutex = new Mutex();
  /** Identifier → the placement still waiting for its POST (and lookups). */
  readonly #inFlight = new Map<string, Promise<PlaceResult>>();
  /** Aborted when `drain`'s deadline passes: cuts in-flight requests and lookups short. */
  readonly #drainAbort = new AbortController();
  #recovered = false;
  #ready = false;
  #shuttingDown = false;

  constructor(opts: OrderServiceOptions) {
    this.#venue = opts.venue;
    this.#journal = opts.journal;
    this.#log = (opts.logger ?? silentLogger).child({ component: 'order-service' });
    this.#now = opts.now ?? Date.now;
    this.#lookupAttempts = Math.max(1, Math.trunc(opts.lookupAttempts ?? 5));
    this.#lookupDelayMs = Math.max(0, opts.lookupDelayMs ?? 500);
    this.#deadlineMs = Math.max(1, opts.inFlightDeadlineMs ?? 5_000);
    this.#sync = { venue: this.#venue, journal: this.#journal, log: this.#log };
  }

  /** True once `recover()` (or the background task after it) resolved every unfinished attempt, until shutdown. */
  get ready(): boolean {
    return this.#ready && !this.#shuttingDown;
  }

  /**
   * Start-up: look up every `pending`/`unknown` attempt of an earlier run by identifier, then
   * refresh acked orders that have not finished (fills, terminal state). `place()` is allowed
   * only once nothing is left unknown; what is, `run()` keeps resolving and then allows it.
   */
  async recover(signal?: AbortSignal): Promise<RecoverResult> {
    let resolved = 0;
    const stillUnknown: string[] = [];
    const orders: RecoveredOrder[] = [];
    for (const attempt of this.#journal.unresolved()) {
      signal?.throwIfAborted();
      if (this.#inFlight.has(attempt.identifier)) continue;
      const lookup = await this.#resolveClaimed(attempt.identifier, this.#lookupAttempts, signal, 'the app stopped before the answer to this order was journalled');
      // Another live process places or resolves it right now: its outcome is that process's to
      // journal (and to report), not an earlier run's order of ours.
      if (lookup === undefined) continue;
      // Judged by the journal: the stream or the background task may have settled it meanwhile.
      const state = this.#state(attempt.identifier);
      if (state === 'pending' || state === 'unknown') stillUnknown.push(attempt.identifier);
      else resolved++;
      orders.push(recoveredOrder(this.#journal.attemptByIdentifier(attempt.identifier) ?? attempt, lookup));
    }
    await refreshOpenAttempts(this.#sync, signal);
    this.#recovered = true;
    this.#ready = stillUnknown.length === 0;
    this.#log.info({ resolved, stillUnknown, orders }, 'order journal recovered');
    return { resolved, stillUnknown, orders };
  }

  /**
   * Place one order as a new intent with one attempt. Resolves `acked` with the exchange's
   * order, or `unknown` when no answer came and lookups could not decide (the background task
   * keeps resolving it). Throws the exchange's refusal (journalled `rejected`),
   * {@link OrderNotPlacedError} when the order provably does not exist, {@link InvalidOrderError}
   * for an order that breaks the rules (nothing journalled), {@link NotReadyError} before
   * `recover()`, {@link ShuttingDownError} after `beginShutdown()`.
   */
  async place(intent: OrderIntent, opts: PlaceOptions): Promise<PlaceResult> {
    this.#assertCanPlace();
    opts.signal?.throwIfAborted();
    const draft = toDraft(intent);
    const problems = checkOrder(draft);
    if (problems.length > 0) throw new InvalidOrderError(problems);
    return this.#mutex.runExclusive(async () => {
      // Shutdown may have begun, or the caller given up, while this call waited for the lock.
      this.#assertCanPlace();
      opts.signal?.throwIfAborted();
      // Claimed for this process with the pending row: no other process recovers it while it is in the air.
      const { identifier } = this.#journal.createIntentWithAttempt({ ...draft, source: opts.source, note: opts.note ?? null }, opts.journalWith);
      return this.#sendTracked(identifier, toRequest(intent, identifier), opts.signal);
    });
  }

  /**
   * Send journalled intent `intentId` again as a new attempt: only once its earlier attempts
   * are known dead (the journal refuses it otherwise with `AttemptInProgressError`). The monitor
   * uses it for a rule that fired whose order provably never reached the exchange (the program
   * was killed between journalling it and sending it). `journalWith` runs in the new attempt's
   * transaction, as in {@link place}.
   */
  async placeAgain(intentId: number, opts: Omit<PlaceOptions, 'source' | 'note'>): Promise<PlaceResult> {
    this.#assertCanPlace();
    opts.signal?.throwIfAborted();
    return this.#mutex.runExclusive(async () => {
      this.#assertCanPlace();
      opts.signal?.throwIfAborted();
      const journalled = this.#journal.intent(intentId);
      if (journalled === undefined) throw new JournalBugError(`There is no order intent ${intentId} in the journal to send again.`);
      const intent = intentOfJournal(journalled);
      const { journalWith } = opts;
      const { identifier } = this.#journal.beginAttemptWith(intentId, journalWith === undefined ? undefined : (ids) => journalWith({ intentId, ...ids }));
      return this.#sendTracked(identifier, toRequest(intent, identifier), opts.signal);
    });
  }

  /**
   * Cancel one order (by uuid or identifier). Resolves with the order as the exchange answered
   * (usually still `wait`: the cancel completes just after; its final state arrives by the
   * stream or reconciliation), or, when that answer was lost, as a lookup found it (`cancel`).
   * Throws {@link OrderAlreadyFinishedError} when the order had already ended (filled or
   * cancelled) before this cancel, the exchange's `OrderNotFoundError` when there is no such
   * order, and the original error when the order is still open.
   */
  async cancel(ref: { uuid: string } | { identifier: string }, opts: { signal?: AbortSignal } = {}): Promise<Order> {
    let order: Order;
    try {
      order = await this.#venue.cancelOrder(ref, { signal: opts.signal });
    } catch (error) {
      if (opts.signal?.aborted === true) throw error;
      order = await settleFailedCancel(this.#sync, ref, error, opts.signal);
    }
    applyKnownOrder(this.#sync, order);
    return order;
  }

  /** Cancel every open order this journal placed (orders placed elsewhere are left alone). */
  async cancelAllMine(opts: { market?: string; signal?: AbortSignal } = {}): Promise<{ cancelled: Order[]; failed: Array<{ uuid: string; error: string }> }> {
    const mine = (await fetchOpenOrders(this.#sync, opts.market, opts.signal)).filter((o) => attemptOf(this.#journal, o) !== undefined);
    const cancelled: Order[] = [];
    const failed: Array<{ uuid: string; error: string }> = [];
    for (const order of mine) {
      opts.signal?.throwIfAborted();
      try {
        cancelled.push(await this.cancel({ uuid: order.uuid }, { signal: opts.signal }));
      } catch (error) {
        if (opts.signal?.aborted) throw error;
        failed.push({ uuid: order.uuid, error: describeError(error) });
      }
    }
    return { cancelled, failed };
  }

  /**
   * Bring the journal up to date over REST: one lookup per unknown attempt, a refresh of every
   * acked unfinished order, and open orders of ours the journal had given up on. Run after
   * every private-stream (re)connect, since the stream has no snapshot.
   */
  async reconcile(signal?: AbortSignal): Promise<void> {
    for (const attempt of this.#journal.unresolved()) {
      signal?.throwIfAborted();
      if (attempt.state === 'unknown' && !this.#inFlight.has(attempt.identifier)) await this.#resolveClaimed(attempt.identifier, 1, signal);
    }
    await refreshOpenAttempts(this.#sync, signal);
    for (const order of await fetchOpenOrders(this.#sync, undefined, signal)) {
      const attempt = attemptOf(this.#journal, order);
      if (attempt !== undefined && attempt.state === 'not_found') this.#applyOrder(attempt.identifier, order);
    }
  }

  /** Placements sent and not yet answered (a quit asks first while there are any). */
  inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** From now on `place()` throws {@link ShuttingDownError}; requests already sent carry on. */
  beginShutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#log.info({ inFlight: [...this.#inFlight.keys()] }, 'order service shutting down: no new orders');
  }

  /**
   * Await in-flight placements until `deadlineMs`; any attempt still `pending` then is
   * journalled `unknown` (start-up resolves it) and its request is abandoned. Begins shutdown
   * if it had not begun.
   */
  async drain(deadlineMs: number = this.#deadlineMs): Promise<void> {
    this.beginShutdown();
    const inFlight = [...this.#inFlight.values()];
    if (inFlight.length === 0) return;
    const started = this.#now();
    if (await settledWithin(inFlight, deadlineMs)) return;
    this.#log.warn({ waitedMs: this.#now() - started, inFlight: [...this.#inFlight.keys()] }, 'in-flight orders unanswered at the shutdown deadline');
    for (const identifier of this.#inFlight.keys()) {
      if (this.#state(identifier) === 'pending') this.#journal.markUnknown(identifier, `no answer from the exchange within the shutdown deadline (${deadlineMs} ms)`);
    }
    this.#drainAbort.abort(new ShuttingDownError());
    await settledWithin([...this.#inFlight.values()], ABORT_GRACE_MS);
  }

  /**
   * Kernel task body: applies `myOrder` events to the journal, reconciles after every
   * private-stream (re)connect, and keeps resolving `unknown` attempts with a capped,
   * jittered backoff. Resolves when `signal` aborts.
   */
  async run(signal: AbortSignal): Promise<void> {
    const offOrder = this.#venue.onOrderEvent((e) => applyOrderEvent(this.#sync, e));
    const offReconnect = this.#venue.onReconnected(() => {
      // Fire and forget: a failed reconciliation is logged and the next reconnect or the loop below retries.
      void this.reconcile(signal).catch((error: unknown) => {
        if (!isCancellation(error, signal)) this.#log.warn({ err: describeError(error) }, 'reconciliation after a reconnect failed');
      });
    });
    try {
      let failures = 0;
      while (!signal.aborted) {
        // Before recover() the journal's leftovers are recover()'s to resolve.
        const unknown = this.#recovered ? this.#journal.unresolved().filter((a) => a.state === 'unknown' && !this.#inFlight.has(a.identifier)) : [];
        if (unknown.length === 0) {
          if (this.#recovered && !this.#ready) {
            this.#ready = true;
            this.#log.info({}, 'every earlier order is resolved; placing is allowed');
          }
          failures = 0;
          await sleep(IDLE_POLL_MS, signal);
          continue;
        }
        let progress = false;
        for (const attempt of unknown) {
          const outcome = await this.#resolveClaimed(attempt.identifier, 1, signal);
          // Claimed by another live process: resolving it is that process's work.
          if (outcome === undefined || outcome.kind !== 'unknown') progress = true;
        }
        failures = progress ? 0 : failures + 1;
        await sleep(Math.max(this.#lookupDelayMs, fullJitterDelay(failures, { baseMs: this.#lookupDelayMs, capMs: BACKGROUND_CAP_MS })), signal);
      }
    } catch (error) {
      if (!isCancellation(error, signal)) throw error;
    } finally {
      offReconnect();
      offOrder();
    }
  }

  // --- placement ------------------------------------------------------------------------

  async #sendTracked(identifier: string, request: OrderRequest, signal: AbortSignal | undefined): Promise<PlaceResult> {
    const work = this.#send(identifier, request, signal);
    this.#inFlight.set(identifier, work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(identifier);
      this.#releaseClaim(identifier);
    }
  }

  #assertCanPlace(): void {
    if (this.#shuttingDown) throw new ShuttingDownError();
    if (!this.#ready) throw new NotReadyError(this.#recovered ? this.#journal.unresolved().map((a) => a.identifier) : []);
  }

  async #send(identifier: string, request: OrderRequest, signal: AbortSignal | undefined): Promise<PlaceResult> {
    const signals = [AbortSignal.timeout(this.#deadlineMs), this.#drainAbort.signal];
    if (signal !== undefined) signals.push(signal);
    let order: Order;
    try {
      order = await this.#venue.placeOrder(request, { signal: AbortSignal.any(signals) });
    } catch (error) {
      return this.#afterFailedPost(identifier, error, signal);
    }
    this.#applyOrder(identifier, order);
    return { status: 'acked', identifier, order };
  }

  async #afterFailedPost(identifier: string, error: unknown, signal: AbortSignal | undefined): Promise<PlaceResult> {
    const state = this.#state(identifier);
    if (error instanceof OrderOutcomeUnknownError) {
      if (state === 'pending') this.#journal.markUnknown(identifier, error.message);
      this.#log.warn({ identifier, err: error.message }, 'order outcome unknown; looking it up by identifier');
      if (signal?.aborted) return { status: 'unknown', identifier, reason: error.message };
      const lookupSignal = signal === undefined ? this.#drainAbort.signal : AbortSignal.any([signal, this.#drainAbort.signal]);
      let outcome: Lookup;
      try {
        outcome = await this.#resolve(identifier, this.#lookupAttempts, lookupSignal);
      } catch (lookupError) {
        if (!lookupSignal.aborted) throw lookupError;
        return { status: 'unknown', identifier, reason: error.message };
      }
      if (outcome.kind === 'found') return { status: 'acked', identifier, order: outcome.order };
      if (outcome.kind === 'not_found') {
        throw new OrderNotPlacedError(`Order ${identifier} got no answer and Upbit has no order with that identifier, so it was not placed; nothing else was sent. Place it again if you still want it.`, identifier, { cause: error });
      }
      return { status: 'unknown', identifier, reason: `${error.message} (still unresolved: ${outcome.reason})` };
    }
    // Anything else means the order was not placed (Venue's error contract).
    const reason = describeError(error);
    if (state === 'pending' && error instanceof UpbitError && error.kind !== 'connection') {
      this.#journal.markRejected(identifier, { name: String(error.upbitName ?? error.name), message: error.message });
    } else if (state === 'pending' || state === 'unknown') {
      // Never sent (connection refused, cancelled before it left): dead, journalled with why.
      if (state === 'pending') this.#journal.markUnknown(identifier, `not sent: ${reason}`);
      this.#journal.markNotFound(identifier);
    } else {
      this.#log.error({ identifier, state, err: reason }, 'the exchange refused an order the journal already knows as placed; keeping the journal');
    }
    throw error;
  }

  /**
   * Resolve an attempt under this journal's claim on it: undefined, untouched, when another
   * live process (or this one, elsewhere) is placing or resolving it, or has resolved it since
   * the caller read the journal; otherwise the lookup,
   * after journalling a `pending` attempt `unknown` with `pendingReason` (a claimed pending
   * attempt is one whose placer died). The claim is given up when the lookup ends.
   */
  async #resolveClaimed(identifier: string, tries: number, signal: AbortSignal | undefined, pendingReason?: string): Promise<Lookup | undefined> {
    const claim = this.#journal.claim(identifier);
    if (!claim.taken) {
      this.#log.debug({ identifier, heldBy: claim.heldBy.owner, purpose: claim.heldBy.purpose }, 'attempt claimed elsewhere; left to its owner');
      return undefined;
    }
    if (claim.tookOverFrom !== null) this.#log.info({ identifier, from: claim.tookOverFrom }, 'took over the attempt of a process that ended without resolving it');
    try {
      const state = this.#state(identifier);
      // Resolved by another process between the caller's read and this claim: nothing left to do.
      if (state !== 'pending' && state !== 'unknown') return undefined;
      if (state === 'pending') this.#journal.markUnknown(identifier, pendingReason ?? 'its placing process ended before the answer was journalled');
      return await this.#resolve(identifier, tries, signal);
    } finally {
      this.#releaseClaim(identifier);
    }
  }

  #releaseClaim(identifier: string): void {
    try {
      this.#journal.releaseClaim(identifier);
    } catch (error) {
      // Left in place it only makes others probe this process's liveness until it exits.
      this.#log.warn({ identifier, err: describeError(error) }, 'could not release the claim on an attempt');
    }
  }

  /** Look an attempt up by identifier up to `tries` times; see {@link resolveAttempt}. */
  #resolve(identifier: string, tries: number, signal?: AbortSignal): Promise<Lookup> {
    return resolveAttempt(this.#sync, this.#lookupDelayMs, identifier, tries, signal);
  }

  // --- applying what the exchange says --------------------------------------------------

  #applyOrder(identifier: string, order: Order): void {
    applyOrder(this.#sync, identifier, order);
  }

  #state(identifier: string): AttemptState | undefined {
    return attemptState(this.#journal, identifier);
  }
}

/** True if every promise settled within `ms`. */
async function settledWithin(promises: ReadonlyArray<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.allSettled(promises).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
