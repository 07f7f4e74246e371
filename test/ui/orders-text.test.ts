/** The orders pane's lines: exact widths, side colours per theme, the selection (inverse or `>`), scrolling and "+N more". */
import { describe, expect, it } from 'vitest';

import { OrdersStore, type OrdersSnapshot } from '../../src/trading/session/index.js';
import { lineText } from '../../src/ui/pane-lines.js';
import { ordersLines, ordersRowsFor, placedHere, selectableOrders, selectedOrder, type OrdersView } from '../../src/ui/orders-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { fillEvent, intent, orderEvent } from './pane-fixtures.js';

const NOW = 1_700_000_100_000;

/** `n` open orders (o0 newest), the even ones this app's (o2 placed by the CLI, the rest by the TUI), and `fills` fills. */
function snapshot(n: number, fills = 0): OrdersSnapshot {
  const store = new OrdersStore();
  const intents = [];
  for (let i = 0; i < n; i++) {
    const mine = i % 2 === 0;
    store.applyEvent(orderEvent(`o${i}`, 'wait', { side: i % 3 === 0 ? 'ask' : 'bid', identifier: mine ? `id-${i}` : null, at: NOW - 60_000 - i * 1000, executed: i === 1 ? '0.0001' : '0' }));
    if (mine) intents.push(intent(`id-${i}`, 'acked', { uuid: `o${i}`, source: i === 2 ? 'cli' : 'ui' }));
  }
  store.applyJournal(intents);
  store.applySync([]);
  for (let i = 0; i < n; i++) store.applyEvent(orderEvent(`o${i}`, 'wait', { side: i % 3 === 0 ? 'ask' : 'bid', identifier: i % 2 === 0 ? `id-${i}` : null, at: NOW - 60_000 - i * 1000, executed: i === 1 ? '0.0001' : '0' }));
  for (let i = 0; i < fills; i++) {
    store.applyEvent(fillEvent(`done-${i}`, `t${i}`, { price: '50000000', volume: '0.0001', fee: '2.5', at: NOW - i * 1000 }));
    store.applyEvent(orderEvent(`done-${i}`, 'done'));
  }
  store.close();
  return store.getSnapshot();
}

const view = (over: Partial<OrdersView> = {}): OrdersView => ({ width: 90, height: 20, selected: 0, now: NOW, theme: themeFor('korean'), ...over });

describe('orders pane lines', () => {
  it('lists open orders newest first with who placed them, then the fills; every line exactly the width', () => {
    const s = snapshot(3, 2);
    for (const width of [90, 80, 60, 40]) {
      const { lines } = ordersLines(s, view({ width }));
      for (const l of lines) expect(textWidth(lineText(l)), `${width}: ${lineText(l)}`).toBe(width);
    }
    const text = ordersLines(s, view()).lines.map(lineText);
    expect(text[0]).toMatch(/^OPEN ORDERS 3 · 2 by upbit-tui +$/);
    expect(text[1]).toMatch(/^ BY +MARKET +SIDE +TYPE +PRICE +VOLUME +FILLED +STATE +AGE +$/);
    expect(text[2]).toMatch(/^ tui +BTC\/KRW +SELL +limit +50,000,000 +0\.0002 +0% +wait +1m +$/);
    expect(text[3]).toMatch(/^ other +BTC\/KRW +BUY +limit +50,000,000 +0\.0002 +50% +wait/);
    expect(text[4]).toMatch(/^ cli +BTC\/KRW +BUY +limit /);
    expect(text[5]).toMatch(/^RECENT FILLS 2/);
    expect(text[6]).toMatch(/^ TIME +MARKET +SIDE +PRICE +VOLUME +FEE/);
    expect(text[7]).toMatch(/^ \d\d:\d\d:\d\d +BTC\/KRW +BUY +50,000,000 +0\.0001 +2\.5 +$/);
    expect(selectableOrders(s).map((o) => o.uuid)).toEqual(['o0', 'o1', 'o2']);
    // The App's index maps to the row drawn, clamped the same way.
    expect([selectedOrder(s, 1)?.uuid, selectedOrder(s, 9)?.uuid, selectedOrder(s, -1)?.uuid, selectedOrder(snapshot(0), 0)]).toEqual(['o1', 'o2', 'o0', null]);
    expect(selectableOrders(s).map((o) => placedHere(s, o))).toEqual([true, false, true]);
  });

  it('colours the side by convention (buy is a rise colour), and uses no colour in none', () => {
    const s = snapshot(2);
    const sideRun = (mode: 'korean' | 'global' | 'none', row: number) => ordersLines(s, view({ theme: themeFor(mode) })).lines[row]?.runs.find((r) => /BUY|SELL/.test(r.text));
    expect([sideRun('korean', 2)?.color, sideRun('korean', 3)?.color]).toEqual(['blueBright', 'red']);
    expect([sideRun('global', 2)?.color, sideRun('global', 3)?.color]).toEqual(['red', 'green']);
    const none = ordersLines(s, view({ theme: themeFor('none') })).lines;
    expect(none.flatMap((l) => l.runs).every((r) => r.color === undefined)).toBe(true);
    expect(none.some((l) => l.bold || l.inverse)).toBe(false);
  });

  it('highlights the selected row inverse with colour, with a > in none; clamped; none at all when null', () => {
    const s = snapshot(3);
    const rows = (v: OrdersView) => ordersLines(s, v).lines.slice(2, 5);
    expect(rows(view({ selected: 1 })).map((l) => l.inverse)).toEqual([false, true, false]);
    expect(rows(view({ selected: 1 })).map((l) => lineText(l)[0])).toEqual([' ', ' ', ' ']);
    const none = rows(view({ selected: 1, theme: themeFor('none') }));
    expect([none.map((l) => l.inverse), none.map((l) => lineText(l)[0])]).toEqual([[false, false, false], [' ', '>', ' ']]);
    expect(ordersLines(s, view({ selected: 99 })).selected).toBe(2);
    expect(ordersLines(s, view({ selected: -4 })).selected).toBe(0);
    const off = ordersLines(s, view({ selected: null }));
    expect([off.selected, off.lines.some((l) => l.inverse)]).toEqual([-1, false]);
  });

  it('scrolls so the selection stays in view, with a "+N more" line, and never passes the height', () => {
    const s = snapshot(12, 4);
    for (const height of [3, 5, 8, 11, 30]) for (const selected of [0, 5, 11]) expect(ordersLines(s, view({ height, selected })).lines.length).toBeLessThanOrEqual(height);
    const at = (selected: number) => ordersLines(s, view({ height: 10, selected })).lines.map(lineText);
    const uuids = (selected: number) => at(selected).filter((t) => /^ (tui|cli|other) /.test(t)).length;
    expect(ordersRowsFor(10, 12, 4)).toEqual({ openRows: 3, fillRows: 3, showFills: true });
    expect(uuids(0)).toBe(2);
    expect(at(0)[4]).toMatch(/^\+10 more \(↑\/↓ to scroll\) +$/);
    // The selected row is the last shown when it is below the first window.
    const lines = ordersLines(s, view({ height: 10, selected: 11 })).lines;
    const selectedLine = lines.find((l) => l.inverse);
    expect(selectedLine?.key).toBe('open-o11');
    expect(lines.at(-1)?.key).toBe('fills-more');
  });

  it('says none, loading, and a failing read', () => {
    expect(ordersLines(snapshot(0), view()).lines.map(lineText)[2]?.trim()).toBe('none');
    const loading = { ...snapshot(0), loaded: false };
    expect(lineText(ordersLines(loading, view()).lines[0]!)).toMatch(/^OPEN ORDERS 0 · 0 by upbit-tui · loading…/);
    expect(lineText(ordersLines({ ...loading, syncError: 'down' }, view()).lines[0]!)).toContain('cannot be read yet (retrying)');
  });

  it('shares a short pane: open orders first, fills dropped when there is no room', () => {
    expect(ordersRowsFor(2, 5, 5)).toEqual({ openRows: 0, fillRows: 0, showFills: false });
    expect(ordersRowsFor(5, 5, 5)).toEqual({ openRows: 3, fillRows: 0, showFills: false });
    expect(ordersRowsFor(40, 5, 5)).toEqual({ openRows: 5, fillRows: 5, showFills: true });
    expect(ordersRowsFor(6, 0, 0)).toEqual({ openRows: 1, fillRows: 0, showFills: true });
  });
});
