/**
 * The price chart's lines: the close of the most recent candles as an area, one column per
 * candle (newest at the right), a price axis on the right (max, mid, min) and a time axis below
 * (the first and last candle's HH:MM, local time as on the tape). Pure; every line exactly
 * `width` cells, no NaN whatever the series.
 *
 * Drawn with the lower eighth blocks (▁…█), not braille. A column per candle at eight steps per
 * row gives a 10-row chart 80 price steps, enough at terminal size, and blocks read as a solid
 * area in every font: braille's 2×4 dots leave gaps between cells and are missing or half-width
 * in some terminal fonts, and a braille line would put two candles in a cell, so one candle's
 * colour or time could no longer be told from its neighbour's. Blocks are in text-width.ts's
 * fast set, as braille is.
 */
import type { Candle, MarketCode } from '../upbit/types.js';
import { formatPrice } from './format.js';
import { clockText, fitLine, fitRight, run, textLine, type Line } from './panel-text.js';
import { textWidth } from './text-width.js';
import type { Theme } from './theme.js';

export interface ChartOptions {
  market: MarketCode;
  width: number;
  /** Lines: the plot's rows and the time axis below them. */
  height: number;
  theme: Theme;
}

/** One to eight eighths of a cell, filled from the bottom. */
const LOWER = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The plot needs this many columns for a chart worth drawing. */
const MIN_PLOT = 2;

/**
 * `height` lines: `height − 1` rows of plot, then the time axis. The area is in the rise colour
 * when the last close is at or above the first candle's open, else the fall colour. A flat
 * series (one candle, or closes all equal) is drawn at half height, as the table's sparkline
 * draws a quiet market, so it does not read as a crash.
 */
export function chartLines(candles: readonly Candle[], opts: ChartOptions): Line[] {
  const { market, width, height, theme } = opts;
  if (height <= 0 || width <= 0) return [];
  const plotRows = height - 1;
  if (plotRows < 1) return [textLine('chart: too few rows', width)];
  if (candles.length === 0) return [textLine('no candles yet', width), ...Array.from({ length: height - 1 }, () => textLine('', width))];

  // The axis is as wide as the widest label over the candles that can be shown at most.
  let lo = Infinity;
  let hi = -Infinity;
  const visit = (list: readonly Candle[]): void => {
    lo = Infinity;
    hi = -Infinity;
    for (const c of list) {
      if (c.close < lo) lo = c.close;
      if (c.close > hi) hi = c.close;
    }
  };
  visit(candles.slice(-width));
  const axis = 1 + Math.max(textWidth(formatPrice(market, hi)), textWidth(formatPrice(market, lo)));
  const plot = width - axis;
  if (plot < MIN_PLOT) return [textLine('chart: too narrow', width), ...Array.from({ length: height - 1 }, () => textLine('', width))];

  const shown = candles.slice(-plot);
  visit(shown);
  const steps = plotRows * 8;
  const flat = hi === lo;
  const level = (v: number): number => (flat ? Math.max(1, Math.round(steps / 2)) : 1 + Math.round(((v - lo) / (hi - lo)) * (steps - 1)));
  /** The price at the middle of row `r` (0 at the top): the mapping above, inverted. */
  const priceAt = (r: number): number => (flat ? lo : lo + (((plotRows - 1 - r) * 8 + 4 - 1) / (steps - 1)) * (hi - lo));
  const heights = shown.map((c) => level(c.close));
  const first = shown[0];
  const last = shown.at(-1);
  const color = first !== undefined && last !== undefined && last.close >= first.open ? theme.rise : theme.fall;
  const pad = plot - shown.length;
  const mid = Math.floor((plotRows - 1) / 2);
  const labelOf = (r: number): string => {
    if (flat) return r === mid ? formatPrice(market, lo) : '';
    if (r === 0) return formatPrice(market, hi);
    if (r === plotRows - 1) return formatPrice(market, lo);
    return r === mid ? formatPrice(market, priceAt(r)) : '';
  };

  const lines: Line[] = [];
  for (let r = 0; r < plotRows; r++) {
    const base = (plotRows - 1 - r) * 8;
    let cells = '';
    for (const h of heights) cells += LOWER[Math.min(8, Math.max(0, h - base))] ?? ' ';
    lines.push(fitLine([run(' '.repeat(pad)), run(cells, color), run(fitRight(labelOf(r), axis))], width));
  }
  lines.push(textLine(timeAxis(shown, pad, plot), width));
  return lines;
}

/**
 * Under the plot (`width` cells, the candles from column `from`): the last candle's HH:MM ending
 * under its column, the first one's starting under its column where both fit.
 */
function timeAxis(shown: readonly Candle[], from: number, width: number): string {
  const first = shown[0];
  const last = shown.at(-1);
  if (first === undefined || last === undefined) return '';
  const end = clockText(last.start, false);
  const start = clockText(first.start, false);
  if (shown.length === 1 || from + start.length + 1 + end.length > width) return fitRight(end, width);
  return ' '.repeat(from) + start + fitRight(end, width - from - start.length);
}
