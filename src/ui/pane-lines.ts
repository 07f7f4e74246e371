/**
 * The lines of a pane (orders, portfolio, log) as pre-built text: each line exactly `width`
 * cells (measured with text-width.ts, so Korean text and block characters count right),
 * made of a few coloured runs. One `<Text>` per line is what Ink draws cheaply
 * (docs/terminal-rendering.md#cost-per-frame); building them in pure functions lets the
 * widths, colours and scrolling be tested without rendering.
 */
import { Decimal } from '../trading/decimal.js';
import { priceDecimals } from './format.js';
import { GAP } from './layout.js';
import { fitLeft, fitLine, fitRight, type Run } from './panel-text.js';
import type { Theme } from './theme.js';

export interface PaneLine {
  /** Stable across rebuilds, for React's `key`. */
  key: string;
  runs: readonly Run[];
  /** The selected row: drawn inverse (only when the theme allows attributes). */
  inverse: boolean;
  bold: boolean;
}

export type Align = 'left' | 'right';

/** One column of a row; a width of 0 hides it. */
export interface PaneCell {
  text: string;
  width: number;
  align?: Align;
  color?: string | undefined;
}

/** `text` in exactly `width` cells: cut with `…`, padded with spaces. */
export function fitCell(text: string, width: number, align: Align = 'left'): string {
  return align === 'left' ? fitLeft(text, width) : fitRight(text, width);
}

/** Runs cut or padded to exactly `width` cells in all (panel-text's {@link fitLine}, no empty runs). */
export function fitRuns(runs: readonly Run[], width: number): Run[] {
  return fitLine(runs, width).filter((r) => r.text !== '');
}

/** Visible cells joined with gaps, the line exactly `width` cells. */
export function cellsLine(cells: readonly PaneCell[], width: number): Run[] {
  const runs: Run[] = [];
  cells
    .filter((c) => c.width > 0)
    .forEach((c, i) => {
      if (i > 0) runs.push({ text: ' '.repeat(GAP) });
      runs.push({ text: fitCell(c.text, c.width, c.align), color: c.color });
    });
  return fitRuns(runs, width);
}

/** Each shown column after the first takes a gap; `mark` and the column after it share none. */
function usedWidth<C extends { mark: number }>(cols: C): number {
  const shown = Object.values(cols).filter((w: number) => w > 0);
  return shown.reduce((sum, w) => sum + w, 0) + Math.max(0, shown.length - 2) * GAP;
}

/** Column widths (0 hides one; `mark` is a row's selection cell): the full set, dropping `drops` in order until they fit `width`. */
export function fitColumns<C extends { mark: number }>(full: C, drops: ReadonlyArray<keyof C>, width: number): C {
  const cols = { ...full };
  for (const drop of drops) {
    if (usedWidth(cols) <= width) break;
    (cols[drop] as number) = 0;
  }
  return cols;
}

/** The mark cell glued to the row's first column: `>` needs no gap of its own. */
export function withMark(mark: string, cells: readonly PaneCell[], width: number): Run[] {
  const i = cells.findIndex((c) => c.width > 0);
  const first = cells[i];
  if (first === undefined) return cellsLine([{ text: mark, width: 1 }], width);
  return cellsLine(cells.map((c, k) => (k === i ? { ...c, text: mark + c.text, width: c.width + 1 } : c)), width);
}

/** A table's column headings in order: the column's key, its heading, its alignment (default left). */
export type Headings<C> = ReadonlyArray<readonly [column: keyof C, heading: string, align?: Align]>;

/** The header row's cells for `cols` (a hidden column's heading is hidden with it). */
export function headerCells<C>(cols: C, headings: Headings<C>): PaneCell[] {
  return headings.map(([column, text, align]) => ({ text, width: cols[column] as number, align }));
}

/** A line of plain text, exactly `width` cells. */
export function textLine(key: string, text: string, width: number, opts: { color?: string | undefined; bold?: boolean } = {}): PaneLine {
  return { key, runs: fitRuns([{ text, color: opts.color }], width), inverse: false, bold: opts.bold === true };
}

/** The text of a line, colours dropped (tests, and widths). */
export function lineText(line: PaneLine): string {
  return line.runs.map((r) => r.text).join('');
}

/**
 * How a selected row is shown: inverse where the theme may use attributes, else a `>` in the
 * row's first cell (in `none` there are no escapes at all). Rows keep that first cell for it.
 */
export function selectionMark(theme: Theme, selected: boolean): { mark: string; inverse: boolean } {
  if (theme.attributes) return { mark: ' ', inverse: selected };
  return { mark: selected ? '>' : ' ', inverse: false };
}

/** Which rows of a list of `count` show in `rows` lines, the selection kept in view. */
export interface RowWindow {
  /** Index of the first row shown. */
  offset: number;
  /** How many are shown. */
  shown: number;
  /** The selection, clamped to the list; -1 when the list is empty. */
  selected: number;
  /** Rows not shown (above and below the window). */
  hidden: number;
}

/**
 * The window of a list: all of it when it fits, else `rows − 1` rows (one line is left for
 * "+N more") scrolled as little as keeps `selected` in view. Pure: the same selection always
 * shows the same window, so the App keeps only the index.
 */
export function rowWindow(count: number, rows: number, selected: number): RowWindow {
  const sel = count === 0 ? -1 : Math.min(Math.max(0, Math.trunc(selected)), count - 1);
  if (count <= rows) return { offset: 0, shown: count, selected: sel, hidden: 0 };
  const shown = Math.max(0, rows - 1);
  const offset = shown === 0 ? 0 : Math.min(Math.max(0, sel - shown + 1), count - shown);
  return { offset, shown, selected: sel, hidden: count - shown };
}

/** `+3 more (↑/↓ to scroll)`, for a list cut by {@link rowWindow}. */
export function moreLine(key: string, hidden: number, width: number): PaneLine {
  return textLine(key, `+${hidden} more (↑/↓ to scroll)`, width);
}

/** Digits with en-US thousands separators, as format.ts's formatKrw groups them: `1234567` → `1,234,567`. */
function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A decimal with en-US grouping and exactly `decimals` fraction digits (`-1,234.50`); `signed` adds `+` when above zero. */
export function formatDecimal(value: Decimal, decimals: number, signed = false): string {
  const fixed = value.toFixed(decimals, Decimal.ROUND_HALF_EVEN);
  const negative = fixed.startsWith('-');
  const [int = '0', frac] = (negative ? fixed.slice(1) : fixed).split('.');
  const zero = /^[0.]*$/.test(negative ? fixed.slice(1) : fixed);
  const sign = zero ? '' : negative ? '-' : signed ? '+' : '';
  return `${sign}${grouped(int)}${frac === undefined ? '' : `.${frac}`}`;
}

/** A volume as Upbit shows it: up to 8 decimals, trailing zeros dropped (`0.0002`, `12.5`). */
export function formatVolume(value: Decimal): string {
  const fixed = value.toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed();
  const [int = '0', frac] = fixed.split('.');
  return `${grouped(int)}${frac === undefined ? '' : `.${frac}`}`;
}

/** A price in `market` at its tick's decimals, from a decimal (`130,512,000`, `0.01234`). */
export function formatMarketPrice(market: string, price: Decimal): string {
  return formatDecimal(price, priceDecimals(market, price.toNumber()));
}

// eslint-disable-next-line no-control-regex -- control bytes are what must not reach the terminal
const NOT_ONE_LINE = /[\s\u0000-\u001F\u007F-\u009F]+/g;

/** Text on one line: a line break would add a row the pane did not budget for, an escape would restyle it. */
export function oneLine(text: string): string {
  return text.replace(NOT_ONE_LINE, ' ').trim();
}
