/**
 * The order ticket's state while the ticket view is on top: opened for its market and side,
 * prefilled from the book, derived on every keystroke from the session's cached state
 * (./ticket-derive.ts: no network), and sent through the session's one order path exactly
 * once (./ticket-state.ts `stepTicket`). The key router offers it every key first (`take`).
 */
import type { Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { AccountSnapshot, ExternalStore } from '../trading/session/index.js';
import { selectBalance } from '../trading/session/account-store.js';
import { marketParts } from '../trading/rules.js';
import type { Orderbook } from '../upbit/types.js';
import type { OrdType } from '../upbit/order-types.js';
import { placeResultText, refusalText } from './refusal-text.js';
import { deriveTicket, type TicketView } from './ticket-derive.js';
import { openTicket, stepTicket, ticketEvent, type TicketBalances, type TicketEvent, type TicketState } from './ticket-state.js';
import type { TradingView } from './trading-source.js';
import type { View } from './ui-state.js';

/** A book older than this is called stale in the ticket (its estimate may be off). */
export const BOOK_STALE_MS = 5_000;

export interface TicketDefaults {
  /** The config file's `orderType`: a market order is Upbit's `price` on a buy, `market` on a sell. @default 'limit' */
  orderType?: 'limit' | 'market' | 'best';
  quickSizes?: readonly number[];
}

function ordTypeFor(setting: TicketDefaults['orderType'], side: 'bid' | 'ask'): OrdType {
  if (setting === 'market') return side === 'bid' ? 'price' : 'market';
  return setting ?? 'limit';
}

export interface TicketHandle {
  state: TicketState | null;
  view: TicketView | null;
  /** A text field has focus: keys are text, not shortcuts. */
  inInput: boolean;
  take: (input: string, key: Key) => boolean;
}

const NO_ACCOUNT: ExternalStore<AccountSnapshot | null> = { subscribe: () => () => undefined, getSnapshot: () => null };

export interface UseTicketInput {
  top: View;
  trading: TradingView | null;
  book: Orderbook | undefined;
  defaults: TicketDefaults;
  /** Esc while editing: leave the ticket (the view stack's back). */
  close: () => void;
  /** The result or refusal, for the log pane too. */
  onOutcome?: (text: string, ok: boolean) => void;
  now?: () => number;
}

function balancesOf(account: AccountSnapshot | null, market: string): TicketBalances | undefined {
  const parts = marketParts(market);
  if (account === null || !account.loaded || parts === null) return undefined;
  return { quote: selectBalance(account, parts.quote).balance, base: selectBalance(account, parts.base).balance };
}

export function useTicket({ top, trading, book, defaults, close, onOutcome, now = Date.now }: UseTicketInput): TicketHandle {
  const session = trading?.session;
  const [state, setState] = useState<TicketState | null>(null);
  // Two keys in one chunk must each see the state the one before left.
  const ref = useRef<TicketState | null>(null);
  const set = useCallback((next: TicketState | null) => {
    ref.current = next;
    setState(next);
  }, []);
  const target = top.kind === 'ticket' && trading !== null ? top : null;
  const ticketKey = target === null ? null : `${target.market} ${target.side} ${trading?.mode ?? ''}`;

  useEffect(() => {
    if (target === null || trading === null) {
      if (ref.current !== null) set(null);
      return;
    }
    set(openTicket({ market: target.market, side: target.side, mode: trading.mode, ordType: ordTypeFor(defaults.orderType, target.side), ...(defaults.quickSizes === undefined ? {} : { quickSizes: defaults.quickSizes }) }));
    // Fees, minimums and the tick from the exchange (once; the check uses Upbit's usual ones until then).
    session?.prepare(target.market).catch(() => undefined);
    // Opened once per market, side and session: later renders of the same ticket keep what was
    // typed, so the effect is keyed by that text alone.
  }, [ticketKey]);

  const account = useSyncExternalStore((trading?.account ?? NO_ACCOUNT).subscribe, (trading?.account ?? NO_ACCOUNT).getSnapshot);
  // Prefill from the book until the user touches the price (the reducer ignores it after).
  const best = book?.units[0];
  useEffect(() => {
    const current = ref.current;
    if (current === null || best === undefined || current.priceTouched) return;
    const { state: next } = stepTicket(current, { type: 'prefill', bid: best.bidPrice, ask: best.askPrice });
    if (next !== current) set(next);
  }, [best, state?.market, set]);

  const view = useMemo(() => {
    if (state === null || session === undefined || trading === null) return null;
    const r = session.rules(state.market);
    return deriveTicket(state, {
      check: session.check,
      book,
      bookAgeMs: book === undefined ? undefined : Math.max(0, now() - book.timestamp),
      staleAfterMs: BOOK_STALE_MS,
      fee: state.side === 'bid' ? r.rules.bidFee : r.rules.askFee,
      available: balancesOf(account, state.market),
      mode: trading.mode,
      instruments: r.ticks,
    });
  }, [state, session, trading, book, account, now]);
  const viewRef = useRef(view);
  viewRef.current = view;

  const take = useCallback(
    (input: string, key: Key): boolean => {
      const current = ref.current;
      const env = viewRef.current;
      if (current === null || env === null || session === undefined) return false;
      const event: TicketEvent | null = ticketEvent(input, key, current, env);
      if (event === null) return false;
      if (event.type === 'close') {
        // While the order is in flight the ticket stays, so its outcome is seen.
        if (current.phase !== 'sending') close();
        return true;
      }
      const step = stepTicket(current, event);
      if (step.state !== current) set(step.state);
      const intent = step.place;
      if (intent !== null) {
        // The outcome comes back as the reducer's `result` event, whatever happens: never a floating promise.
        void session.place(intent).then(
          (result) => {
            const text = placeResultText(result);
            onOutcome?.(text, result.status === 'acked');
            const latest = ref.current;
            if (latest !== null) set(stepTicket(latest, { type: 'result', ok: result.status === 'acked', text }).state);
          },
          (error: unknown) => {
            const text = refusalText(error);
            onOutcome?.(text, false);
            const latest = ref.current;
            if (latest !== null) set(stepTicket(latest, { type: 'result', ok: false, text }).state);
          },
        );
      }
      return true;
    },
    [session, close, onOutcome, set],
  );

  return { state, view, inInput: state !== null && state.phase === 'editing', take };
}
