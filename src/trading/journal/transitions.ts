/** The attempt state machine: its edges, and the one way an attempt moves along them. */
import { IllegalTransitionError } from './errors.js';
import type { AttemptRow, Statements } from './rows.js';
import type { AttemptState } from './types.js';

/** The edges of the attempt state machine (see {@link AttemptState}). */
export const TRANSITIONS: Readonly<Record<AttemptState, readonly AttemptState[]>> = {
  pending: ['acked', 'rejected', 'unknown'],
  unknown: ['acked', 'not_found'],
  // A lookup said "not found" and the order shows up later anyway (a lagging replica, a
  // myOrder event after the grace window). The journal records what is true rather than
  // refusing and leaving a live order untracked.
  not_found: ['acked'],
  acked: ['done', 'cancel'],
  rejected: [],
  done: [],
  cancel: [],
};

/** States an attempt may receive fills in: its order exists. */
export const FILLABLE: readonly AttemptState[] = ['acked', 'done', 'cancel'];

/** Check the edge, apply the row update, log the event; inside the caller's transaction. */
export function moveAttempt(s: Statements, row: AttemptRow, to: AttemptState, detail: string | null, update: (at: number) => unknown, at: number): void {
  if (!TRANSITIONS[row.state].includes(to)) throw new IllegalTransitionError(row.id, row.identifier, row.state, to);
  update(at);
  s.insertEvent.run({ attempt_id: row.id, from_state: row.state, to_state: to, detail, at });
}
