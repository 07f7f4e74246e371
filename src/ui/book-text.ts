/**
 * The order book panel's lines: asks above (highest first, the best ask just above the spread
 * line), the spread, bids below (best first). Each level: price, size, cumulative size from the
 * spread outward, and the cumulative depth as a bar. Pure; every line exactly `width` cells.
 *
 * Colours: bids in the theme's rise colour, asks in its fall colour. Upbit's own book (and
 * Korean brokers' 호가창) draw the buy side red and the sell side blue, the colours of rise and
 * fall there; `korean` is exactly that palette (theme.ts), and `global` keeps the same meaning
 * (buy = the rise colour, green; sell = the fall colour, red), as Western books do.
 */
import type { MarketCode, Orderbook } from '../upbit/types.js';
import { formatPrice, priceDecimals } from './format.js';
import { fitLine, fitRight, formatSize, run, textLine, type Line, type Run } from './panel-text.js';
import { textWidth } from './text-width.js';
import type { Theme } from './theme.js';

export interface BookOptions {
  market: MarketCode;
  width: number;
  /** Levels shown per side (fewer when the book has fewer): {@link bookFit}. */
  levels: number;
  theme: Theme;
  /**
   * Put the market's code on the spread line: for a panel with no room for a title line.
   * @default false
   */
  labelled?: boolean;
}

/** Eighth blocks, one to seven eighths of a cell: a bar's end with sub-cell precision. */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';

/** A bar of `fraction` (0…1) of `width` cells, in eighths; a non-zero depth shows at least ▏. */
export function depthBar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  let eighths = Math.round(f * width * 8);
  if (eighths === 0 && f > 0) eighths = 1;
  const full = Math.floor(eighths / 8);
  const bar = FULL.repeat(full) + (EIGHTHS[eighths % 8] ?? '');
  return bar + ' '.repeat(width - textWidth(bar));
}

/** How a book panel of `height` rows is filled: levels per side, and whether a title line fits. */
export interface BookFit {
  levels: number;
  title: boolean;
}

/**
 * Levels per side that fit in `height` rows with the spread line between the sides; the title
 * line takes the row an odd split leaves over, else the market's code goes on the spread line.
 * So 21 and 22 rows both give 10 levels a side (80×24 with the App's status and key lines).
 */
export function bookFit(height: number): BookFit {
  const levels = Math.max(0, Math.floor((height - 1) / 2));
  return { levels, title: levels > 0 && height >= 2 * levels + 2 };
}

/** Levels per side that fit in `height` rows (see {@link bookFit}). */
export function levelsFor(height: number): number {
  return bookFit(height).levels;
}

/** Column widths of a level row: gaps of one cell between them; 0 hides a column. */
interface BookColumns {
  price: number;
  size: number;
  cum: number;
  bar: number;
}

function columnsFor(width: number, priceWidth: number): BookColumns {
  const price = Math.min(priceWidth, width);
  let rest = width - price;
  // Each further column takes its width plus a one-cell gap.
  const size = rest >= 7 ? Math.min(10, rest - 1) : 0;
  rest -= size > 0 ? size + 1 : 0;
  const cum = rest >= 11 ? Math.min(10, rest - 5) : 0;
  rest -= cum > 0 ? cum + 1 : 0;
  const bar = rest >= 3 ? rest - 1 : 0;
  return { price, size, cum, bar };
}

const spreadFormats = new Map<number, Intl.NumberFormat>();

/** The spread with the decimals of the best ask's tick (a spread below one won keeps them). */
function spreadText(market: MarketCode, ask: number, bid: number): string {
  const decimals = priceDecimals(market, ask);
  let f = spreadFormats.get(decimals);
  if (f === undefined) spreadFormats.set(decimals, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
  const spread = ask - bid;
  const mid = (ask + bid) / 2;
  const pct = mid > 0 ? ` (${((spread / mid) * 100).toFixed(3)}%)` : '';
  return `spread ${f.format(spread)}${pct}`;
}

function levelRow(market: MarketCode, price: number, size: number, cum: number, max: number, cols: BookColumns, width: number, color: string | undefined): Line {
  const runs: Run[] = [run(fitRight(formatPrice(market, price), cols.price), color)];
  if (cols.size > 0) runs.push(run(` ${fitRight(formatSize(size, cols.size), cols.size)}`));
  if (cols.cum > 0) runs.push(run(` ${fitRight(formatSize(cum, cols.cum), cols.cum)}`));
  if (cols.bar > 0) runs.push(run(' '), run(depthBar(max > 0 ? cum / max : 0, cols.bar), color));
  return fitLine(runs, width);
}

/**
 * `2 × levels + 1` lines (fewer levels when the book has fewer): asks, highest first; the spread
 * line (absolute and % of the mid price); bids, best first. Bars are scaled to the largest
 * cumulative size shown on either side, so the two sides compare.
 */
export function bookLines(book: Orderbook, opts: BookOptions): Line[] {
  const { market, width, theme } = opts;
  const units = book.units.slice(0, Math.max(0, opts.levels));
  const label = opts.labelled === true ? `${market} ` : '';
  if (units.length === 0) return [textLine(`${label}no levels in the book`, width)];
  const askCum: number[] = [];
  const bidCum: number[] = [];
  let a = 0;
  let b = 0;
  let priceWidth = 0;
  for (const u of units) {
    askCum.push((a += u.askSize));
    bidCum.push((b += u.bidSize));
    priceWidth = Math.max(priceWidth, textWidth(formatPrice(market, u.askPrice)), textWidth(formatPrice(market, u.bidPrice)));
  }
  const max = Math.max(a, b);
  const cols = columnsFor(width, priceWidth);
  const lines: Line[] = [];
  for (let i = units.length - 1; i >= 0; i--) {
    const u = units[i];
    if (u !== undefined) lines.push(levelRow(market, u.askPrice, u.askSize, askCum[i] ?? 0, max, cols, width, theme.fall));
  }
  const best = units[0];
  const spread = best === undefined ? '' : spreadText(market, best.askPrice, best.bidPrice);
  lines.push(textLine(`${label}${spread}`, width));
  units.forEach((u, i) => lines.push(levelRow(market, u.bidPrice, u.bidSize, bidCum[i] ?? 0, max, cols, width, theme.rise)));
  return lines;
}
