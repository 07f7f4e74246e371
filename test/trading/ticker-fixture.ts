import type { Ticker } from '../../src/upbit/types.js';

/** A plausible ticker; `price` and `prevClose` drive change, rate and direction. */
export function makeTicker(market: string, price: number, opts: { prevClose?: number; value24h?: number; at?: number } = {}): Ticker {
  const prevClose = opts.prevClose ?? price;
  const change = price - prevClose;
  return {
    market,
    openingPrice: prevClose,
    highPrice: Math.max(price, prevClose),
    lowPrice: Math.min(price, prevClose),
    tradePrice: price,
    prevClosingPrice: prevClose,
    change: change > 0 ? 'RISE' : change < 0 ? 'FALL' : 'EVEN',
    signedChangePrice: change,
    signedChangeRate: prevClose === 0 ? 0 : change / prevClose,
    tradeVolume: 0.01,
    accTradeVolume: 100,
    accTradeVolume24h: 200,
    accTradePrice: 1e10,
    accTradePrice24h: opts.value24h ?? 412_345_678_901,
    askBid: 'BID',
    tradeTimestamp: opts.at ?? 1_700_000_000_000,
    timestamp: opts.at ?? 1_700_000_000_000,
    streamType: 'REALTIME',
    marketState: 'ACTIVE',
  };
}
