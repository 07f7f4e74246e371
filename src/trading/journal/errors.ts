import type { AttemptState } from './types.js';

/**
 * A journal problem the user must act on (a journal of another account at the expected path,
 * a journal from a newer upbit-tui, a file that cannot be opened). The message says what to do.
 */
export class JournalError extends Error {
  override name = 'JournalError';
}

/** The journal at a path belongs to another exchange endpoint or account. */
export class JournalMismatchError extends JournalError {
  override name = 'JournalMismatchError';
}

/**
 * Our own code misused the journal: an illegal state change, an identifier or intent that was
 * never journalled, a uuid claimed by two attempts. A bug, shown with its stack.
 */
export class JournalBugError extends Error {
  override name = 'JournalBugError';
}

/** An attempt was asked to move along an edge the state machine does not have. */
export class IllegalTransitionError extends JournalBugError {
  override name = 'IllegalTransitionError';
  constructor(
    readonly attemptId: number,
    readonly identifier: string,
    readonly from: AttemptState,
    readonly to: AttemptState | 'fill',
    reason?: string,
  ) {
    super(
      to === 'fill'
        ? `Attempt ${attemptId} (${identifier}) is ${from}; fills are recorded only for acked, done or cancelled orders${reason === undefined ? '' : ` (${reason})`}.`
        : `Attempt ${attemptId} (${identifier}) cannot go from ${from} to ${to}${reason === undefined ? '' : `: ${reason}`}.`,
    );
  }
}

/**
 * A new attempt was asked for while an earlier one of the same intent may still be (or become)
 * an order. The caller must resolve or finish that one first; retrying now could double the order.
 */
export class AttemptInProgressError extends Error {
  override name = 'AttemptInProgressError';
  constructor(
    readonly intentId: number,
    readonly identifier: string,
    readonly state: AttemptState,
  ) {
    super(
      `Intent ${intentId} still has attempt ${identifier} in state ${state}; a retry is allowed only after it is known dead (rejected or not found) or finished (done or cancelled).`,
    );
  }
}
