/**
 * The portfolio pane as pre-built lines (./pane-lines.ts): per asset its balance, what open
 * orders lock, the average buy price (from `GET /v1/accounts`,
 * https://docs.upbit.com/kr/reference/get-balance), the last price of its KRW market, its
 * value and unrealised PnL; then the total, which is `selectTotalValue`'s. An asset with no
 * known price says so and is never valued at a guess (docs/trading-session.md#the-stores).
 * Decimal arithmetic throughout; pure, so it is tested without rendering.
 */
import { Money, ZERO, type Decimal } from '../trading/decimal.js';
import { selectTotalValue, type AccountSnapshot, type PriceLookup } from '../trading/session/index.js';
import { formatKrw } from './format.js';
import { fitColumns, fitRuns, formatDecimal, headerCells, formatMarketPrice, formatVolume, moreLine, rowWindow, selectionMark, textLine, withMark, type Headings, type PaneCell, type PaneLine } from './pane-lines.js';
import type { Theme } from './theme.js';

/** One asset with what it is worth at the last price. */
export interface Holding {
  currency: string;
  balance: Decimal;
  locked: Decimal;
  avgBuyPrice: Decimal | null;
  /** The last price of `KRW-<currency>`; null when unknown (no such market, no ticker yet). KRW's is 1. */
  price: Decimal | null;
  /** (balance + locked) × price, in KRW; null without a price. */
  value: Decimal | null;
  /** value − (balance + locked) × avgBuyPrice; null without a price or an average buy price in KRW. */
  pnl: Decimal | null;
  /** pnl as a percentage of the cost: price / avgBuyPrice − 1, × 100; null with `pnl`. */
  pnlPct: Decimal | null;
}

const HUNDRED = new Money(100);

function priceOf(prices: PriceLookup, market: string): Decimal | null {
  const p = typeof prices === 'function' ? prices(market) : prices.get(market);
  return p === undefined || p === null ? null : new Money(p);
}

/** The account's assets, KRW first then by currency, each valued at `prices`. */
export function holdings(account: AccountSnapshot, prices: PriceLookup): Holding[] {
  const out: Holding[] = [];
  for (const b of account.balances.values()) {
    const amount = b.balance.plus(b.locked);
    if (b.currency === 'KRW') {
      out.push({ currency: 'KRW', balance: b.balance, locked: b.locked, avgBuyPrice: null, price: null, value: amount, pnl: null, pnlPct: null });
      continue;
    }
    const price = priceOf(prices, `KRW-${b.currency}`);
    const value = price === null ? null : amount.mul(price);
    // Upbit's average buy price is in unitCurrency: comparable with a KRW price only when that is KRW.
    const avg = b.avgBuyPrice !== null && !b.avgBuyPrice.isZero() && b.unitCurrency === 'KRW' ? b.avgBuyPrice : null;
    const pnl = value === null || avg === null ? null : value.minus(amount.mul(avg));
    const pnlPct = price === null || avg === null ? null : price.div(avg).minus(1).mul(HUNDRED);
    out.push({ currency: b.currency, balance: b.balance, locked: b.locked, avgBuyPrice: b.avgBuyPrice, price, value, pnl, pnlPct });
  }
  return out.sort((a, b) => (a.currency === 'KRW' ? -1 : b.currency === 'KRW' ? 1 : a.currency.localeCompare(b.currency)));
}

export interface PortfolioView {
  width: number;
  height: number;
  /** Index into the holdings (KRW first); null: no highlight. Scrolls the list. */
  selected: number | null;
  theme: Theme;
}

interface Columns {
  mark: number;
  asset: number;
  balance: number;
  locked: number;
  avg: number;
  price: number;
  value: number;
  pnl: number;
  pct: number;
}

const COLUMNS: Columns = { mark: 1, asset: 6, balance: 14, locked: 12, avg: 12, price: 12, value: 13, pnl: 12, pct: 8 };
const DROPS: ReadonlyArray<keyof Columns> = ['locked', 'avg', 'pnl', 'balance'];
/** Title, header, total. */
const CHROME = 3;

function signColor(theme: Theme, d: Decimal | null): string | undefined {
  if (d === null || d.isZero()) return undefined;
  return d.isPositive() ? theme.rise : theme.fall;
}

function amountText(currency: string, d: Decimal): string {
  return currency === 'KRW' ? formatKrw(d) : formatVolume(d);
}

function holdingCells(h: Holding, cols: Columns, theme: Theme): PaneCell[] {
  const market = `KRW-${h.currency}`;
  const krw = h.currency === 'KRW';
  const tint = signColor(theme, h.pnl);
  return [
    { text: h.currency, width: cols.asset },
    { text: amountText(h.currency, h.balance), width: cols.balance, align: 'right' },
    { text: amountText(h.currency, h.locked), width: cols.locked, align: 'right' },
    { text: h.avgBuyPrice === null || krw ? '-' : formatMarketPrice(market, h.avgBuyPrice), width: cols.avg, align: 'right' },
    { text: krw ? '-' : h.price === null ? 'no price' : formatMarketPrice(market, h.price), width: cols.price, align: 'right' },
    { text: h.value === null ? '-' : formatKrw(h.value), width: cols.value, align: 'right' },
    { text: h.pnl === null ? '-' : formatDecimal(h.pnl, 0, true), width: cols.pnl, align: 'right', color: tint },
    { text: h.pnlPct === null ? '-' : `${formatDecimal(h.pnlPct, 2, true)}%`, width: cols.pct, align: 'right', color: signColor(theme, h.pnlPct) },
  ];
}

const HEADINGS: Headings<Columns> = [
  ['asset', 'ASSET'],
  ['balance', 'BALANCE', 'right'],
  ['locked', 'LOCKED', 'right'],
  ['avg', 'AVG BUY', 'right'],
  ['price', 'PRICE', 'right'],
  ['value', 'VALUE KRW', 'right'],
  ['pnl', 'PNL KRW', 'right'],
  ['pct', 'PNL%', 'right'],
];

/** `TOTAL ≈ 10,002,345 KRW · PnL +12,345 KRW (+1.23%) · no price: DOGE`: the sum is selectTotalValue's. */
function totalLine(account: AccountSnapshot, prices: PriceLookup, rows: readonly Holding[], width: number, theme: Theme): PaneLine {
  const { total, unpriced } = selectTotalValue(account, prices);
  let pnl = ZERO;
  let cost = ZERO;
  for (const h of rows) {
    if (h.pnl === null || h.value === null) continue;
    pnl = pnl.plus(h.pnl);
    cost = cost.plus(h.value.minus(h.pnl));
  }
  const runs: Array<{ text: string; color?: string | undefined }> = [{ text: ` TOTAL ≈ ${formatKrw(total)} KRW` }];
  if (!cost.isZero()) {
    runs.push({ text: ' · PnL ' }, { text: `${formatDecimal(pnl, 0, true)} KRW (${formatDecimal(pnl.div(cost).mul(HUNDRED), 2, true)}%)`, color: signColor(theme, pnl) });
  }
  if (unpriced.length > 0) runs.push({ text: ` · no price: ${unpriced.join(', ')}` });
  return { key: 'total', runs: fitRuns(runs, width), inverse: false, bold: theme.attributes };
}

/** The pane: title, header, one line per asset (selection kept in view), total; each line exactly `width` cells, at most `height` lines. */
export function portfolioLines(account: AccountSnapshot, prices: PriceLookup, view: PortfolioView): readonly PaneLine[] {
  const { width, height, theme } = view;
  if (height <= 0) return [];
  const bold = theme.attributes;
  const title = account.syncError === null ? 'PORTFOLIO' : 'PORTFOLIO · account read failing, retrying';
  if (!account.loaded) return [textLine('title', account.syncError === null ? 'PORTFOLIO · account: loading…' : 'PORTFOLIO · account: cannot be read yet (retrying; see the log)', width, { bold })];
  const lines: PaneLine[] = [textLine('title', title, width, { bold })];
  if (height < CHROME) return lines;
  const rows = holdings(account, prices);
  const cols = fitColumns(COLUMNS, DROPS, width);
  lines.push({ key: 'header', runs: withMark(' ', headerCells(cols, HEADINGS), width), inverse: false, bold });
  const win = rowWindow(rows.length, height - CHROME, view.selected ?? 0);
  const highlighted = view.selected === null ? -1 : win.selected;
  for (let i = win.offset; i < win.offset + win.shown; i++) {
    const h = rows[i];
    if (h === undefined) continue;
    const { mark, inverse } = selectionMark(theme, i === highlighted);
    lines.push({ key: `asset-${h.currency}`, runs: withMark(mark, holdingCells(h, cols, theme), width), inverse, bold: false });
  }
  if (win.hidden > 0 && height - CHROME > 0) lines.push(moreLine('more', win.hidden, width));
  lines.push(totalLine(account, prices, rows, width, theme));
  return lines;
}

/** The prices `portfolioLines` reads for this account: one per held asset other than KRW. */
function heldPrices(account: AccountSnapshot, prices: PriceLookup): string {
  let key = '';
  for (const c of account.balances.keys()) if (c !== 'KRW') key += `${c}=${String(priceOf(prices, `KRW-${c}`) ?? '')};`;
  return key;
}

/**
 * {@link portfolioLines}, remembered: the same array back until the account snapshot, the
 * view or the price of a held asset changed. The ticker store publishes ~12 times a second
 * for every watched market; a flush that moves no held asset's price costs a lookup per
 * asset and no rebuild, and (as a `useSyncExternalStore` snapshot) no re-render.
 */
export function portfolioMemo(): (account: AccountSnapshot, prices: PriceLookup, view: PortfolioView) => readonly PaneLine[] {
  let last: { account: AccountSnapshot; view: PortfolioView; key: string; lines: readonly PaneLine[] } | null = null;
  return (account, prices, view) => {
    const key = heldPrices(account, prices);
    if (last !== null && last.account === account && last.key === key && sameView(last.view, view)) return last.lines;
    last = { account, view, key, lines: portfolioLines(account, prices, view) };
    return last.lines;
  };
}

function sameView(a: PortfolioView, b: PortfolioView): boolean {
  return a.width === b.width && a.height === b.height && a.selected === b.selected && a.theme === b.theme;
}
