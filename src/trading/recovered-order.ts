/**
 * What start-up recovery reports about each earlier attempt it looked up: the order asked
 * for (as journalled) and whether the exchange turned out to have it, for the user to be told
 * (a crashed buy that was placed must not be re-run blindly).
 */
import type { AttemptWithIntent, Intent } from './journal/index.js';
import { plain } from './money.js';
import type { Lookup } from './order-reconcile.js';

/**
 * An order of an earlier run whose outcome was unknown, as start-up recovery left it: what was
 * asked for (the journal's intent, amounts as journalled), and whether the exchange has it.
 */
export interface RecoveredOrder extends Pick<Intent, 'market' | 'side' | 'ordType' | 'price' | 'volume' | 'total'> {
  identifier: string;
  /** The exchange's order uuid, when it was placed. */
  uuid: string | null;
  /** `placed`: the exchange has it (see `state`); `not_placed`: proven absent; `unknown`: still undecided, looked up again next run. */
  outcome: 'placed' | 'not_placed' | 'unknown';
  /** The order's state on the exchange (`wait`, `watch`, `done`, `cancel`) when placed; else null. */
  state: string | null;
  /** Base volume filled so far, when placed (a decimal string); else null. */
  executedVolume: string | null;
}

export interface RecoverResult {
  resolved: number;
  stillUnknown: string[];
  /** Every earlier attempt recovery looked at, oldest first, resolved or not. */
  orders: RecoveredOrder[];
}

/** What recovery made of one earlier attempt, from the journal after the lookup (and the lookup's order, if found). */
export function recoveredOrder(attempt: AttemptWithIntent, lookup: Lookup): RecoveredOrder {
  const { intent } = attempt;
  const placed = attempt.state === 'acked' || attempt.state === 'done' || attempt.state === 'cancel';
  let state: string | null = null;
  let executedVolume: string | null = null;
  if (placed && lookup.kind === 'found') {
    state = lookup.order.state;
    executedVolume = plain(lookup.order.executedVolume);
  } else if (placed) {
    state = attempt.state === 'acked' ? 'wait' : attempt.state;
    executedVolume = attempt.executed?.volume ?? null;
  }
  return {
    identifier: attempt.identifier,
    uuid: attempt.uuid,
    market: intent.market,
    side: intent.side,
    ordType: intent.ordType,
    price: intent.price,
    volume: intent.volume,
    total: intent.total,
    outcome: placed ? 'placed' : attempt.state === 'not_found' || attempt.state === 'rejected' ? 'not_placed' : 'unknown',
    state,
    executedVolume,
  };
}
