/**
 * The focused market's streams for the TUI load benchmark's load source (./source.ts): binary
 * frames (UTF-8 JSON in a Buffer, DEFAULT keys, as the TUI asks for) of Upbit's `orderbook`,
 * `trade` and `candle.1m` messages (https://docs.upbit.com/kr/reference/websocket-orderbook,
 * `websocket-trade`, `websocket-candle`), with the fields of the recorded samples in
 * test/fixtures/ws/{orderbook,trade,candle-1m}-default.json in their order; and the REST answer
 * of `GET /v1/candles/minutes/1` (https://docs.upbit.com/kr/reference/list-candles-minutes,
 * test/fixtures/rest/v1/candles/minutes/1/GET-200.json). One walk per market: the book moves
 * a tick at a time on today's KRW grid, every trade takes the best quote of its side, and the
 * 1-minute candle (streamed and served) is made of those trades, so the three panels agree.
 */
import { readFileSync } from 'node:fs';

import { krwTickSizeNumber } from '../../src/upbit/tick-size.js';
import type { CandleWire } from '../../src/upbit/wire.js';
import { onTick, rng } from '../ingest/frames.js';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../test/fixtures/ws/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const ORDERBOOK_SAMPLE = fixture('orderbook-default.json');
const TRADE_SAMPLE = fixture('trade-default.json');
const CANDLE_SAMPLE = fixture('candle-1m-default.json');

const MINUTE = 60_000;
const KST = 9 * 3600_000;
/** `yyyy-MM-ddTHH:mm:ss` of `ms` moved by `shift`: Upbit's zone-less candle times. */
const dateTime = (ms: number, shift = 0): string => new Date(ms + shift).toISOString().slice(0, 19);
const round8 = (x: number): number => Number(x.toFixed(8));

/** The next price on the KRW grid above `p`, and below it (a band's edge changes the tick). */
function tickUp(p: number): number {
  const up = onTick(p + krwTickSizeNumber(p));
  return up > p ? up : onTick(p + 2 * krwTickSizeNumber(p));
}
function tickDown(p: number): number {
  return onTick(p - krwTickSizeNumber(p));
}

/** One REST candle, as Upbit answers `GET /v1/candles/minutes/1`: the stream's fields but `market` for `code`, and the unit. */
export type RestCandleWire = Omit<CandleWire, 'type' | 'code' | 'stream_type'> & { market: string; unit: 1 };

export interface FocusWalkOptions {
  market: string;
  /** Levels of the book (Upbit sends 15 unless a request asks for fewer). @default 15 */
  levels?: number;
  /** @default 20261202 */
  seed?: number;
}

export interface FocusWalk {
  /** A whole book (Upbit's books are snapshots, never deltas), a tick's move at most from the last, stamped `at`. */
  orderbook(at: number, streamType?: 'SNAPSHOT' | 'REALTIME'): Buffer;
  /** A trade at the best quote of a random side; it updates the minute's candle. */
  trade(at: number, streamType?: 'SNAPSHOT' | 'REALTIME'): Buffer;
  /** The 1-minute candle of `at`'s minute as the trades made it (the last price's if none yet). */
  candle(at: number, streamType?: 'SNAPSHOT' | 'REALTIME'): Buffer;
  /** The newest `count` 1-minute candles up to `at`'s, newest first (as Upbit answers), the newest the streamed one. */
  restCandles(count: number, at: number): RestCandleWire[];
}

export function focusWalk(opts: FocusWalkOptions): FocusWalk {
  const random = rng(opts.seed ?? 20261202);
  const levels = opts.levels ?? 15;
  const { market } = opts;
  // KRW-BTC near its real price; any other market anywhere in Upbit's range of magnitudes.
  const start = market === 'KRW-BTC' ? 103_460_000 : onTick(10 ** (1 + random() * 7));
  const prevClose = start;
  let bid = start;
  let ask = tickUp(bid);
  let bookAsk: { price: number; size: number }[] = [];
  let bookBid: { price: number; size: number }[] = [];
  let sequential = 0;
  let minute = -1;
  let c = { open: start, high: start, low: start, close: start, volume: 0, value: 0, at: 0 };
  const size = (): number => round8(0.0001 + random() * random() * 3);

  const rebuild = (): void => {
    // A quote may move a tick either way, the spread staying one or two ticks wide.
    const r = random();
    if (r < 0.2 && bid > start / 10) bid = tickDown(bid);
    else if (r > 0.8) bid = tickUp(bid);
    ask = random() < 0.8 ? tickUp(bid) : tickUp(tickUp(bid));
    bookAsk = [];
    bookBid = [];
    for (let i = 0, a = ask, b = bid; i < levels; i++, a = tickUp(a), b = tickDown(b)) {
      bookAsk.push({ price: a, size: size() });
      bookBid.push({ price: b, size: size() });
    }
  };
  const candleAt = (at: number): typeof c => {
    const m = Math.floor(at / MINUTE) * MINUTE;
    if (m !== minute) {
      minute = m;
      c = { open: c.close, high: c.close, low: c.close, close: c.close, volume: 0, value: 0, at: m };
    }
    return c;
  };
  rebuild();

  return {
    orderbook(at, streamType = 'REALTIME') {
      rebuild();
      const units = bookAsk.map((a, i) => ({ ask_price: a.price, bid_price: bookBid[i]?.price, ask_size: a.size, bid_size: bookBid[i]?.size }));
      const wire = {
        ...ORDERBOOK_SAMPLE,
        code: market,
        timestamp: at,
        total_ask_size: round8(bookAsk.reduce((s, u) => s + u.size, 0)),
        total_bid_size: round8(bookBid.reduce((s, u) => s + u.size, 0)),
        orderbook_units: units,
        level: 0,
        stream_type: streamType,
      };
      return Buffer.from(JSON.stringify(wire));
    },
    trade(at, streamType = 'REALTIME') {
      const askBid = random() < 0.5 ? 'ASK' : 'BID';
      // A seller (ASK) takes the best bid, a buyer the best ask.
      const price = askBid === 'ASK' ? bid : ask;
      const volume = size();
      const k = candleAt(at);
      k.close = price;
      k.high = Math.max(k.high, price);
      k.low = Math.min(k.low, price);
      k.volume = round8(k.volume + volume);
      k.value = round8(k.value + volume * price);
      k.at = at;
      // Upbit's trade number: the trade's time in µs, unique and rising.
      sequential = Math.max(sequential + 1, at * 1000);
      const date = new Date(at).toISOString();
      const wire = {
        ...TRADE_SAMPLE,
        code: market,
        timestamp: at,
        trade_date: date.slice(0, 10),
        trade_time: date.slice(11, 19),
        trade_timestamp: at - 1,
        trade_price: price,
        trade_volume: volume,
        ask_bid: askBid,
        prev_closing_price: prevClose,
        change: price > prevClose ? 'RISE' : price < prevClose ? 'FALL' : 'EVEN',
        change_price: Math.abs(price - prevClose),
        sequential_id: sequential,
        best_ask_price: bookAsk[0]?.price ?? ask,
        best_ask_size: bookAsk[0]?.size ?? 0,
        best_bid_price: bookBid[0]?.price ?? bid,
        best_bid_size: bookBid[0]?.size ?? 0,
        stream_type: streamType,
      };
      return Buffer.from(JSON.stringify(wire));
    },
    candle(at, streamType = 'REALTIME') {
      const k = candleAt(at);
      const wire = {
        ...CANDLE_SAMPLE,
        code: market,
        candle_date_time_utc: dateTime(minute),
        candle_date_time_kst: dateTime(minute, KST),
        opening_price: k.open,
        high_price: k.high,
        low_price: k.low,
        trade_price: k.close,
        candle_acc_trade_volume: k.volume,
        candle_acc_trade_price: k.value,
        timestamp: at,
        stream_type: streamType,
      };
      return Buffer.from(JSON.stringify(wire));
    },
    restCandles(count, at) {
      const k = candleAt(at);
      const out: RestCandleWire[] = [];
      const rest = (m: number, open: number, high: number, low: number, close: number, volume: number, value: number, last: number): RestCandleWire => ({
        market,
        candle_date_time_utc: dateTime(m),
        candle_date_time_kst: dateTime(m, KST),
        opening_price: open,
        high_price: high,
        low_price: low,
        trade_price: close,
        timestamp: last,
        candle_acc_trade_price: value,
        candle_acc_trade_volume: volume,
        unit: 1,
      });
      out.push(rest(minute, k.open, k.high, k.low, k.close, k.volume, k.value, Math.max(k.at, minute)));
      // Older minutes walk back from the newest's open: each closes where the next one opened.
      let close = k.open;
      for (let i = 1; i < count; i++) {
        const m = minute - i * MINUTE;
        const open = onTick(close * (1 + (random() - 0.5) * 0.004));
        let high = Math.max(open, close);
        let low = Math.min(open, close);
        if (random() < 0.7) high = tickUp(high);
        if (random() < 0.7 && low > start / 10) low = tickDown(low);
        const volume = round8(random() * 5);
        out.push(rest(m, open, high, low, close, volume, round8(volume * ((high + low) / 2)), m + 59_000));
        close = open;
      }
      return out;
    },
  };
}
