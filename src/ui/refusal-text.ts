/**
 * What the order ticket says when `session.place` answers: the result, or the refusal in plain
 * words with what to do. The classes say who must act (docs/architecture.md#errors-name-who-must-act);
 * their messages already say what to do next, so each line here leads with the plain fact
 * (funds, minimum, tick, rate limit, not sent, may have been placed) and keeps the message.
 * Upbit's error names: https://docs.upbit.com/kr/reference/new-order (errors), docs/upbit-protocol.md#rest-errors.
 */
import { describeError } from '../runtime/errors.js';
import { InvalidOrderError, NotReadyError, OrderNotPlacedError, ShuttingDownError } from '../trading/order-errors.js';
import type { PlaceResult } from '../trading/order-service.js';
import { formatAmount } from '../trading/money.js';
import { OrderOutcomeUnknownError, UpbitError } from '../upbit/rest/errors.js';

/** Headlines for Upbit's order refusals by `error.name`. */
const REFUSALS: Readonly<Record<string, string>> = {
  insufficient_funds_bid: 'Refused: not enough funds for this buy (fee included).',
  insufficient_funds_ask: 'Refused: not enough of the coin for this sell.',
  under_min_total_bid: "Refused: below Upbit's minimum order total.",
  under_min_total_ask: "Refused: below Upbit's minimum order total.",
  invalid_price_bid: "Refused: the price is not on the market's tick grid.",
  invalid_price_ask: "Refused: the price is not on the market's tick grid.",
  market_offline: 'Refused: the market is offline.',
};

/** One paragraph for the ticket: what happened to the order and what to do. */
export function refusalText(error: unknown): string {
  if (error instanceof InvalidOrderError) return `Not sent: ${error.message}`;
  if (error instanceof OrderNotPlacedError) return `Not placed, safe to send again: ${error.message}`;
  if (error instanceof NotReadyError || error instanceof ShuttingDownError) return `Not sent: ${error.message}`;
  if (error instanceof OrderOutcomeUnknownError) return mayHaveBeenPlaced(error.message, error.identifier);
  if (error instanceof UpbitError) {
    switch (error.kind) {
      case 'user': {
        const headline = typeof error.upbitName === 'string' ? REFUSALS[error.upbitName] : undefined;
        return `${headline ?? 'Refused by Upbit.'} ${error.message}`;
      }
      case 'rate-limit':
        // A 429 or 418 answer is a refusal: Upbit did not take the order (src/upbit/rest/caller.ts).
        return `Not sent: rate limited (too many requests to Upbit). ${error.message}`;
      case 'credentials':
        return `Refused: Upbit did not accept the API keys. ${error.message}`;
      case 'connection':
        // The order service throws a connection error only for an order that was never placed (Venue's contract).
        return `Not sent: could not reach Upbit, nothing was placed. ${error.message}`;
      case 'bug':
        return error.message;
      case 'outcome-unknown':
        return mayHaveBeenPlaced(error.message, null);
    }
  }
  return mayHaveBeenPlaced(describeError(error), null);
}

function mayHaveBeenPlaced(reason: string, identifier: string | null): string {
  const id = identifier === null ? '' : ` (identifier ${identifier})`;
  return `The order may have been placed${id}: check Orders before sending it again. ${reason}`;
}

/** The answer of `session.place` in words: accepted, filled, cancelled, or unknown (it may exist). */
export function placeResultText(result: PlaceResult): string {
  if (result.status === 'unknown') return mayHaveBeenPlaced(`No definite answer yet: ${result.reason}`, result.identifier);
  const o = result.order;
  const id = `order ${o.uuid.slice(0, 8)}`;
  const filled = o.executedVolume.isZero() ? null : `${formatAmount(o.executedVolume)} ${o.market.split('-')[1] ?? ''}`;
  switch (o.state) {
    case 'done':
      return `Filled (${id}${filled === null ? '' : `, ${filled}`}).`;
    case 'cancel':
      return filled === null
        ? `Ended without a fill (${id}): a post-only that would have crossed, or an IOC/FOK with nothing to take. Nothing was bought or sold.`
        : `Partly filled, ${filled}; the rest was cancelled (${id}).`;
    case 'wait':
    case 'watch':
      return `Accepted by Upbit (${id})${filled === null ? '' : `, ${filled} filled so far`}: see Orders for its fills.`;
  }
}
