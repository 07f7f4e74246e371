import { describe, expect, it } from 'vitest';
import { INITIAL_UI_STATE, topView, uiReducer, type UiEvent, type UiState } from '../../src/ui/ui-state.js';

const run = (events: readonly UiEvent[], from: UiState = INITIAL_UI_STATE): UiState => events.reduce(uiReducer, from);
const kinds = (s: UiState): string[] => s.stack.map((v) => v.kind);

describe('the view stack', () => {
  it('starts on the watchlist, with nothing over it', () => {
    expect(kinds(INITIAL_UI_STATE)).toEqual(['watchlist']);
    expect(INITIAL_UI_STATE.overlay).toBeNull();
  });

  it('goes watchlist → focused market → ticket, and Esc walks back one level at a time, never past the watchlist', () => {
    const deep = run([
      { type: 'open', view: { kind: 'market', market: 'KRW-BTC' } },
      { type: 'open', view: { kind: 'ticket', market: 'KRW-BTC', side: 'bid' } },
    ]);
    expect(kinds(deep)).toEqual(['watchlist', 'market', 'ticket']);
    const back1 = uiReducer(deep, { type: 'back' });
    expect(topView(back1)).toEqual({ kind: 'market', market: 'KRW-BTC' });
    const back2 = uiReducer(back1, { type: 'back' });
    expect(kinds(back2)).toEqual(['watchlist']);
    expect(uiReducer(back2, { type: 'back' })).toBe(back2);
  });

  it('keeps one panel at a time on top of what was open, and back returns to it', () => {
    const s = run([
      { type: 'open', view: { kind: 'market', market: 'KRW-ETH' } },
      { type: 'open', view: { kind: 'orders' } },
      { type: 'open', view: { kind: 'portfolio' } },
      { type: 'open', view: { kind: 'log' } },
    ]);
    expect(kinds(s)).toEqual(['watchlist', 'market', 'log']);
    expect(topView(uiReducer(s, { type: 'back' }))).toEqual({ kind: 'market', market: 'KRW-ETH' });
  });

  it('never repeats a view: opening one already in the stack goes back down to it', () => {
    const s = run([
      { type: 'open', view: { kind: 'market', market: 'KRW-BTC' } },
      { type: 'open', view: { kind: 'orders' } },
      { type: 'open', view: { kind: 'market', market: 'KRW-ETH' } },
    ]);
    expect(s.stack).toEqual([{ kind: 'watchlist' }, { kind: 'market', market: 'KRW-ETH' }]);
  });

  it('returns the same state when nothing changes, so React skips the render', () => {
    const orders = run([{ type: 'open', view: { kind: 'orders' } }]);
    expect(uiReducer(orders, { type: 'open', view: { kind: 'orders' } })).toBe(orders);
    expect(uiReducer(INITIAL_UI_STATE, { type: 'close-overlay' })).toBe(INITIAL_UI_STATE);
    expect(uiReducer(INITIAL_UI_STATE, { type: 'move', list: 'watchlist', delta: -1, count: 5 })).toBe(INITIAL_UI_STATE);
  });
});

describe('overlays', () => {
  it('Esc closes the overlay before it pops a view', () => {
    const s = run([{ type: 'open', view: { kind: 'market', market: 'KRW-BTC' } }, { type: 'help' }]);
    const closed = uiReducer(s, { type: 'back' });
    expect(closed.overlay).toBeNull();
    expect(kinds(closed)).toEqual(['watchlist', 'market']);
  });

  it('search takes text, erases whole characters (Hangul too), and keeps its selection in range', () => {
    let s = run([{ type: 'search' }, { type: 'search-type', text: '비트' }, { type: 'search-type', text: 'x' }]);
    expect(s.overlay).toEqual({ kind: 'search', query: '비트x', selected: 0 });
    s = run([{ type: 'search-erase' }, { type: 'search-erase' }], s);
    expect(s.overlay).toEqual({ kind: 'search', query: '비', selected: 0 });
    s = run([{ type: 'search-move', delta: 5, count: 3 }], s);
    expect(s.overlay).toMatchObject({ selected: 2 });
    s = run([{ type: 'search-type', text: 't' }], s);
    expect(s.overlay).toMatchObject({ query: '비t', selected: 0 });
  });

  it('opening a view closes the overlay', () => {
    const s = run([{ type: 'search' }, { type: 'open', view: { kind: 'market', market: 'KRW-XRP' } }]);
    expect(s.overlay).toBeNull();
  });

  it('a question waits over the view until answered or Esc', () => {
    const s = run([{ type: 'open', view: { kind: 'orders' } }, { type: 'ask', question: { kind: 'cancel-all', count: 2 } }]);
    expect(s.overlay).toEqual({ kind: 'ask', question: { kind: 'cancel-all', count: 2 } });
    expect(uiReducer(s, { type: 'back' }).overlay).toBeNull();
  });
});

describe('selection', () => {
  it('moves within the list and is clamped when the list shrinks', () => {
    let s = run([{ type: 'move', list: 'orders', delta: 1, count: 3 }, { type: 'move', list: 'orders', delta: 1, count: 3 }, { type: 'move', list: 'orders', delta: 1, count: 3 }]);
    expect(s.selected.orders).toBe(2);
    s = uiReducer(s, { type: 'clamp', list: 'orders', count: 1 });
    expect(s.selected.orders).toBe(0);
    expect(s.selected.watchlist).toBe(0);
  });
});
