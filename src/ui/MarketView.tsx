import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { CandleSeries } from '../trading/feed/candle-series.js';
import type { OrderBooks } from '../trading/feed/order-books.js';
import type { TradeTapes } from '../trading/feed/trade-tapes.js';
import type { MarketCode } from '../upbit/types.js';
import { marketViewLayout } from './market-layout.js';
import { OrderBookPanel } from './OrderBookPanel.js';
import { fitLeft } from './panel-text.js';
import { PriceChartPanel } from './PriceChartPanel.js';
import type { Theme } from './theme.js';
import { TradeTapePanel } from './TradeTapePanel.js';

export { marketViewLayout, type MarketViewLayout } from './market-layout.js';

/** The slices the panels read; a `MarketFeed` is one. */
export interface MarketSlices {
  books: OrderBooks;
  tapes: TradeTapes;
  candles: CandleSeries;
}

export interface MarketViewProps {
  market: MarketCode;
  slices: MarketSlices;
  /** The body area: the terminal less the App's status and key lines. */
  columns: number;
  rows: number;
  theme: Theme;
}

/**
 * The focused market: book, trade tape and 1-minute chart laid out for the body size
 * (market-layout.ts). It reads no data itself: each panel subscribes to its own slice, so a new
 * trade re-renders the tape and nothing else.
 */
export const MarketView = memo(function MarketView({ market, slices, columns, rows, theme }: MarketViewProps) {
  const layout = useMemo(() => marketViewLayout(columns, rows), [columns, rows]);
  const { book, tape, chart, gap, note } = layout;
  return (
    <Box flexDirection="column" width={columns}>
      {book !== null && (
        <Box flexDirection="row" height={book.height}>
          <OrderBookPanel market={market} source={slices.books.source(market)} width={book.width} height={book.height} theme={theme} />
          {gap > 0 && <Box width={gap} flexShrink={0} />}
          {(tape !== null || chart !== null) && (
            <Box flexDirection="column">
              {tape !== null && (
                <Box height={tape.height}>
                  <TradeTapePanel market={market} source={slices.tapes.source(market)} width={tape.width} height={tape.height} theme={theme} />
                </Box>
              )}
              {chart !== null && <PriceChartPanel market={market} source={slices.candles.source(market, '1m')} width={chart.width} height={chart.height} theme={theme} />}
            </Box>
          )}
        </Box>
      )}
      {note !== null && <Text dimColor={theme.attributes}>{fitLeft(note, columns)}</Text>}
    </Box>
  );
});
