/**
 * The orders pane as pre-built lines (./pane-lines.ts): the account's open orders (placed by
 * this TUI, the CLI, a rule, or on Upbit's own app; the store has them from `myOrder` and
 * `GET /v1/orders/open`, docs/trading-session.md#the-stores), then its recent fills. Pure, so
 * widths, colours, selection and scrolling are tested without rendering.
 */
import { Decimal } from '../trading/decimal.js';
import { selectFills, selectMyOpenOrders, selectOpenOrders, type OpenOrder, type OrderFill, type OrdersSnapshot } from '../trading/session/index.js';
import type { IntentSource } from '../trading/journal/index.js';
import type { Side } from '../upbit/order-types.js';
import { quoteCurrency } from '../upbit/market-code.js';
import { formatDuration, marketLabel } from './format.js';
import { fitColumns, formatDecimal, headerCells, formatMarketPrice, formatVolume, moreLine, rowWindow, selectionMark, textLine, withMark, type Headings, type PaneCell, type PaneLine } from './pane-lines.js';
import { clockText } from './panel-text.js';
import type { Theme } from './theme.js';

/**
 * The open orders in the order the pane lists them (newest first): the App's selection index
 * is an index into this, so `selectableOrders(snapshot)[selected].uuid` is what `c` cancels.
 */
export function selectableOrders(snapshot: OrdersSnapshot): readonly OpenOrder[] {
  return selectOpenOrders(snapshot);
}

/** The order at the selection as the pane highlights it (clamped), or null with none open: what `c` cancels. */
export function selectedOrder(snapshot: OrdersSnapshot, selected: number): OpenOrder | null {
  const open = selectableOrders(snapshot);
  if (open.length === 0) return null;
  return open[Math.min(Math.max(0, Math.trunc(selected)), open.length - 1)] ?? null;
}

/** Whether this app placed `order` (its journal has the identifier): `C` cancels only these. */
export function placedHere(snapshot: OrdersSnapshot, order: OpenOrder): boolean {
  return selectMyOpenOrders(snapshot).some((o) => o.uuid === order.uuid);
}

/** How the pane's `height` lines are shared out (see {@link ordersRowsFor}). */
export interface OrdersRows {
  /** Lines for the open orders (their rows, a "+N more" line among them when not all fit). */
  openRows: number;
  /** Lines for the fills' rows (a "+N more" among them when not all fit); 0 when the fills section is not shown. */
  fillRows: number;
  /** Whether the fills section (its title, and its header when there are fills) is shown. */
  showFills: boolean;
}

/** Lines above each section's rows: a title and the column header. */
const CHROME = 2;
/** Fills kept in view when open orders compete for the lines. */
const FILLS_MIN = 3;

/**
 * How many lines the open orders and the fills get in a pane `height` lines tall, with
 * `open` orders and `fills` fills. Open orders come first (they are what `c` acts on); the
 * fills keep a few lines when there is room, and are dropped on a very short pane.
 */
export function ordersRowsFor(height: number, open: number, fills: number): OrdersRows {
  const rest = height - CHROME;
  if (rest <= 0) return { openRows: 0, fillRows: 0, showFills: false };
  // An empty list still takes a line to say so.
  const openNeed = Math.max(1, open);
  const fillsChrome = fills === 0 ? 1 : CHROME;
  if (rest >= openNeed + fillsChrome + fills) return { openRows: openNeed, fillRows: fills, showFills: true };
  const fillsShare = fills === 0 ? 1 : fillsChrome + Math.min(fills, FILLS_MIN);
  if (rest - fillsShare < Math.min(openNeed, 2)) return { openRows: rest, fillRows: 0, showFills: false };
  const openRows = Math.min(openNeed, rest - fillsShare);
  return { openRows, fillRows: fills === 0 ? 0 : rest - openRows - fillsChrome, showFills: true };
}

export interface OrdersView {
  /** Cells wide. */
  width: number;
  /** Lines tall. */
  height: number;
  /** Index into {@link selectableOrders}, clamped; null: no row is highlighted (the pane is not focused). */
  selected: number | null;
  /** For the orders' age (ms, the clock of their `createdAt`). */
  now: number;
  theme: Theme;
}

export interface OrdersLines {
  lines: readonly PaneLine[];
  /** The selection as drawn (clamped); -1 with no open orders or no selection. */
  selected: number;
}

/** Column widths; 0 hides a column. `mark` is the selection's `>` cell, with no gap after it. */
interface OrderColumns {
  mark: number;
  by: number;
  market: number;
  side: number;
  type: number;
  price: number;
  volume: number;
  filled: number;
  state: number;
  age: number;
}

const ORDER_COLUMNS: OrderColumns = { mark: 1, by: 5, market: 9, side: 4, type: 6, price: 12, volume: 12, filled: 6, state: 5, age: 4 };
/** Narrower panes lose these first, in this order. */
const ORDER_DROPS: ReadonlyArray<keyof OrderColumns> = ['age', 'state', 'type', 'filled', 'by'];

interface FillColumns {
  mark: number;
  time: number;
  market: number;
  side: number;
  price: number;
  volume: number;
  fee: number;
}

const FILL_COLUMNS: FillColumns = { mark: 1, time: 8, market: 9, side: 4, price: 13, volume: 12, fee: 10 };
const FILL_DROPS: ReadonlyArray<keyof FillColumns> = ['fee', 'time'];

function sideText(side: Side): string {
  return side === 'bid' ? 'BUY' : 'SELL';
}

function sideColor(theme: Theme, side: Side): string | undefined {
  return side === 'bid' ? theme.rise : theme.fall;
}

/** How much of the order traded, in whole percent, floored (never shown as done before it is): `42%`. */
function filledText(o: OpenOrder): string {
  if (o.volume === null || o.volume.isZero() || o.executedVolume === null) return '-';
  return `${o.executedVolume.div(o.volume).mul(100).toFixed(0, Decimal.ROUND_DOWN)}%`;
}

/**
 * Who placed an open order: this app's journal says which of its front ends did (the TUI, a
 * CLI command, a rule of the monitor: they share it on one data directory); `other` is an order
 * placed elsewhere (Upbit's own app, another program), which `C` leaves alone.
 */
const PLACED_BY: Readonly<Record<IntentSource, string>> = { ui: 'tui', cli: 'cli', monitor: 'rule' };

function placedBy(o: OpenOrder, sources: ReadonlyMap<string, IntentSource>): string {
  const source = o.identifier === null ? undefined : sources.get(o.identifier);
  return source === undefined ? 'other' : PLACED_BY[source];
}

function orderCells(o: OpenOrder, by: string, cols: OrderColumns, now: number, theme: Theme): PaneCell[] {
  const spend = o.total !== null ? `${formatDecimal(o.total, 0)} ${quoteCurrency(o.market)}` : null;
  return [
    { text: by, width: cols.by },
    { text: marketLabel(o.market), width: cols.market },
    { text: sideText(o.side), width: cols.side, color: sideColor(theme, o.side) },
    { text: o.ordType, width: cols.type },
    { text: o.price === null ? 'market' : formatMarketPrice(o.market, o.price), width: cols.price, align: 'right' },
    { text: spend ?? (o.volume === null ? '-' : formatVolume(o.volume)), width: cols.volume, align: 'right' },
    { text: filledText(o), width: cols.filled, align: 'right' },
    { text: o.state, width: cols.state },
    { text: o.createdAt === null ? '-' : formatDuration(now - o.createdAt), width: cols.age, align: 'right' },
  ];
}

const ORDER_HEADINGS: Headings<OrderColumns> = [
  ['by', 'BY'],
  ['market', 'MARKET'],
  ['side', 'SIDE'],
  ['type', 'TYPE'],
  ['price', 'PRICE', 'right'],
  ['volume', 'VOLUME', 'right'],
  ['filled', 'FILLED', 'right'],
  ['state', 'STATE'],
  ['age', 'AGE', 'right'],
];

function fillCells(f: OrderFill, cols: FillColumns, theme: Theme): PaneCell[] {
  return [
    { text: clockText(f.at), width: cols.time },
    { text: marketLabel(f.market), width: cols.market },
    { text: sideText(f.side), width: cols.side, color: sideColor(theme, f.side) },
    { text: formatMarketPrice(f.market, f.price), width: cols.price, align: 'right' },
    { text: formatVolume(f.volume), width: cols.volume, align: 'right' },
    { text: f.fee === null ? '-' : formatVolume(f.fee), width: cols.fee, align: 'right' },
  ];
}

const FILL_HEADINGS: Headings<FillColumns> = [
  ['time', 'TIME'],
  ['market', 'MARKET'],
  ['side', 'SIDE'],
  ['price', 'PRICE', 'right'],
  ['volume', 'VOLUME', 'right'],
  ['fee', 'FEE', 'right'],
];

function openTitle(s: OrdersSnapshot, open: number, mine: number): string {
  const parts = [`OPEN ORDERS ${open}`, `${mine} by upbit-tui`];
  if (!s.loaded) parts.push(s.syncError === null ? 'loading…' : 'cannot be read yet (retrying)');
  else if (s.syncError !== null) parts.push('read failing, retrying');
  return parts.join(' · ');
}

/** The pane: open orders (selection highlighted, kept in view), then recent fills; every line exactly `width` cells, at most `height` lines. */
export function ordersLines(snapshot: OrdersSnapshot, view: OrdersView): OrdersLines {
  const { width, height, theme } = view;
  const open = selectableOrders(snapshot);
  const mine = new Set(selectMyOpenOrders(snapshot).map((o) => o.uuid));
  const sources = new Map(snapshot.attempts.map((a) => [a.identifier, a.source]));
  const fills = selectFills(snapshot);
  const rows = ordersRowsFor(height, open.length, fills.length);
  const lines: PaneLine[] = [];
  const bold = theme.attributes;
  const win = rowWindow(open.length, rows.openRows, view.selected ?? 0);
  const highlighted = view.selected === null ? -1 : win.selected;
  if (height <= 0) return { lines, selected: highlighted };
  lines.push(textLine('open-title', openTitle(snapshot, open.length, mine.size), width, { bold }));
  if (rows.openRows === 0 && height < CHROME) return { lines, selected: highlighted };
  const oc = fitColumns(ORDER_COLUMNS, ORDER_DROPS, width);
  lines.push({ key: 'open-header', runs: withMark(' ', headerCells(oc, ORDER_HEADINGS), width), inverse: false, bold });
  if (open.length === 0 && rows.openRows > 0) lines.push(textLine('open-none', snapshot.loaded ? ' none' : ' …', width));
  for (let i = win.offset; i < win.offset + win.shown; i++) {
    const o = open[i];
    if (o === undefined) continue;
    const { mark, inverse } = selectionMark(theme, i === highlighted);
    lines.push({ key: `open-${o.uuid}`, runs: withMark(mark, orderCells(o, mine.has(o.uuid) ? placedBy(o, sources) : 'other', oc, view.now, theme), width), inverse, bold: false });
  }
  if (win.hidden > 0 && rows.openRows > 0) lines.push(moreLine('open-more', win.hidden, width));
  if (!rows.showFills) return { lines, selected: highlighted };
  lines.push(textLine('fills-title', fills.length === 0 ? 'RECENT FILLS · none yet' : `RECENT FILLS ${fills.length}`, width, { bold }));
  if (fills.length === 0) return { lines, selected: highlighted };
  const fc = fitColumns(FILL_COLUMNS, FILL_DROPS, width);
  lines.push({ key: 'fills-header', runs: withMark(' ', headerCells(fc, FILL_HEADINGS), width), inverse: false, bold });
  const fillWin = rowWindow(fills.length, rows.fillRows, 0);
  for (const f of fills.slice(0, fillWin.shown)) lines.push({ key: `fill-${f.tradeUuid}`, runs: withMark(' ', fillCells(f, fc, theme), width), inverse: false, bold: false });
  if (fillWin.hidden > 0 && rows.fillRows > 0) lines.push(textLine('fills-more', `+${fillWin.hidden} older`, width));
  return { lines, selected: highlighted };
}
