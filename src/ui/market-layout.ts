/**
 * Where the focused market's panels go in the body area (the terminal less the App's status
 * and key lines). Pure, so each terminal size is tested without rendering.
 *
 * Wide and tall enough: the book on the left, full height; the trade tape and the chart stacked
 * on the right. Smaller: no chart, then no tape, then fewer book levels, and one line that says
 * what is hidden and what size would show it, rather than garbled panels.
 */
import { bookFit } from './book-text.js';

/** The chart is drawn from this body size up. */
export const CHART_MIN = { columns: 60, rows: 16 } as const;
/** Below this width the book and the tape do not both fit side by side: the book alone. */
export const TAPE_MIN_COLUMNS = 48;
/** The book at its widest; the rest goes to the tape and the chart. */
const BOOK_MAX_WIDTH = 56;
/** Rows the chart takes of the right column, at least 8 (title, 6 rows of plot, time axis). */
const CHART_SHARE = 0.55;
const CHART_MIN_ROWS = 8;

export interface PanelBox {
  width: number;
  /** Rows, the panel's title included. */
  height: number;
}

export interface MarketViewLayout {
  /** Null when not even one level a side fits. */
  book: PanelBox | null;
  /** The book's levels per side, and whether its title line fits (else the code is on the spread line). */
  levels: number;
  bookTitle: boolean;
  tape: PanelBox | null;
  chart: PanelBox | null;
  /** Columns between the book and the right column. */
  gap: number;
  /** One dim line below the panels naming what is hidden; null when everything shows. */
  note: string | null;
}

const NEEDS_SHORT = `needs ${CHART_MIN.columns}×${CHART_MIN.rows}`;
const NEEDS = `terminal too small (${NEEDS_SHORT})`;

/** The layout of a body `columns` wide and `rows` tall. */
export function marketViewLayout(columns: number, rows: number): MarketViewLayout {
  const none: MarketViewLayout = { book: null, levels: 0, bookTitle: false, tape: null, chart: null, gap: 0, note: null };
  if (columns <= 0 || rows <= 0) return none;
  if (columns >= CHART_MIN.columns && rows >= CHART_MIN.rows) {
    const book = Math.min(BOOK_MAX_WIDTH, Math.floor(columns / 2));
    const right = columns - book - 1;
    const chart = Math.max(CHART_MIN_ROWS, Math.round(rows * CHART_SHARE));
    const fit = bookFit(rows);
    return { book: { width: book, height: rows }, levels: fit.levels, bookTitle: fit.title, tape: { width: right, height: rows - chart }, chart: { width: right, height: chart }, gap: 1, note: null };
  }
  const panels = rows - 1;
  const fit = bookFit(panels);
  if (fit.levels < 1) return { ...none, note: `market view hidden (${NEEDS_SHORT})` };
  if (columns >= TAPE_MIN_COLUMNS) {
    const book = Math.floor(columns / 2);
    return { book: { width: book, height: panels }, levels: fit.levels, bookTitle: fit.title, tape: { width: columns - book - 1, height: panels }, chart: null, gap: 1, note: `chart hidden: ${NEEDS}` };
  }
  return { book: { width: columns, height: panels }, levels: fit.levels, bookTitle: fit.title, tape: null, chart: null, gap: 0, note: `chart and trades hidden (${NEEDS_SHORT})` };
}
