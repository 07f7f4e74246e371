/**
 * The ticker table as pre-padded strings: one `<Text>` per row is much cheaper in Ink than a
 * box per cell (docs/terminal-rendering.md#cost-per-frame). Pure, so widths are tested without rendering.
 */
import type { MarketRow } from '../trading/market-store.js';
import type { MarketFlags } from '../upbit/market-event.js';
import type { Change } from '../upbit/types.js';
import { formatCompact, formatDuration, formatPercent, formatPrice, formatSignedChange, marketLabel, sparkline, truncate } from './format.js';
import { GAP, type TableColumns } from './layout.js';
import { textWidth } from './text-width.js';
import type { Tone } from './theme.js';

/** A run of row text; `tinted` runs take the row's rise/fall colour, a `tone` run its own. */
export interface Segment {
  text: string;
  tinted: boolean;
  /** A badge's colour (theme.warn, theme.bad), or none. @default none */
  tone?: Tone;
}

/** A marker drawn in the last cells of a column, in its own colour. */
export interface Badge {
  text: string;
  tone: Tone;
}

export interface RowText {
  segments: readonly Segment[];
  change: Change | null;
  stale: boolean;
}

type Align = 'left' | 'right';

/** One column's text in a row; a width of 0 hides the column. */
export interface Cell {
  text: string;
  width: number;
  align: Align;
  tinted: boolean;
  /** Text that may hold two-cell characters (a Korean name): fitted by display width. */
  wide?: boolean;
  /** Drawn at the right end of the cell, the text fitted to what is left. @default none */
  badge?: Badge | null;
}

function fit(text: string, width: number, align: Align): string {
  const t = truncate(text, width);
  return align === 'left' ? t.padEnd(width) : t.padStart(width);
}

/**
 * A Korean name in exactly `width` cells, left-aligned: Hangul takes two cells, so `.length`
 * is not its width (format.ts's functions return one-cell text only). Cut with `…`.
 */
export function fitName(text: string, width: number): string {
  if (width <= 0) return '';
  const full = textWidth(text);
  if (full <= width) return text + ' '.repeat(width - full);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = textWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…${' '.repeat(width - used - 1)}`;
}

/** Join visible cells with gaps, merging neighbours of the same tint into one segment. */
export function joinCells(cells: readonly Cell[]): Segment[] {
  const parts: Segment[] = [];
  cells
    .filter((c) => c.width > 0)
    .forEach((c, i) => {
      if (i > 0) parts.push({ text: ' '.repeat(GAP), tinted: false });
      const badge = c.badge ?? null;
      const width = badge === null ? c.width : Math.max(0, c.width - textWidth(badge.text));
      parts.push({ text: c.wide === true ? fitName(c.text, width) : fit(c.text, width, c.align), tinted: c.tinted });
      if (badge !== null) parts.push({ text: badge.text, tinted: false, tone: badge.tone });
    });
  const out: Segment[] = [];
  for (const p of parts) {
    const last = out.at(-1);
    if (last !== undefined && last.tinted === p.tinted && last.tone === p.tone) last.text += p.text;
    else out.push({ ...p });
  }
  const last = out.at(-1);
  if (last !== undefined) last.text = last.text.trimEnd();
  return out.filter((s) => s.text !== '');
}

export function headerText(cols: TableColumns): string {
  return joinCells([
    { text: 'MARKET', width: cols.market, align: 'left', tinted: false },
    { text: 'NAME', width: cols.name, align: 'left', tinted: false },
    { text: 'PRICE', width: cols.price, align: 'right', tinted: false },
    { text: 'CHANGE', width: cols.change, align: 'right', tinted: false },
    { text: 'CHG%', width: cols.pct, align: 'right', tinted: false },
    // Traded value over the last 24 h, in the market's quote currency (KRW for KRW markets).
    { text: 'VALUE24H', width: cols.value, align: 'right', tinted: false },
    { text: 'TREND', width: cols.spark, align: 'left', tinted: false },
  ])
    .map((s) => s.text)
    .join('');
}

/**
 * How old a stale row's price is, in whole seconds' worth of ms, or null if the store does not
 * judge it stale (market-store.ts says when it does). Whole seconds keep memoised rows from
 * re-rendering on every flush.
 */
export function staleFor(row: MarketRow, now: number): number | null {
  if (!row.stale || row.receivedAt === null) return null;
  return Math.floor(Math.max(0, now - row.receivedAt) / 1000) * 1000;
}

/**
 * The market cell's badge for Upbit's market alerts (docs/upbit-protocol.md#market-alerts):
 * `!` for the warning designation (투자유의), `*` for a caution (주의) of any reason; the
 * warning wins when both are set; absent flags are none. One ASCII cell, so it shows the
 * same without colours.
 */
export function alertBadge(flags: Partial<MarketFlags> | undefined): Badge | null {
  if (flags?.warning === true) return WARNING_BADGE;
  return (flags?.cautions?.length ?? 0) > 0 ? CAUTION_BADGE : null;
}

const WARNING_BADGE: Badge = { text: '!', tone: 'bad' };
const CAUTION_BADGE: Badge = { text: '*', tone: 'warn' };

/** Index of the pct cell in a row's cells (market, name, price, change, pct, value, sparkline). */
const PCT = 4;

/**
 * The badge in the last visible column of [pct, value, sparkline], so that it shows at every
 * width (the sparkline goes first when the terminal narrows): `STALE 12s`, or `STALE` where
 * the age does not fit.
 */
function withBadge(cells: Cell[], staleMs: number): Cell[] {
  const i = cells.findLastIndex((c, k) => k >= PCT && c.width > 0);
  const target = cells[i];
  if (target === undefined) return cells;
  const long = `STALE ${formatDuration(staleMs)}`;
  const text = long.length <= target.width ? long : 'STALE';
  return cells.map((c, k) => (k === i ? { text, width: c.width, align: 'left', tinted: false } : c));
}

/**
 * One market row; `staleMs` from {@link staleFor}; `name` its Korean name, if known; `flags`
 * Upbit's alerts for it, a badge at the end of the market cell ({@link alertBadge}).
 */
export function rowText(row: MarketRow, cols: TableColumns, staleMs: number | null, name = '', flags?: MarketFlags): RowText {
  const t = row.ticker;
  const label = { text: marketLabel(row.market), width: cols.market, align: 'left', tinted: false, badge: alertBadge(flags) } as const;
  const nameCell = { text: name, width: cols.name, align: 'left', tinted: false, wide: true } as const;
  if (t === null) {
    return {
      segments: joinCells([
        label,
        nameCell,
        { text: '…', width: cols.price, align: 'right', tinted: false },
        { text: '', width: cols.change, align: 'right', tinted: false },
        { text: '', width: cols.pct, align: 'right', tinted: false },
        { text: '', width: cols.value, align: 'right', tinted: false },
        { text: 'waiting', width: cols.spark, align: 'left', tinted: false },
      ]),
      change: null,
      stale: false,
    };
  }
  const cells: Cell[] = [
    label,
    nameCell,
    { text: formatPrice(row.market, t.tradePrice), width: cols.price, align: 'right', tinted: true },
    { text: formatSignedChange(row.market, t.tradePrice, t.signedChangePrice), width: cols.change, align: 'right', tinted: true },
    { text: formatPercent(t.signedChangeRate), width: cols.pct, align: 'right', tinted: true },
    { text: formatCompact(t.accTradePrice24h), width: cols.value, align: 'right', tinted: false },
    { text: sparkline(row.history, cols.spark), width: cols.spark, align: 'left', tinted: true },
  ];
  // A stale price is not tinted: rise/fall colours would say it is moving.
  const segments = joinCells(staleMs === null ? cells : withBadge(cells, staleMs).map((c) => ({ ...c, tinted: false })));
  return { segments, change: t.change, stale: staleMs !== null };
}

/** `+12 more (enlarge the terminal to see them)`, cut to fit. */
export function moreText(hidden: number, columns: number): string {
  return truncate(`+${hidden} more (enlarge the terminal to see them)`, columns);
}
