import { memo } from 'react';
import type { SliceSource } from '../trading/feed/slice.js';
import type { MarketCode, Orderbook } from '../upbit/types.js';
import { bookFit, bookLines } from './book-text.js';
import type { Line } from './panel-text.js';
import { SlicePanel, type DrawOptions } from './SlicePanel.js';
import type { Theme } from './theme.js';

export interface OrderBookPanelProps {
  market: MarketCode;
  /** `feed.books.source(market)`. */
  source: SliceSource<Orderbook>;
  width: number;
  /** Rows, the title included where it fits (book-text.ts `bookFit`). */
  height: number;
  theme: Theme;
}

/** Without a title row the market's code goes on the spread line. */
const drawLabelled = (book: Orderbook, o: DrawOptions): Line[] => bookLines(book, { ...o, levels: bookFit(o.rows).levels, labelled: true });
const drawUnder = (book: Orderbook, o: DrawOptions): Line[] => bookLines(book, { ...o, levels: bookFit(o.rows + 1).levels });

/** The focused market's book: re-rendered only when this market's book is published. */
export const OrderBookPanel = memo(function OrderBookPanel({ market, source, width, height, theme }: OrderBookPanelProps) {
  const { title } = bookFit(height);
  const draw = title ? drawUnder : drawLabelled;
  return <SlicePanel market={market} source={source} draw={draw} title={`Order book ${market}`} titleRow={title} width={width} height={height} theme={theme} />;
});
