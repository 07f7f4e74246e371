/**
 * UI state that is not market data: the view stack (watchlist → focused market → ticket), the
 * overlay over it (help, search, a y/n question), and each list's selection. A small pure
 * reducer, so every transition is tested without rendering
 * (docs/architecture.md#high-rate-data-stays-out-of-react). The order ticket's own fields are
 * its own reducer (./ticket-state.ts).
 */
import type { Side } from '../upbit/order-types.js';
import type { MarketCode } from '../upbit/types.js';
import type { ViewKind } from './keymap.js';

export type View =
  | { readonly kind: 'watchlist' }
  | { readonly kind: 'market'; readonly market: MarketCode }
  | { readonly kind: 'ticket'; readonly market: MarketCode; readonly side: Side }
  | { readonly kind: 'orders' }
  | { readonly kind: 'portfolio' }
  | { readonly kind: 'log' }
  | { readonly kind: 'tasks' };

/** A question that waits for `y`/`n` (or Enter/Esc) before anything is done. */
export type Question =
  | { readonly kind: 'remove-market'; readonly market: MarketCode; readonly reason: string }
  | { readonly kind: 'cancel'; readonly uuid: string; readonly text: string }
  | { readonly kind: 'cancel-all'; readonly count: number }
  /** Ctrl+C with open orders this app placed: leave them (Enter, and after `deadline`), or cancel them (c). New orders are already refused. */
  | { readonly kind: 'exit'; readonly count: number; readonly deadline: number }
  /** q while an order is being sent. */
  | { readonly kind: 'quit-in-flight'; readonly count: number };

export type Overlay =
  | { readonly kind: 'help' }
  | { readonly kind: 'search'; readonly query: string; readonly selected: number }
  | { readonly kind: 'ask'; readonly question: Question };

/** The lists whose selection the state keeps (the view of the same name shows each). */
export type ListKind = 'watchlist' | 'orders' | 'portfolio' | 'log' | 'tasks';

export interface UiState {
  /** Never empty; the watchlist is always at the bottom, so Esc never leaves the app. */
  readonly stack: readonly [View, ...View[]];
  readonly overlay: Overlay | null;
  readonly selected: Readonly<Record<ListKind, number>>;
}

export type UiEvent =
  | { readonly type: 'open'; readonly view: View }
  /** Esc: close the overlay, else pop one view; at the watchlist, nothing. */
  | { readonly type: 'back' }
  | { readonly type: 'move'; readonly list: ListKind; readonly delta: number; readonly count: number }
  /** The list now has `count` rows: keep the selection on one of them. */
  | { readonly type: 'clamp'; readonly list: ListKind; readonly count: number }
  | { readonly type: 'select'; readonly list: ListKind; readonly index: number }
  | { readonly type: 'help' }
  | { readonly type: 'search' }
  | { readonly type: 'search-type'; readonly text: string }
  | { readonly type: 'search-erase' }
  | { readonly type: 'search-move'; readonly delta: number; readonly count: number }
  | { readonly type: 'ask'; readonly question: Question }
  | { readonly type: 'close-overlay' };

export const INITIAL_UI_STATE: UiState = {
  stack: [{ kind: 'watchlist' }],
  overlay: null,
  selected: { watchlist: 0, orders: 0, portfolio: 0, log: 0, tasks: 0 },
};

/** The view on top of the stack. */
export function topView(state: UiState): View {
  return state.stack[state.stack.length - 1] ?? state.stack[0];
}

/** The list the top view shows, whose selection ↑/↓ move. */
export function listOf(view: ViewKind): ListKind | null {
  return view === 'market' || view === 'ticket' ? null : view;
}

function sameView(a: View, b: View): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'market' && b.kind === 'market') return a.market === b.market;
  if (a.kind === 'ticket' && b.kind === 'ticket') return a.market === b.market && a.side === b.side;
  return true;
}

/** Panels reached from anywhere (o, p, l, t): one at a time, on top of what was open. */
const PANELS: ReadonlySet<View['kind']> = new Set(['orders', 'portfolio', 'log', 'tasks']);

function open(state: UiState, view: View): UiState {
  const top = topView(state);
  if (sameView(top, view) && state.overlay === null) return state;
  // A view already in the stack: back down to it (replacing it), so the stack never repeats.
  const at = state.stack.findIndex((v) => v.kind === view.kind);
  let base: View[];
  if (at > 0) base = state.stack.slice(0, at);
  else if (PANELS.has(top.kind) && PANELS.has(view.kind)) base = state.stack.slice(0, -1);
  else base = [...state.stack];
  const stack = (view.kind === 'watchlist' ? [view] : [...base, view]) as [View, ...View[]];
  return { ...state, stack, overlay: null };
}

function clampIndex(index: number, count: number): number {
  return count <= 0 ? 0 : Math.min(Math.max(0, index), count - 1);
}

function select(state: UiState, list: ListKind, index: number): UiState {
  return state.selected[list] === index ? state : { ...state, selected: { ...state.selected, [list]: index } };
}

/** The next state; the same object when nothing changes, so React skips the render. */
export function uiReducer(state: UiState, event: UiEvent): UiState {
  switch (event.type) {
    case 'open':
      return open(state, event.view);
    case 'back':
      if (state.overlay !== null) return { ...state, overlay: null };
      if (state.stack.length === 1) return state;
      return { ...state, stack: state.stack.slice(0, -1) as [View, ...View[]] };
    case 'move':
      return select(state, event.list, clampIndex(state.selected[event.list] + event.delta, event.count));
    case 'clamp':
      return select(state, event.list, clampIndex(state.selected[event.list], event.count));
    case 'select':
      return select(state, event.list, Math.max(0, event.index));
    case 'help':
      return state.overlay?.kind === 'help' ? state : { ...state, overlay: { kind: 'help' } };
    case 'search':
      return state.overlay?.kind === 'search' ? state : { ...state, overlay: { kind: 'search', query: '', selected: 0 } };
    case 'search-type':
      if (state.overlay?.kind !== 'search' || event.text === '') return state;
      return { ...state, overlay: { kind: 'search', query: state.overlay.query + event.text, selected: 0 } };
    case 'search-erase': {
      if (state.overlay?.kind !== 'search' || state.overlay.query === '') return state;
      return { ...state, overlay: { kind: 'search', query: [...state.overlay.query].slice(0, -1).join(''), selected: 0 } };
    }
    case 'search-move': {
      if (state.overlay?.kind !== 'search') return state;
      const selected = clampIndex(state.overlay.selected + event.delta, event.count);
      return selected === state.overlay.selected ? state : { ...state, overlay: { ...state.overlay, selected } };
    }
    case 'ask':
      return { ...state, overlay: { kind: 'ask', question: event.question } };
    case 'close-overlay':
      return state.overlay === null ? state : { ...state, overlay: null };
  }
}
