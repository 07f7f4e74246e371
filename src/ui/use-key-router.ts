/**
 * The one input hook of the screen: every key press goes through here, in this order:
 *
 * 1. a run of Ctrl+C bytes (two presses in one chunk on a slow link) interrupts once per press;
 * 2. an open overlay takes its keys (the search box is an input: text goes into it);
 * 3. a view that holds an input (the order ticket) is offered the key first;
 * 4. the key table (./keymap.ts), filtered to what is live where the user is.
 *
 * The live bindings it returns are what the footer and the help overlay list: one table for
 * the handler, the footer and help, so they cannot drift.
 */
import { useInput, useStdin, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { MarketInfo } from '../upbit/market-list.js';
import type { MarketCode } from '../upbit/types.js';
import { useActions } from './actions.js';
import { CTRL_C_RUN, isNo, isUnboundAltChord, isYes, keyOfChar } from './key-input.js';
import { activeBindings, resolveKey, type ActionId, type Binding, type Capability, type KeyTable } from './keymap.js';
import { listOf, topView, uiReducer, type ListKind, type Question, type UiEvent, type UiState, type View } from './ui-state.js';

export interface KeyRouterInput {
  table: KeyTable;
  ui: UiState;
  dispatch: (event: UiEvent) => void;
  has: Readonly<Record<Capability, boolean>>;
  /** Rows of a list now, for ↑/↓ (read when the key comes, so the lists need not re-render the screen). */
  count: (list: ListKind) => number;
  /** The order at the orders view's selection (what `c` would cancel), in words; null when none is there. */
  orderAt?: (index: number) => { uuid: string; text: string } | null;
  /** Open orders this app placed (what `C` would cancel). */
  myOpenCount?: () => number;
  /** The search overlay's results as shown (Enter adds the selected one). */
  searchResults: readonly MarketInfo[];
  /** The watchlist's market at this selection index, if any. */
  selectedMarket: (index: number) => MarketCode | undefined;
  /** Why removing `market` needs a yes first (its open orders, its rules), or null. */
  removeWarning?: (market: MarketCode) => string | null;
  /**
   * The order ticket, offered every key before the table while it is the top view; `take`
   * returns true when it took it, `isTyping` says whether a text field has focus (so text is
   * not a shortcut). Both for the view as the keys so far left it.
   */
  ticket?: { isTyping: (view: View) => boolean; take: (input: string, key: Key, view: View) => boolean };
  /** An answered question: do what it asked. */
  onAnswer?: (question: Question) => void;
  /** Quitting with a trading session: see {@link QuitGuard}. @default none: Ctrl+C and q quit at once */
  quit?: QuitGuard;
}

/** What quitting must settle first when there is a trading session. */
export interface QuitGuard {
  /** Refuse new orders from now on (Ctrl+C does so at once); returns how many open orders this app placed. */
  stopNewOrders(): number;
  /** Placements sent and not answered yet (q asks first while there are any). */
  inFlight(): number;
  /** Cancel this app's open orders (the exit question's `c`); settles, never rejects, within its own deadline. */
  cancelMine(): Promise<void>;
}

/** How long the exit question waits before it takes its default (leave the orders open). */
export const EXIT_QUESTION_MS = 5_000;

export function useKeyRouter(r: KeyRouterInput): readonly Binding[] {
  const actions = useActions();
  const { isRawModeSupported } = useStdin();
  // The UI state as the keys so far left it: React's (every render brings it up to date), ahead
  // of it between keys that come faster than React draws (each event goes through the same
  // pure reducer, then to React).
  const uiRef = useRef(r.ui);
  uiRef.current = r.ui;
  const send = useCallback((event: UiEvent): void => {
    uiRef.current = uiReducer(uiRef.current, event);
    latest.current.r.dispatch(event);
  }, []);
  const liveFor = useCallback(
    (cur: KeyRouterInput, ui: UiState): Binding[] => {
      const top = topView(ui);
      const typing = ui.overlay?.kind === 'search' || (top.kind === 'ticket' && (cur.ticket?.isTyping(top) ?? false));
      return activeBindings(cur.table, { view: top.kind, inInput: typing, rawMode: isRawModeSupported, has: cur.has });
    },
    [isRawModeSupported],
  );
  const view = topView(r.ui);
  const typingNow = view.kind === 'ticket' && (r.ticket?.isTyping(view) ?? false);
  const searching = r.ui.overlay?.kind === 'search';
  const active = useMemo(() => liveFor(r, r.ui), [liveFor, r.table, r.has, view.kind, searching, typingNow]);
  // The handler reads the latest input through a ref: Ink re-subscribes on every new handler.
  const latest = useRef({ r });
  latest.current = { r };

  const run = useCallback(
    (action: ActionId): void => {
      const cur = latest.current.r;
      const ui = uiRef.current;
      const top = topView(ui);
      const list = listOf(top.kind);
      const market = top.kind === 'market' || top.kind === 'ticket' ? top.market : cur.selectedMarket(ui.selected.watchlist);
      switch (action) {
        case 'interrupt': {
          // New orders are refused at once; this app's open orders get a question first.
          const open = cur.quit?.stopNewOrders() ?? 0;
          if (open === 0) return actions.interrupt();
          return send({ type: 'ask', question: { kind: 'exit', count: open, deadline: Date.now() + EXIT_QUESTION_MS } });
        }
        case 'quit': {
          const sending = cur.quit?.inFlight() ?? 0;
          if (sending === 0) return actions.quit();
          return send({ type: 'ask', question: { kind: 'quit-in-flight', count: sending } });
        }
        case 'back':
          return send({ type: 'back' });
        case 'help':
          return send({ type: 'help' });
        case 'search':
          return send({ type: 'search' });
        case 'up':
        case 'down':
          // The log reads bottom-up (newest last): ↑ scrolls back, into older entries.
          if (list === 'log') send({ type: 'move', list, delta: action === 'up' ? 1 : -1, count: cur.count(list) });
          else if (list !== null) send({ type: 'move', list, delta: action === 'up' ? -1 : 1, count: cur.count(list) });
          return;
        case 'focus':
          if (market !== undefined) send({ type: 'open', view: { kind: 'market', market } });
          return;
        case 'remove': {
          if (market === undefined || actions.removeMarket === undefined) return;
          const reason = cur.removeWarning?.(market) ?? null;
          if (reason === null) actions.removeMarket(market);
          else send({ type: 'ask', question: { kind: 'remove-market', market, reason } });
          return;
        }
        case 'buy':
        case 'sell':
          if (market !== undefined) send({ type: 'open', view: { kind: 'ticket', market, side: action === 'buy' ? 'bid' : 'ask' } });
          return;
        case 'orders':
        case 'portfolio':
        case 'log':
        case 'tasks':
          return send({ type: 'open', view: { kind: action } });
        case 'cancel': {
          const order = cur.orderAt?.(ui.selected.orders) ?? null;
          if (order !== null) send({ type: 'ask', question: { kind: 'cancel', uuid: order.uuid, text: order.text } });
          return;
        }
        case 'cancel-all': {
          const count = cur.myOpenCount?.() ?? 0;
          if (count > 0) send({ type: 'ask', question: { kind: 'cancel-all', count } });
          return;
        }
      }
    },
    [actions],
  );

  const handle = useCallback(
    (input: string, key: Key) => {
      const cur = latest.current.r;
      const live = liveFor(cur, uiRef.current);
      // Two Ctrl+C presses can reach us as one chunk ("\x03\x03") on a slow SSH link, and Ink
      // then reports the raw bytes instead of ctrl+c: count every press, so the second one
      // still forces the exit.
      if (CTRL_C_RUN.test(input)) {
        for (let i = 0; i < input.length; i++) actions.interrupt();
        return;
      }
      const overlay = uiRef.current.overlay;
      if (input === 'c' && key.ctrl) {
        // A second Ctrl+C while the exit question waits: quit now (the kernel's forced exit).
        if (overlay?.kind === 'ask' && overlay.question.kind === 'exit') {
          actions.interrupt();
          actions.interrupt();
          return;
        }
        return run('interrupt');
      }
      if (overlay?.kind === 'ask' && overlay.question.kind === 'exit') {
        if (key.return) {
          send({ type: 'close-overlay' });
          actions.interrupt();
        } else if (input === 'c' && !key.meta) {
          send({ type: 'close-overlay' });
          const guard = cur.quit;
          if (guard === undefined) actions.interrupt();
          else void guard.cancelMine().finally(() => actions.interrupt());
        }
        return;
      }
      if (overlay?.kind === 'ask' && overlay.question.kind === 'quit-in-flight') {
        if (isYes(input, key)) {
          send({ type: 'close-overlay' });
          actions.quit();
        } else if (isNo(input, key)) send({ type: 'close-overlay' });
        return;
      }
      if (overlay?.kind === 'ask') {
        if (isYes(input, key)) {
          send({ type: 'close-overlay' });
          cur.onAnswer?.(overlay.question);
          if (overlay.question.kind === 'remove-market') actions.removeMarket?.(overlay.question.market);
        } else if (isNo(input, key)) send({ type: 'close-overlay' });
        return;
      }
      if (overlay?.kind === 'search') {
        if (key.escape) return send({ type: 'back' });
        if (key.upArrow || key.downArrow) return send({ type: 'search-move', delta: key.upArrow ? -1 : 1, count: cur.searchResults.length });
        if (key.backspace || key.delete) return send({ type: 'search-erase' });
        if (key.return) {
          const chosen = cur.searchResults[overlay.selected];
          if (chosen !== undefined) actions.addMarket?.(chosen.market);
          return send({ type: 'close-overlay' });
        }
        // Text (pasted text too); control keys and Alt chords are not text.
        if (!key.ctrl && !key.meta && !key.tab && input !== '' && !/\p{C}/u.test(input)) send({ type: 'search-type', text: input });
        return;
      }
      if (overlay?.kind === 'help') {
        if (key.escape || input === '?') send({ type: 'close-overlay' });
        // The table's quit, through the same path as on the view: it asks while an order is being sent.
        else if (resolveKey(live, input, key) === 'quit') run('quit');
        return;
      }
      const top = topView(uiRef.current);
      if (top.kind === 'ticket' && cur.ticket?.take(input, key, top) === true) return;
      const action = resolveKey(live, input, key);
      if (action !== undefined) run(action);
    },
    [actions, run],
  );
  // The exit question takes its default (leave the orders, quit) when nobody answers.
  const exitDeadline = r.ui.overlay?.kind === 'ask' && r.ui.overlay.question.kind === 'exit' ? r.ui.overlay.question.deadline : null;
  useEffect(() => {
    if (exitDeadline === null) return undefined;
    const timer = setTimeout(() => actions.interrupt(), Math.max(0, exitDeadline - Date.now()));
    return () => clearTimeout(timer);
  }, [exitDeadline, actions]);
  // Several keys in one chunk ("b100" typed fast over a slow link: Ink hands a run of printable
  // characters over as one input) are taken one at a time, each after the screen has followed
  // the one before (b opens the ticket, then 100 goes into its price), in order with whatever
  // comes next. A run that reaches a text field goes into it whole, as a paste does.
  const queue = useRef<Array<{ input: string; key: Key; split: boolean }>>([]);
  const scheduled = useRef(false);
  const next = useCallback((): void => {
    const item = queue.current.shift();
    if (item === undefined) return;
    let input = item.input;
    const cur = latest.current.r;
    const ui = uiRef.current;
    const top = topView(ui);
    const typing = ui.overlay?.kind === 'search' || (top.kind === 'ticket' && (cur.ticket?.isTyping(top) ?? false));
    if (top.kind !== 'ticket' && isUnboundAltChord(item.input, item.key, liveFor(cur, ui))) {
      // Esc and the next key in one read (typed fast, or coalesced by a slow link): a
      // terminal's Alt+key is the same bytes, but no Alt chord is bound to it here, so it is
      // what was most likely typed: Esc now, then the key in its own turn, on the view Esc left.
      // The ticket reads its own Alt+digits (quick sizes, ticket-state.ts), so not there.
      const esc = keyOfChar('\x1b');
      const k = keyOfChar(item.input);
      queue.current.unshift({ input: k.input, key: k.key, split: false });
      handle(esc.input, esc.key);
      return;
    }
    if (item.split && typing) while (queue.current[0]?.split === true) input += queue.current.shift()?.input ?? '';
    handle(input, item.key);
  }, [handle, liveFor]);
  const pump = useCallback((): void => {
    scheduled.current = false;
    next();
    // Each later key in its own turn, after React drew what the one before changed.
    if (queue.current.length > 0) {
      scheduled.current = true;
      setImmediate(pump);
    }
  }, [next]);
  const onInput = useCallback(
    (input: string, key: Key) => {
      const chars = [...input];
      const several = chars.length > 1 && !key.ctrl && !key.meta && !CTRL_C_RUN.test(input);
      if (several) {
        for (const ch of chars) {
          const k = keyOfChar(ch);
          queue.current.push({ input: k.input, key: k.key, split: k.printable });
        }
      } else queue.current.push({ input, key, split: false });
      if (!scheduled.current) pump();
    },
    [pump],
  );
  // useInput enables raw mode, which throws on a non-TTY stdin; stay inactive there.
  useInput(onInput, { isActive: isRawModeSupported });
  return active;
}
