import { memo } from 'react';
import type { SliceSource } from '../trading/feed/slice.js';
import type { Candle, MarketCode } from '../upbit/types.js';
import { chartLines } from './chart-text.js';
import type { Line } from './panel-text.js';
import { SlicePanel, type DrawOptions } from './SlicePanel.js';
import type { Theme } from './theme.js';

export interface PriceChartPanelProps {
  market: MarketCode;
  /** `feed.candles.source(market, '1m')`: oldest first (the REST history, continued by the stream). */
  source: SliceSource<readonly Candle[]>;
  width: number;
  /** Rows, the title included. */
  height: number;
  theme: Theme;
}

const draw = (candles: readonly Candle[], o: DrawOptions): Line[] | null => (candles.length === 0 ? null : chartLines(candles, { ...o, height: o.rows }));

/** The focused market's 1-minute closes: re-rendered only when its candles are published. */
export const PriceChartPanel = memo(function PriceChartPanel({ market, source, width, height, theme }: PriceChartPanelProps) {
  return <SlicePanel market={market} source={source} draw={draw} title="1m chart" width={width} height={height} theme={theme} />;
});
