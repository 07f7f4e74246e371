export type { Demand, FeedData, FeedType } from './demands.js';
export { CandleSeries, type CandleSeriesOptions } from './candle-series.js';
export { loadCandleHistory, streamCandle, type CandleReader, type MinuteUnit } from './candle-history.js';
export { MarketFeed, type MarketFeedOptions } from './market-feed.js';
export { OrderBooks } from './order-books.js';
export type { SliceOptions, SliceSource } from './slice.js';
export { TradeTapes, type TradeTapesOptions } from './trade-tapes.js';
export { tickerRowSource } from './ticker-rows.js';
