/**
 * Applying what the exchange says (a REST order snapshot, a `myOrder` event) to the order
 * journal. Never moves an attempt backwards.
 */
import { describeError } from '../runtime/errors.js';
import { Money, toMoney, ZERO, type Decimal } from './decimal.js';
import type { Logger } from '../runtime/logger.js';
import type { Order, OrderWithTrades } from '../upbit/rest/types.js';
import type { MyOrderEvent } from '../upbit/types.js';
import type { AttemptDetail, AttemptState, OrderJournal } from './journal/index.js';
import type { Venue } from './venue.js';

/** What the order service's helpers share: the venue, the journal and the log. */
export interface OrderSync {
  readonly venue: Venue;
  readonly journal: OrderJournal;
  readonly log: Logger;
}

/** A REST order snapshot: acked, its fills, and its terminal state if it has one. Never moves an attempt backwards. */
export function applyOrder(ctx: OrderSync, identifier: string, order: Order): void {
  const { journal, log } = ctx;
  const state = attemptState(journal, identifier);
  if (state === undefined || state === 'rejected') {
    log.error({ identifier, uuid: order.uuid, state }, 'the exchange has an order the journal cannot take; check it by hand');
    return;
  }
  journal.markAcked(identifier, order.uuid, order);
  if (hasTrades(order)) {
    const fees = feesOfTrades(order.paidFee, order.trades);
    order.trades.forEach((t, i) => {
      journal.recordFill(identifier, { tradeUuid: t.uuid, price: t.price, volume: t.volume, funds: t.funds, fee: fees[i] ?? 0, at: t.createdAt });
    });
  }
  if (order.state === 'done' || order.state === 'cancel') {
    const now = attemptState(journal, identifier);
    if (now === 'acked' || now === order.state) {
      journal.markTerminal(identifier, order.state, { executedVolume: order.executedVolume, executedFunds: order.executedFunds, paidFee: order.paidFee }, order);
    }
  }
}

/** Apply an order to the journal if it is one of ours (a cancel's answer). */
export function applyKnownOrder(ctx: OrderSync, order: Order): void {
  const attempt = attemptOf(ctx.journal, order);
  if (attempt !== undefined && attempt.state !== 'pending') applyOrder(ctx, attempt.identifier, order);
}

/** A `myOrder` event from the private stream. Failures are logged, never thrown. */
export function applyOrderEvent(ctx: OrderSync, e: MyOrderEvent): void {
  const { journal, log } = ctx;
  try {
    const attempt = e.identifier !== null ? journal.attemptByIdentifier(e.identifier) : journal.attemptByUuid(e.uuid);
    if (attempt === undefined) return; // not placed through this journal
    const { identifier } = attempt;
    if (attempt.state === 'rejected') {
      log.error({ identifier, uuid: e.uuid }, 'an order event arrived for an attempt journalled as rejected; check it by hand');
      return;
    }
    // The event may beat the POST's answer: pending → acked here, and the answer then repeats it harmlessly.
    journal.markAcked(identifier, e.uuid);
    if (e.state === 'trade') {
      journal.recordFill(identifier, { tradeUuid: e.fill.tradeUuid, price: e.fill.price, volume: e.fill.volume, fee: e.fill.fee ?? 0, at: e.fill.timestamp });
    } else if (e.state === 'done' || e.state === 'cancel') {
      if (e.executedVolume === null || e.paidFee === null) {
        // Totals missing from the event: the next reconciliation reads them over REST.
        return;
      }
      const now = attemptState(journal, identifier);
      if (now === 'acked' || now === e.state) {
        journal.markTerminal(identifier, e.state, { executedVolume: e.executedVolume, executedFunds: e.executedFunds, paidFee: e.paidFee });
      }
    }
  } catch (error) {
    log.error({ err: describeError(error), uuid: e.uuid, identifier: e.identifier }, 'could not journal an order event');
  }
}

/** The journal's attempt for an exchange order, by identifier and then by uuid. */
export function attemptOf(journal: OrderJournal, order: { uuid: string; identifier: string | null }): AttemptDetail | undefined {
  return (order.identifier === null ? undefined : journal.attemptByIdentifier(order.identifier)) ?? journal.attemptByUuid(order.uuid);
}

export function attemptState(journal: OrderJournal, identifier: string): AttemptState | undefined {
  return journal.attemptByIdentifier(identifier)?.state;
}

function hasTrades(order: Order): order is OrderWithTrades {
  return Array.isArray((order as Partial<OrderWithTrades>).trades);
}

/**
 * Upbit's REST trades carry no fee; the order's `paid_fee` is the sum over its trades of a
 * fee proportional to each trade's funds. Split it in that proportion (to 1e-16 KRW) with the
 * last trade taking the remainder, so the fills' fees add up to `paid_fee` exactly. A fill
 * already journalled from `myOrder` keeps the exchange's own figure.
 */
export function feesOfTrades(paidFee: Decimal, trades: ReadonlyArray<{ funds: Decimal }>): Decimal[] {
  if (trades.length === 0) return [];
  const fee = toMoney(paidFee, 'paid fee');
  const funds = trades.map((t) => toMoney(t.funds, 'trade funds'));
  const total = funds.reduce((sum, f) => sum.plus(f), ZERO);
  if (total.isZero() || fee.isZero()) return trades.map(() => ZERO);
  const fees = funds.map((f) => fee.mul(f).div(total).toDecimalPlaces(16, Money.ROUND_DOWN));
  const allButLast = fees.slice(0, -1).reduce((sum, f) => sum.plus(f), ZERO);
  fees[fees.length - 1] = fee.minus(allButLast);
  return fees;
}
