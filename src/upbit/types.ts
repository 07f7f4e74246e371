/**
 * Domain types: what the rest of upbit-tui sees after a message has been narrowed at the
 * boundary (see `parse.ts`). camelCase, timestamps in ms.
 *
 * Quotation figures stay JavaScript numbers: Upbit sends them as IEEE doubles on the wire
 * (§2.3 of shared/upbit-api.md), the table and sparkline do arithmetic on them, and nothing
 * here is money we spend. Anything that becomes an order is converted to a decimal type at
 * the order boundary (src/trading), never computed in binary floats.
 */

/** A market code such as `KRW-BTC`: `{QUOTE}-{BASE}`, upper case. */
export type MarketCode = string;

export type Change = 'RISE' | 'EVEN' | 'FALL';
export type AskBid = 'ASK' | 'BID';
export type StreamType = 'SNAPSHOT' | 'REALTIME';

export interface Ticker {
  market: MarketCode;
  openingPrice: number;
  highPrice: number;
  lowPrice: number;
  tradePrice: number;
  prevClosingPrice: number;
  change: Change;
  /** Signed change against the previous close, in quote currency. */
  signedChangePrice: number;
  /** Signed change ratio against the previous close (0.015 = +1.5 %). */
  signedChangeRate: number;
  tradeVolume: number;
  accTradeVolume: number;
  accTradeVolume24h: number;
  /** Traded value since 00:00 UTC, quote currency. */
  accTradePrice: number;
  /** Rolling 24 h traded value, quote currency. */
  accTradePrice24h: number;
  askBid: AskBid | null;
  tradeTimestamp: number;
  /** When Upbit produced the message (ms). */
  timestamp: number;
  streamType: StreamType;
  marketState: string | null;
}

/** What one inbound quotation frame turned out to be. */
export type QuotationEvent =
  | { kind: 'ticker'; ticker: Ticker }
  /** The answer to a text `PING`: `{"status":"UP"}`. */
  | { kind: 'status'; status: string }
  /** Upbit's error object `{"error":{"name","message"}}`. */
  | { kind: 'error'; name: string; message: string }
  /** Anything we could not use; counted and dropped, never thrown. */
  | { kind: 'invalid'; reason: string };
