import { memo } from 'react';
import type { SliceSource } from '../trading/feed/slice.js';
import type { MarketCode, Trade } from '../upbit/types.js';
import type { Line } from './panel-text.js';
import { SlicePanel, type DrawOptions } from './SlicePanel.js';
import { tapeLines } from './tape-text.js';
import type { Theme } from './theme.js';

export interface TradeTapePanelProps {
  market: MarketCode;
  /** `feed.tapes.source(market)`: newest first. */
  source: SliceSource<readonly Trade[]>;
  width: number;
  /** Rows, the title included. */
  height: number;
  theme: Theme;
}

const draw = (trades: readonly Trade[], o: DrawOptions): Line[] | null => (trades.length === 0 ? null : tapeLines(trades, o));

/** The focused market's recent trades, newest first: re-rendered only when its tape is published. */
export const TradeTapePanel = memo(function TradeTapePanel({ market, source, width, height, theme }: TradeTapePanelProps) {
  return <SlicePanel market={market} source={source} draw={draw} title="Trades" width={width} height={height} theme={theme} />;
});
