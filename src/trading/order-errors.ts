/**
 * Errors of the order service, classed by who must act (docs/architecture.md#errors-name-who-must-act). Exchange refusals
 * are thrown as the REST client's own classes (`UserActionError`, `RateLimitError`, …), after
 * they have been journalled.
 */
import type { Order, OrderWithTrades } from '../upbit/rest/types.js';
import { formatAmount, ZERO, type Decimal, type OrderProblem } from './money.js';

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

/**
 * A cancel of an order that had already finished: filled (`done`) or cancelled before this
 * cancel was sent. Nothing was changed; the message says what the order is.
 */
export class OrderAlreadyFinishedError extends Error {
  override name = 'OrderAlreadyFinishedError';
  constructor(
    /** The order as the exchange has it now. */
    readonly order: Order,
    options?: { cause?: unknown },
  ) {
    super(finishedMessage(order), options);
  }
}

/** `Order <uuid> is already done (filled 0.001 KRW-BTC at an average 95,000,000 KRW); nothing to cancel.` */
function finishedMessage(o: Order): string {
  const quote = o.market.split('-')[0] ?? '';
  const filled = o.executedVolume.isZero() ? null : `${formatAmount(o.executedVolume)} ${o.market}${averageText(o, quote)}`;
  let what: string;
  if (o.state === 'done') what = `already done (filled ${filled ?? 'in full'})`;
  else if (o.ordType === 'price' && filled !== null) what = `already finished (a market buy by total: filled ${filled}; Upbit files it as cancel)`;
  else what = `already cancelled (${filled === null ? 'nothing filled' : `after filling ${filled}`})`;
  return `Order ${o.uuid}${o.identifier === null ? '' : ` (identifier ${o.identifier})`} is ${what}; nothing to cancel.`;
}

function averageText(o: Order, quote: string): string {
  let funds: Decimal | null = o.executedFunds;
  const trades = (o as Partial<OrderWithTrades>).trades;
  if (funds === null && Array.isArray(trades) && trades.length > 0) funds = trades.reduce((sum, t) => sum.plus(t.funds), ZERO);
  if (funds === null || o.executedVolume.isZero()) return '';
  return ` at an average ${formatAmount(funds.div(o.executedVolume), 8)} ${quote}`;
}
