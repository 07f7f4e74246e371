/**
 * The trading session's two links on the status line, as text: the private stream (Upbit's
 * `myOrder`/`myAsset` WebSocket, which keeps the orders and the balances live) and the order
 * rate-limit budget. Pure, tested without rendering.
 *
 * The status line is cut at its end on a narrow terminal, so its order is its priority: the
 * mode, the quotation state, then whatever of these two needs attention (the stream not live,
 * the budget low or spent) right after it, ahead of the age and the account; a link that is
 * fine goes after the account summary, before throughput, where a narrow terminal cuts it
 * first. A mode with neither (paper: its own engine's events, no order request) shows nothing.
 */
import type { RateGroupStatus } from '../upbit/rest/index.js';
import type { ConnectionStatus } from '../upbit/socket/status.js';
import { countdown, joinRuns, marker, type StatusRun } from './status-text.js';
import type { Tone } from './theme.js';

export interface LinkInput {
  /** The private stream's status; null when the mode has none (paper). */
  privateStream: ConnectionStatus | null;
  /** The `order` group's budget now; null when orders are not rate-limited (paper). */
  orderBudget: RateGroupStatus | null;
  /** For the countdowns (the retry, the end of a block): the status bar's clock. */
  now: number;
}

/** Runs, each after a ` · `: those that need attention, and the calm ones. */
export interface LinkText {
  urgent: readonly StatusRun[];
  calm: readonly StatusRun[];
}

/** At or below this share of its budget, the order group is low (2 of 8 a second). */
const LOW_SHARE = 0.25;

/** `private live`, `private reconnecting in 3s`, `private down, retrying in 4s`, … */
export function privateStreamRun(status: ConnectionStatus, now: number, markers = false): StatusRun {
  const run = (text: string, tone: Tone): StatusRun => ({ text: `private ${text}${marker(tone, markers)}`, tone });
  switch (status.state) {
    case 'live':
      return run('live', 'plain');
    case 'idle':
      return run('idle', 'plain');
    case 'connecting':
      return run('connecting…', 'warn');
    case 'reconnecting':
      return run(`reconnecting in ${countdown(status.retryAt, now)}`, 'warn');
    case 'offline':
      return run(`down, retrying in ${countdown(status.retryAt, now)}`, 'bad');
  }
}

/** `orders 7/8/s` (requests left of the window's budget), `orders 0/8/s`, `orders blocked 57s`. */
export function orderBudgetRun(budget: RateGroupStatus, now: number, markers = false): StatusRun {
  const run = (text: string, tone: Tone): StatusRun => ({ text: `orders ${text}${marker(tone, markers)}`, tone });
  if (budget.haltedUntil !== null && budget.haltedUntil > now) return run(`blocked ${countdown(budget.haltedUntil, now)}`, 'bad');
  const per = budget.windowMs === 1_000 ? 's' : `${budget.windowMs / 1_000}s`;
  const tone: Tone = budget.remaining <= 0 ? 'bad' : budget.remaining <= budget.limit * LOW_SHARE ? 'warn' : 'plain';
  return run(`${budget.remaining}/${budget.limit}/${per}`, tone);
}

/** The two links, split by whether they need attention (see above); `markers` as in `statusText`. */
export function linkText(input: LinkInput, opts: { markers?: boolean } = {}): LinkText {
  const markers = opts.markers === true;
  const runs: StatusRun[] = [];
  if (input.privateStream !== null) runs.push(privateStreamRun(input.privateStream, input.now, markers));
  if (input.orderBudget !== null) runs.push(orderBudgetRun(input.orderBudget, input.now, markers));
  return { urgent: joinRuns(runs.filter((r) => r.tone !== 'plain')), calm: joinRuns(runs.filter((r) => r.tone === 'plain')) };
}
