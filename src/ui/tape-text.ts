/**
 * The trade tape's lines, newest first: time, price, size, each trade in the colour of its
 * taker's side. Pure; every line exactly `width` cells.
 *
 * Time is the trade's `trade_timestamp` (ms, https://docs.upbit.com/kr/reference/websocket-trade)
 * shown in the local time zone of the machine running the TUI: the trader reads it against
 * their own clock (on a Korean desk that is KST anyway), and the table's ages are local too.
 */
import type { MarketCode, Trade } from '../upbit/types.js';
import { formatPrice } from './format.js';
import { clockText, fitLine, fitRight, formatSize, run, type Line, type Run } from './panel-text.js';
import { textWidth } from './text-width.js';
import type { Theme } from './theme.js';

export interface TapeOptions {
  market: MarketCode;
  width: number;
  /** Lines at most: the newest `rows` trades. */
  rows: number;
  theme: Theme;
}

const TIME = 8; // HH:MM:SS
/** A size needs no more: 8 decimals of a volume under 10. */
const SIZE_MAX = 10;

/**
 * Up to `rows` lines, the newest trade first. A `BID` trade (the buyer took an ask: a buy) is in
 * the rise colour, an `ASK` trade (a sell) in the fall colour, as the book colours its sides
 * (book-text.ts). Where the width is short the time goes first, then the size is cut.
 */
export function tapeLines(trades: readonly Trade[], opts: TapeOptions): Line[] {
  const { market, width, theme } = opts;
  const shown = trades.slice(0, Math.max(0, opts.rows));
  let priceWidth = 0;
  for (const t of shown) priceWidth = Math.max(priceWidth, textWidth(formatPrice(market, t.price)));
  const withTime = width >= TIME + 1 + priceWidth + 1 + 6;
  const sizeWidth = Math.min(SIZE_MAX, Math.max(0, width - priceWidth - 1 - (withTime ? TIME + 1 : 0)));
  return shown.map((t) => {
    const color = t.askBid === 'BID' ? theme.rise : theme.fall;
    const runs: Run[] = [];
    if (withTime) runs.push(run(`${clockText(t.tradeTimestamp)} `));
    runs.push(run(fitRight(formatPrice(market, t.price), priceWidth), color));
    if (sizeWidth > 0) runs.push(run(` ${fitRight(formatSize(t.volume, sizeWidth), sizeWidth)}`, color));
    return fitLine(runs, width);
  });
}
