/**
 * The focused-market view (src/ui/MarketView.tsx) from real slices fed with Upbit-shaped data:
 * what each body size shows, every line within the width, 10 levels a side at 80×24, the note
 * at small sizes, and a panel re-rendered only when its own slice publishes.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { render, cleanup } from 'ink-testing-library';
import { Profiler } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CandleSeries } from '../../src/trading/feed/candle-series.js';
import { OrderBooks } from '../../src/trading/feed/order-books.js';
import { TradeTapes } from '../../src/trading/feed/trade-tapes.js';
import { CHART_MIN, marketViewLayout } from '../../src/ui/market-layout.js';
import { MarketView } from '../../src/ui/MarketView.js';
import { OrderBookPanel } from '../../src/ui/OrderBookPanel.js';
import { fitLeft } from '../../src/ui/panel-text.js';
import { WAITING } from '../../src/ui/SlicePanel.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { TradeTapePanel } from '../../src/ui/TradeTapePanel.js';
import { withObservableColour } from './chalk-level.js';
import { frameLines, frameWhere, until } from './ink-helpers.js';
import { COLOUR_CASES, fixtureBook, fixtureCandles, fixtureTrades } from './market-fixtures.js';

const MARKET = 'KRW-BTC';

/** Let React and Ink finish whatever a flush started (as screen-frames.test.tsx does). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await nextTurn();
}

withObservableColour();
afterEach(() => {
  cleanup();
});

function fedSlices(): { books: OrderBooks; tapes: TradeTapes; candles: CandleSeries } {
  const books = new OrderBooks();
  const tapes = new TradeTapes();
  const candles = new CandleSeries();
  books.apply(fixtureBook(15));
  for (const t of fixtureTrades(40).reverse()) tapes.apply(t);
  for (const c of fixtureCandles(120)) candles.apply(c);
  books.flush();
  tapes.flush();
  candles.flush();
  return { books, tapes, candles };
}

/** Lines of the left `width` cells that are book levels: a price and a size. */
const levelRows = (lines: readonly string[], width: number): string[] => lines.map((l) => l.slice(0, width)).filter((l) => /^\s*[\d,]{9,} +\d+\.\d+/.test(l));

describe('marketViewLayout', () => {
  it('at 120×40: book on the left at its widest, tape and chart stacked on the right, nothing hidden', () => {
    const l = marketViewLayout(120, 40);
    expect(l.book).toEqual({ width: 56, height: 40 });
    expect(l.tape).toEqual({ width: 63, height: 18 });
    expect(l.chart).toEqual({ width: 63, height: 22 });
    expect((l.book?.width ?? 0) + l.gap + (l.chart?.width ?? 0)).toBe(120);
    expect(l.levels).toBe(19);
    expect(l.note).toBeNull();
  });

  it('at 80×24 (a body of 22 rows, or 21 with the frame’s spare row): 10 levels a side', () => {
    const l = marketViewLayout(80, 22);
    expect(l).toMatchObject({ book: { width: 40, height: 22 }, levels: 10, bookTitle: true, tape: { width: 39, height: 10 }, chart: { width: 39, height: 12 }, note: null });
    expect(marketViewLayout(80, 21)).toMatchObject({ levels: 10, bookTitle: false, tape: { height: 9 }, chart: { height: 12 }, note: null });
  });

  it('at 60×20: all three, narrower', () => {
    expect(marketViewLayout(60, 20)).toMatchObject({ book: { width: 30, height: 20 }, levels: 9, tape: { width: 29, height: 9 }, chart: { width: 29, height: 11 }, note: null });
  });

  it('below 60 columns or 16 rows: no chart, and a line that says so', () => {
    for (const [c, r] of [
      [CHART_MIN.columns - 1, 20],
      [80, CHART_MIN.rows - 1],
    ] as const) {
      const l = marketViewLayout(c, r);
      expect(l.chart).toBeNull();
      expect(l.tape).not.toBeNull();
      expect(l.note).toBe('chart hidden: terminal too small (needs 60×16)');
      expect(l.book?.height).toBe(r - 1);
    }
  });

  it('at 40×12: the book alone with fewer levels, and the note names what is hidden', () => {
    expect(marketViewLayout(40, 12)).toEqual({ book: { width: 40, height: 11 }, levels: 5, bookTitle: false, tape: null, chart: null, gap: 0, note: 'chart and trades hidden (needs 60×16)' });
  });

  it('too small for one level: only the note; nothing at all without rows', () => {
    expect(marketViewLayout(40, 3)).toMatchObject({ book: null, note: 'market view hidden (needs 60×16)' });
    expect(marketViewLayout(0, 0)).toMatchObject({ book: null, tape: null, chart: null, note: null });
  });
});

describe('MarketView', () => {
  it.each([
    [80, 22],
    [80, 21],
    [60, 20],
    [59, 20],
    [40, 12],
    [30, 6],
  ])('at %i×%i every line is within the width and the panels show what the layout says', async (columns, rows) => {
    const slices = fedSlices();
    const { lastFrame } = render(<MarketView market={MARKET} slices={slices} columns={columns} rows={rows} theme={themeFor('korean')} />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('spread'), 'the book');
    const lines = frameLines(frame);
    const layout = marketViewLayout(columns, rows);
    expect(lines.length).toBeLessThanOrEqual(rows);
    for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(columns);
    expect(levelRows(lines, layout.book?.width ?? 0)).toHaveLength(2 * layout.levels);
    expect(frame.includes('Trades')).toBe(layout.tape !== null);
    expect(frame.includes('1m chart')).toBe(layout.chart !== null);
    if (layout.note !== null) expect(lines.at(-1)?.trimEnd()).toBe(fitLeft(layout.note, columns).trimEnd());
  });

  it('shows at least 10 levels a side at 80×24', async () => {
    const { lastFrame } = render(<MarketView market={MARKET} slices={fedSlices()} columns={80} rows={22} theme={themeFor('korean')} />);
    const lines = frameLines(await frameWhere(lastFrame, (f) => f.includes('spread'), 'the book'));
    expect(lines[0]?.startsWith('Order book KRW-BTC')).toBe(true);
    const levels = levelRows(lines, 40);
    expect(levels.slice(0, 10).every((l) => l.trim().startsWith('32,30') || l.trim().startsWith('32,29'))).toBe(true);
    expect(levels).toHaveLength(20);
    expect(lines[11]?.startsWith('spread 6,000')).toBe(true);
  });

  it('lays out again on a resize', async () => {
    const slices = fedSlices();
    const theme = themeFor('korean');
    const { lastFrame, rerender } = render(<MarketView market={MARKET} slices={slices} columns={80} rows={22} theme={theme} />);
    await frameWhere(lastFrame, (f) => f.includes('1m chart'), 'the chart at 80×22');
    rerender(<MarketView market={MARKET} slices={slices} columns={40} rows={12} theme={theme} />);
    const small = frameLines(await frameWhere(lastFrame, (f) => f.includes('chart and trades hidden'), 'the note at 40×12'));
    expect(small.every((l) => textWidth(l) <= 40)).toBe(true);
    expect(levelRows(small, 40)).toHaveLength(10);
    rerender(<MarketView market={MARKET} slices={slices} columns={80} rows={22} theme={theme} />);
    await frameWhere(lastFrame, (f) => f.includes('1m chart') && !f.includes('hidden'), 'the chart again');
  });

  it('says it is waiting for data before the slices have any', async () => {
    const slices = { books: new OrderBooks(), tapes: new TradeTapes(), candles: new CandleSeries() };
    const { lastFrame } = render(<MarketView market={MARKET} slices={slices} columns={80} rows={22} theme={themeFor('korean')} />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('Order book'), 'the titles');
    expect(frame.split(WAITING)).toHaveLength(4);
    slices.books.apply(fixtureBook(15));
    slices.books.flush();
    await frameWhere(lastFrame, (f) => f.includes('spread') && f.split(WAITING).length === 3, 'the book in place of its waiting line');
  });

  it.each(COLOUR_CASES)('in %s the frame is coloured: %s', async (mode, coloured) => {
    const { lastFrame } = render(<MarketView market={MARKET} slices={fedSlices()} columns={80} rows={22} theme={themeFor(mode)} />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('spread'), 'the book');
    expect(frame.includes('\u001b[')).toBe(coloured);
  });
});

describe('re-renders', () => {
  it('the book panel does not re-render when only the tape publishes, and the tape does not for a book', async () => {
    const slices = fedSlices();
    const commits = { book: 0, tape: 0 };
    const theme = themeFor('korean');
    const { lastFrame } = render(
      <>
        <Profiler id="book" onRender={() => (commits.book += 1)}>
          <OrderBookPanel market={MARKET} source={slices.books.source(MARKET)} width={40} height={22} theme={theme} />
        </Profiler>
        <Profiler id="tape" onRender={() => (commits.tape += 1)}>
          <TradeTapePanel market={MARKET} source={slices.tapes.source(MARKET)} width={39} height={10} theme={theme} />
        </Profiler>
      </>,
    );
    await frameWhere(lastFrame, (f) => f.includes('spread') && f.includes('Trades'), 'both panels');
    const before = { ...commits };

    for (const t of fixtureTrades(3, MARKET, 100).reverse()) slices.tapes.apply(t);
    expect(slices.tapes.flush()).toBe(true);
    await until(() => commits.tape > before.tape, 'the tape to re-render');
    // Another market's book publishes nothing this panel reads.
    slices.books.apply(fixtureBook(15, 'KRW-ETH'));
    slices.books.flush();
    await settle();
    expect(commits.book).toBe(before.book);

    const tapeBefore = commits.tape;
    slices.books.apply({ ...fixtureBook(15), timestamp: 1 });
    slices.books.flush();
    await until(() => commits.book > before.book, 'the book to re-render');
    expect(commits.tape).toBe(tapeBefore);
  });
});
