/**
 * The console's views from the keyboard against the built-in exchange
 * (test/fixtures/app/console-harness.tsx): Enter focuses a market (its book and trade tape
 * move, the chart has its REST history and goes on with the live candles), o lists the order
 * placed through the ticket, c asks and cancels it, p shows the portfolio, l shows the run's
 * audit trail, ? lists exactly the live keys of each view, and Esc walks back one level at a
 * time.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { activeBindings, DEFAULT_KEYS, keyLabel, VIEW_PLACES, type ViewKind } from '../../src/ui/keymap.js';
import { TICKET_KEYS } from '../../src/ui/ticket-state.js';
import { selectOpenOrders } from '../../src/trading/session/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { frameLines, frameWhere, until } from '../ui/ink-helpers.js';
import { KEYS, openConsole, type ConsoleHarness } from '../fixtures/app/console-harness.js';

let c: ConsoleHarness | null = null;
afterEach(async () => {
  cleanup();
  await c?.close();
  c = null;
});

const pricedTable = (f: string): boolean => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f);

/** The lines of the book panel's left column (the book is drawn first on each line). */
const bookPart = (frame: string): string => frameLines(frame).map((l) => l.slice(0, 40)).join('\n');

describe('the console views, against the embedded exchange', () => {
  it('Enter focuses the selected market: a book of 10 levels a side, a trade tape, a chart; both move; Esc returns', async () => {
    c = await openConsole(['KRW-BTC', 'KRW-ETH'], { columns: 80, rows: 24 });
    await frameWhere(c.app.lastFrame, pricedTable, 'prices');
    await c.type(KEYS.enter);
    const first = await frameWhere(c.app.lastFrame, (f) => /spread/.test(f) && !f.includes('waiting'), 'the book and the tape');
    // 10 asks above the spread line, 10 bids below it, at 80×24.
    const lines = frameLines(first);
    const spreadAt = lines.findIndex((l) => l.includes('spread'));
    expect(spreadAt).toBeGreaterThanOrEqual(10);
    expect(lines.length - spreadAt - 1).toBeGreaterThanOrEqual(10 + 2);
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const later = await frameWhere(c.app.lastFrame, (f) => bookPart(f) !== bookPart(first) || f !== first, 'the book or tape to move');
    expect(later).toContain('spread');
    // The chart's history came over REST: more than the live minute.
    await waitFor(() => (c!.feed.candles.source('KRW-BTC', '1m').getSnapshot()?.length ?? 0) > 10, 'the 1-minute history');
    await c.type(KEYS.esc);
    await frameWhere(c.app.lastFrame, (f) => pricedTable(f) && !f.includes('spread'), 'the watchlist');
  });

  it('the chart continues live after its REST history: a new trade far above moves its price axis and its plot', async () => {
    c = await openConsole(['KRW-BTC'], { sim: { seed: 23 }, columns: 100, rows: 30 });
    await frameWhere(c.app.lastFrame, pricedTable, 'prices');
    await c.type(KEYS.enter);
    await waitFor(() => (c!.feed.candles.source('KRW-BTC', '1m').getSnapshot()?.length ?? 0) > 10, 'the 1-minute history');
    /** The chart's part of the screen: right of the book, from under its title to its time axis. */
    const chartOf = (frame: string): string[] => {
      const lines = frameLines(frame);
      const at = lines.findIndex((l) => l.includes('1m chart'));
      const col = lines[at]?.indexOf('1m chart') ?? -1;
      if (at < 0 || col < 0) return [];
      const rows = lines.slice(at + 1).map((l) => l.slice(col));
      const axis = rows.findIndex((l) => /^\d\d:\d\d/.test(l));
      return axis < 0 ? [] : rows.slice(0, axis);
    };
    /** The axis's top label: the highest close shown. */
    const top = (frame: string): number | null => {
      const m = /(\d{1,3}(?:,\d{3})+)\s*$/.exec(chartOf(frame)[0] ?? '');
      return m?.[1] === undefined ? null : Number(m[1].replaceAll(',', ''));
    };
    const before = await frameWhere(c.app.lastFrame, (f) => top(f) !== null && chartOf(f).length > 3, 'the chart drawn from the history');
    const was = top(before) ?? 0;
    /** The plotted area, its axis labels left out. */
    const plot = (frame: string): string => chartOf(frame).map((l) => l.replace(/\s*\d{1,3}(,\d{3})+\s*$/, '').trimEnd()).join('\n');
    const price = Math.round((c.feed.candles.source('KRW-BTC', '1m').getSnapshot()?.at(-1)?.close ?? was) * 1.5);
    c.sim?.engine.scriptTrade('KRW-BTC', price);
    // Upbit (and the simulator) send a candle at most once a second.
    const after = await until(() => {
      const f = c!.app.lastFrame();
      return f !== undefined && (top(f) ?? 0) >= price * 0.99 ? f : undefined;
    }, 'the new high on the chart\'s axis', 6000);
    expect(top(after)).toBeGreaterThan(was * 1.4);
    expect(plot(after)).not.toBe(plot(before));
    // The live candle is the newest of the history's minutes, not a second series.
    expect(c.feed.candles.source('KRW-BTC', '1m').getSnapshot()?.at(-1)?.close).toBeGreaterThanOrEqual(price * 0.99);
  });

  it('o lists the order the ticket placed; c asks, y cancels it; the log pane has both', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, pricedTable, 'prices');
    await c.type(`b${KEYS.ctrlU}1000000${KEYS.tab}0.01${KEYS.enter}`);
    await frameWhere(c.app.lastFrame, (f) => f.includes('Press y to send'), 'the confirmation');
    await c.type('y');
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot())[0], 'the order open');
    await c.type(`${KEYS.esc}o`);
    const orders = await frameWhere(c.app.lastFrame, (f) => /1,000,000/.test(f) && /KRW-BTC|BTC\/KRW/.test(f), 'the order in Orders');
    expect(orders).toMatch(/buy|bid/i);
    await c.type('c');
    await frameWhere(c.app.lastFrame, (f) => /Cancel buy 0\.01 KRW-BTC at 1,000,000/.test(f), 'the question');
    await c.type('y');
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot()).length === 0, 'the order cancelled');
    await c.type('l');
    const log = await frameWhere(c.app.lastFrame, (f) => /Cancelled: buy 0\.01 KRW-BTC/.test(f), 'the log pane');
    expect(log).toMatch(/Open: buy 0\.01 KRW-BTC at 1,000,000 \(limit\), placed here\./);
    expect(log).toContain('Cancel sent: buy 0.01 KRW-BTC at 1,000,000 (limit).');
  });

  it('Esc and a key in one read (a slow link) are the two keys, not an Alt chord; in the ticket Alt+1 stays a quick size', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, pricedTable, 'prices');
    await c.type(KEYS.enter);
    await frameWhere(c.app.lastFrame, (f) => f.includes('spread'), 'the focused market');
    // One write: Ink reads it as Alt+o.
    c.app.stdin.write(`${KEYS.esc}o`);
    await frameWhere(c.app.lastFrame, (f) => /^ORDERS|open orders/im.test(f) && !f.includes('spread'), 'Orders, over the watchlist');
    await c.type(KEYS.esc);
    await frameWhere(c.app.lastFrame, (f) => pricedTable(f) && !/^ORDERS/m.test(f), 'the watchlist');
    await c.type('b');
    await frameWhere(c.app.lastFrame, (f) => f.includes('BUY BTC/KRW'), 'the ticket');
    c.app.stdin.write(`${KEYS.esc}1`);
    const sized = await frameWhere(c.app.lastFrame, (f) => /Volume +0\.\d+/.test(f), 'a quarter of the funds as the volume');
    expect(sized).toContain('BUY BTC/KRW');
  });

  it('p shows the portfolio with KRW and its total', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, pricedTable, 'prices');
    await c.type('p');
    const frame = await frameWhere(c.app.lastFrame, (f) => /KRW/.test(f) && /10,000,000/.test(f) && /total/i.test(f), 'the portfolio');
    expect(frame).toMatch(/10,000,000/);
  });

  /** How each view is reached from the watchlist, and what its help's title calls it. */
  const VIEWS: ReadonlyArray<{ view: ViewKind; keys: string; ready: (f: string) => boolean }> = [
    { view: 'watchlist', keys: '', ready: pricedTable },
    { view: 'market', keys: KEYS.enter, ready: (f) => f.includes('spread') },
    { view: 'orders', keys: 'o', ready: (f) => /^OPEN ORDERS/m.test(f) },
    // The ticket's fields are inputs (? is text there): its help is read at the review.
    { view: 'ticket', keys: `b${KEYS.ctrlU}1000000${KEYS.tab}0.01${KEYS.enter}`, ready: (f) => f.includes('Press y to send') },
  ];

  it.each(VIEWS)('? on $view lists exactly the keys live there, from the table the router uses', async ({ view, keys, ready }) => {
    c = await openConsole(['KRW-BTC'], { columns: 100, rows: 40 });
    await frameWhere(c.app.lastFrame, pricedTable, 'prices');
    await c.type(keys);
    await frameWhere(c.app.lastFrame, ready, `the ${view} view`);
    await c.type('?');
    const title = `Keys on ${VIEW_PLACES[view]} (Esc or ? closes)`;
    const help = await frameWhere(c.app.lastFrame, (f) => f.startsWith(title), 'help');
    const live = activeBindings(DEFAULT_KEYS, { view, inInput: false, rawMode: true, has: { trading: true, tasks: false, market: true, log: true } });
    const expected = [...(view === 'ticket' ? TICKET_KEYS.map((k) => ({ keys: k.keys, text: k.description })) : []), ...live.map((b) => ({ keys: b.specs.map(keyLabel).join(', '), text: b.description }))];
    // The overlay's lines: from under its title to the status line.
    const lines = frameLines(help);
    const end = lines.findIndex((l) => l.startsWith('SIM ·'));
    expect(end).toBeGreaterThan(0);
    const listed = lines.slice(1, end).map((l) => {
      const [k = '', ...text] = l.split(/\s{2,}/);
      return { keys: k, text: text.join('  ') };
    });
    expect(listed.map((e) => e.keys)).toEqual(expected.map((e) => e.keys));
    listed.forEach((e, n) => expect(e.text.startsWith(expected[n]?.text ?? '\u0000')).toBe(true));
    expect(help).not.toMatch(/^\+\d+ more/m);
    await c.type(KEYS.esc);
    await frameWhere(c.app.lastFrame, (f) => !f.startsWith(title) && ready(f), 'help closed, the view under it again');
  });
});
