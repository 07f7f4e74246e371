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
  /** A text field of the ticket of `view` has focus: keys are text, not shortcuts. As of the keys so far, not the last render. */
  isTyping: (view: View) => boolean;
  /** Offer a key to the ticket of `view` (opened for it if need be); true when it took it. */
  take: (input: string, key: Key, view: View) => boolean;
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
  const opening = useRef({ trading, defaults });
  opening.current = { trading, defaults };
  /** The ticket of `view` (opened now if it is not the one held): from the render, or from a key that came first. */
  const ensure = useCallback((view: View): TicketState | null => {
    const { trading: tv, defaults: d } = opening.current;
    const t = view.kind === 'ticket' && tv !== null ? view : null;
    const key = t === null ? null : `${t.market} ${t.side} ${tv?.mode ?? ''}`;
    if (ref.current.key !== key) {
      const opened =
        t === null || tv === null ? null : openTicket({ market: t.market, side: t.side, mode: tv.mode, ordType: ordTypeFor(d.orderType, t.side), ...(d.quickSizes === undefined ? {} : { quickSizes: d.quickSizes }) });
      ref.current = { key, state: opened };
    }
    return ref.current.state;
  }, []);
  ensure(top);
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

  // What the derivation reads besides the ticket, as of the last render: a key is derived
  // against the ticket as the keys before it left it (the ref), never a view React has not
  // drawn yet (Enter right after the volume, in one chunk, reviews that volume).
  const inputs = useRef({ session, trading, book, account, now });
  inputs.current = { session, trading, book, account, now };
  const derive = useCallback((t: TicketState | null): TicketView | null => {
    const { session: s, trading: tv, book: b, account: a, now: clock } = inputs.current;
    if (t === null || s === undefined || tv === null) return null;
    const r = s.rules(t.market);
    return deriveTicket(t, {
      check: s.check,
      book: b,
      bookAgeMs: b === undefined ? undefined : Math.max(0, clock() - b.timestamp),
      staleAfterMs: BOOK_STALE_MS,
      fee: t.side === 'bid' ? r.rules.bidFee : r.rules.askFee,
      available: balancesOf(a, t.market),
      mode: tv.mode,
      instruments: r.ticks,
    });
  }, []);
  // The inputs are listed so a new book or balance re-derives; derive reads them from the ref.
  const view = useMemo(() => derive(state), [derive, state, session, trading, book, account, now]);

  const take = useCallback(
    (input: string, key: Key, view: View): boolean => {
      const current = ensure(view);
      const env = derive(current);
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
    [session, close, onOutcome, set, derive, ensure],
  );
  const isTyping = useCallback((view: View): boolean => ensure(view)?.phase === 'editing', [ensure]);

  return { state, view, isTyping, take };
}
