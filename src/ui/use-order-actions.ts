/**
 * What the keys do to orders: the order `c` would cancel (in words, for the question), how
 * many `C` would cancel, how many open orders a market has (so `d` asks first), and carrying
 * out an answered question through the session's one order path. Outcomes go to the audit
 * trail (the `l` pane and its file); the orders store follows from the private stream.
 */
import { useMemo } from 'react';
import { describeError } from '../runtime/errors.js';
import { selectMyOpenOrders, selectOpenOrders, type OpenOrder } from '../trading/session/orders-store.js';
import type { UiActions } from './actions.js';
import { selectedOrder } from './orders-text.js';
import { formatMarketPrice, formatVolume } from './pane-lines.js';
import type { TradingView } from './trading-source.js';
import type { Question } from './ui-state.js';
import type { QuitGuard } from './use-key-router.js';

/** `buy 0.01 KRW-BTC at 1,000,000 (limit)`: an order as the question and the log say it. */
export function orderWords(o: OpenOrder): string {
  const side = o.side === 'bid' ? 'buy' : 'sell';
  const size = o.volume !== null ? formatVolume(o.remainingVolume ?? o.volume) : o.total !== null ? `${formatMarketPrice(o.market, o.total)} KRW of` : '';
  const at = o.price !== null ? ` at ${formatMarketPrice(o.market, o.price)}` : '';
  return `${side} ${size} ${o.market}${at} (${o.ordType})`.replace(/\s+/g, ' ');
}

export interface OrderActions {
  orderAt: (index: number) => { uuid: string; text: string } | null;
  myOpenCount: () => number;
  removeWarning: (market: string) => string | null;
  onAnswer: (q: Question) => void;
  /** Quitting with a session open; none before it opens (nothing can be open then). */
  quit?: QuitGuard;
}

/** How long the exit question's `c` waits for the cancels before the shutdown goes on (within the kernel's own deadlines). */
export const CANCEL_ON_EXIT_MS = 3_000;

export function useOrderActions(tv: TradingView | null, record: UiActions['record']): OrderActions {
  return useMemo(() => {
    const orders = () => tv?.orders.getSnapshot() ?? null;
    const say = (kind: 'cancel' | 'error', text: string, market?: string): void => record?.({ kind, text, ...(market === undefined ? {} : { market }) });
    const session = tv?.session;
    const quit: QuitGuard | undefined =
      session === undefined
        ? undefined
        : {
            stopNewOrders: () => {
              session.stopNewOrders();
              return session.myOpenOrders().length;
            },
            inFlight: () => session.inFlight(),
            cancelMine: async () => {
              let timer: NodeJS.Timeout | undefined;
              const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CANCEL_ON_EXIT_MS)));
              const done = session.cancelAllMine().then(
                (r) => {
                  say('cancel', `Quitting: cancelled ${r.cancelled.length} open order${r.cancelled.length === 1 ? '' : 's'} this app placed.`);
                  for (const f of r.failed) say('error', `Quitting: could not cancel ${f.uuid}: ${f.error}`);
                },
                (error: unknown) => say('error', `Quitting: could not cancel this app's orders (${describeError(error)}); they may still be open: check with upbit-tui orders.`),
              );
              await Promise.race([done, late]);
              clearTimeout(timer);
            },
          };
    return {
      ...(quit === undefined ? {} : { quit }),
      orderAt: (index) => {
        const snap = orders();
        const o = snap === null ? null : selectedOrder(snap, index);
        return o === null ? null : { uuid: o.uuid, text: orderWords(o) };
      },
      // By the journal as it is now, as quitting counts them: the store learns a new order is
      // this app's only at its next journal read, and C right after placing must not say none.
      myOpenCount: () => {
        if (session !== undefined) return session.myOpenOrders().length;
        const snap = orders();
        return snap === null ? 0 : selectMyOpenOrders(snap).length;
      },
      removeWarning: (market) => {
        // The one place that says why removing a market needs a yes first: the monitor's rules
        // on it (issue 11) are to be said here too, beside its open orders.
        const snap = orders();
        const n = snap === null ? 0 : selectOpenOrders(snap, market).length;
        return n === 0 ? null : `It has ${n} open order${n === 1 ? '' : 's'}, which stay${n === 1 ? 's' : ''} open on the exchange.`;
      },
      onAnswer: (q) => {
        const session = tv?.session;
        if (session === undefined) return;
        if (q.kind === 'cancel') {
          // The outcome is the audit trail's, whatever happens: never a floating promise.
          void session.cancel(q.uuid).then(
            () => say('cancel', `Cancel sent: ${q.text}.`),
            (error: unknown) => say('error', `Could not cancel ${q.text}: ${describeError(error)}`),
          );
        } else if (q.kind === 'cancel-all') {
          void session.cancelAllMine().then(
            (r) => {
              say('cancel', `Cancelled ${r.cancelled.length} open order${r.cancelled.length === 1 ? '' : 's'} this app placed.`);
              for (const f of r.failed) say('error', `Could not cancel ${f.uuid}: ${f.error}`);
            },
            (error: unknown) => say('error', `Could not cancel this app's orders: ${describeError(error)}`),
          );
        }
      },
    };
  }, [tv, record]);
}
