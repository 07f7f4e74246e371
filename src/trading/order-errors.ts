/**
 * Errors of the order service, classed by who must act (house style §8). Exchange refusals
 * are thrown as the REST client's own classes (`UserActionError`, `RateLimitError`, …), after
 * they have been journalled.
 */
import type { OrderProblem } from './money.js';

/** `place()` before `recover()` resolved every unfinished attempt of an earlier run. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
  constructor(readonly stillUnknown: readonly string[] = []) {
    super(
      stillUnknown.length === 0
        ? 'The order service has not checked the journal of the last run yet: wait for start-up to finish (recover()) before placing orders.'
        : `Orders ${stillUnknown.join(', ')} from an earlier attempt are still unresolved; no new order is sent until Upbit says whether they exist. Check the connection and wait.`,
    );
  }
}

/** `place()` after shutdown began: nothing new is sent once the app is stopping. */
export class ShuttingDownError extends Error {
  override name = 'ShuttingDownError';
  constructor() {
    super('upbit-tui is shutting down; no new order is sent. Start it again to place orders.');
  }
}

/** The order breaks the exchange's rules (checked locally); nothing was journalled or sent. */
export class InvalidOrderError extends Error {
  override name = 'InvalidOrderError';
  constructor(readonly problems: readonly OrderProblem[]) {
    super(problems.map((p) => p.message).join(' '));
  }
}

/**
 * The order was proven never to have been placed: the request could not be sent, or it was
 * sent without an answer and lookups by its identifier found nothing. A new order (new
 * identifier) is safe.
 */
export class OrderNotPlacedError extends Error {
  override name = 'OrderNotPlacedError';
  constructor(
    message: string,
    /** The attempt's identifier, now journalled `not_found`. */
    readonly identifier: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
