/**
 * The market feed's slices as the screen reads them, and the demand a focused market (or an
 * open ticket) makes on the feed: its book, its trades and its 1-minute candles, released when
 * the view closes. A UI-side interface (src/app wires the feed to it), as ./task-source.ts is.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { SliceSource } from '../trading/feed/slice.js';
import type { MarketCode, Orderbook } from '../upbit/types.js';
import type { MarketSlices } from './MarketView.js';

export interface MarketData extends MarketSlices {
  /** Demand `market`'s book, trades and 1-minute candles (with their history); returns the release. */
  focus(market: MarketCode): () => void;
}

const NOTHING: SliceSource<never> = { subscribe: () => () => undefined, getSnapshot: () => undefined };

/** Hold the focus demand on `market` while mounted (none for null). */
export function useFocusDemand(data: MarketData | undefined, market: MarketCode | null): void {
  useEffect(() => (data === undefined || market === null ? undefined : data.focus(market)), [data, market]);
}

/** `market`'s book as last published: re-renders only when that market's book does. */
export function useBook(data: MarketData | undefined, market: MarketCode | null): Orderbook | undefined {
  const source = data === undefined || market === null ? NOTHING : data.books.source(market);
  return useSyncExternalStore(source.subscribe, source.getSnapshot);
}
