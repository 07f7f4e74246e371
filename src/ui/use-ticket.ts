/**
 * The order ticket's state while the ticket view is on top: opened for its market and side,
 * prefilled from the book, derived on every keystroke from the session's cached state
 * (./ticket-derive.ts: no network), and sent through the session's one order path exactly
 * once (./ticket-state.ts `stepTicket`). The key router offers it every key first (`take`).
 */
import type { Key } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from 'react';
import type { AccountSnapshot, ExternalStore } from '../trading/session/index.js';
import { selectBalance } from '../trading/session/account-store.js';
import { marketParts } from '../trading/rules.js';
import type { Orderbook } from '../upbit/types.js';
import { ordTypeOf, type OrderKind, type OrdType, type Side } from '../upbit/order-types.js';
import { placeResultText, refusalText } from './refusal-text.js';
import { deriveTicket, type TicketView } from './ticket-derive.js';
import { openTicket, stepTicket, ticketEvent, type TicketBalances, type TicketEvent, type TicketState } from './ticket-state.js';
import type { TradingView } from './trading-source.js';
import type { View } from './ui-state.js';

/** A book older than this is called stale in the ticket (its estimate may be off). */
export const BOOK_STALE_MS = 5_000;

export interface TicketDefaults {
  /** The config file's `orderType`: a market order is Upbit's `price` on a buy, `market` on a sell. @default 'limit' */
  orderType?: OrderKind;
  quickSizes?: readonly number[];
}

function ordTypeFor(setting: TicketDefaults['orderType'], side: Side): OrdType {
  return ordTypeOf(setting ?? 'limit', side);
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
  const target = top.kind === 'ticket' && trading !== null ? top : null;
  const ticketKey = target === null ? null : `${target.market} ${target.side} ${trading?.mode ?? ''}`;
  // The ticket opens in the render that shows it, not in an effect after it: a key that comes
  // right after b (a fast typist, a slow link) must find the ticket there, never the watchlist.
  // The ref is the truth (two keys in one tick must each see what the one before left); the
  // counter only asks React to draw it.
  const ref = useRef<{ key: string | null; state: TicketState | null }>({ key: null, state: null });
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  if (ref.current.key !== ticketKey) {
    const opened =
      target === null || trading === null
        ? null
        : openTicket({ market: target.market, side: target.side, mode: trading.mode, ordType: ordTypeFor(defaults.orderType, target.side), ...(defaults.quickSizes === undefined ? {} : { quickSizes: defaults.quickSizes }) });
    ref.current = { key: ticketKey, state: opened };
  }
  // Prefilled from the book (best ask for a buy, best bid for a sell) until the user touches the price.
  const best = book?.units[0];
  const current = ref.current.state;
  if (current !== null && best !== undefined && !current.priceTouched && current.phase === 'editing') {
    const next = stepTicket(current, { type: 'prefill', bid: best.bidPrice, ask: best.askPrice }).state;
    if (next.text.price !== current.text.price) ref.current.state = next;
  }
  const state = ref.current.state;
  const set = useCallback((next: TicketState | null) => {
    ref.current = { ...ref.current, state: next };
    redraw();
  }, []);

  useEffect(() => {
    // Fees, minimums and the tick from the exchange (once; the check uses Upbit's usual ones until then).
    if (target !== null) session?.prepare(target.market).catch(() => undefined);
    // Once per ticket: the key names it.
  }, [ticketKey]);

  const account = useSyncExternalStore((trading?.account ?? NO_ACCOUNT).subscribe, (trading?.account ?? NO_ACCOUNT).getSnapshot);

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
      const current = ref.current.state;
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
            const latest = ref.current.state;
            if (latest !== null) set(stepTicket(latest, { type: 'result', ok: result.status === 'acked', text }).state);
          },
          (error: unknown) => {
            const text = refusalText(error);
            onOutcome?.(text, false);
            const latest = ref.current.state;
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
