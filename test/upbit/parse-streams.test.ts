/**
 * The trade, orderbook and candle parsers on fixtures in Upbit's shapes (test/fixtures/ws/README.md),
 * DEFAULT and SIMPLE, through the same entry point as the ticker (the shared envelope).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { narrowQuotationMessage, parseQuotationFrame } from '../../src/upbit/parse.js';
import { narrowPrivateMessage } from '../../src/upbit/parse-private.js';
import type { Candle, Orderbook, QuotationEvent, Trade } from '../../src/upbit/types.js';

const frame = (name: string): Buffer => readFileSync(new URL(`../fixtures/ws/${name}`, import.meta.url));

function only<K extends QuotationEvent['kind']>(events: QuotationEvent[], kind: K): Extract<QuotationEvent, { kind: K }> {
  expect(events).toHaveLength(1);
  const [ev] = events;
  if (ev?.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(ev)}`);
  return ev as Extract<QuotationEvent, { kind: K }>;
}

const TRADE: Trade = {
  market: 'KRW-BTC',
  price: 32287000,
  volume: 0.03103806,
  askBid: 'ASK',
  sequentialId: 1676965262139000,
  tradeTimestamp: 1676965262139,
  timestamp: 1676965262177,
  prevClosingPrice: 31883000,
  change: 'RISE',
  changePrice: 404000,
  bestAsk: { price: 32293000, size: 0.04414411 },
  bestBid: { price: 32287000, size: 0.01202163 },
  streamType: 'REALTIME',
};

const BOOK: Orderbook = {
  market: 'KRW-BTC',
  units: [
    { askPrice: 32293000, bidPrice: 32287000, askSize: 0.04414411, bidSize: 0.01202163 },
    { askPrice: 32294000, bidPrice: 32286000, askSize: 1.62110282, bidSize: 0.5 },
    { askPrice: 32300000, bidPrice: 32280000, askSize: 3.1263372, bidSize: 2.14407462 },
  ],
  totalAskSize: 4.79158413,
  totalBidSize: 2.65609625,
  level: 0,
  timestamp: 1676965262177,
  streamType: 'SNAPSHOT',
};

const CANDLE_1M: Candle = {
  market: 'KRW-BTC',
  unit: '1m',
  start: Date.UTC(2023, 1, 21, 7, 41, 0),
  open: 32280000,
  high: 32294000,
  low: 32279000,
  close: 32287000,
  volume: 1.20618543,
  turnover: 38944417.24,
  timestamp: 1676965262177,
  streamType: 'REALTIME',
};

describe('trade', () => {
  it('DEFAULT and SIMPLE give the same trade', () => {
    expect(only(parseQuotationFrame(frame('trade-default.json')), 'trade').trade).toEqual(TRADE);
    expect(only(parseQuotationFrame(frame('trade-simple.json')), 'trade').trade).toEqual(TRADE);
  });

  it('a trade from before the best quotes existed has them as null, not 0', () => {
    const t = only(parseQuotationFrame(frame('trade-before-best-quotes.json')), 'trade').trade;
    expect(t).toMatchObject({ market: 'KRW-ETH', price: 137050, askBid: 'BID', bestAsk: null, bestBid: null, streamType: 'SNAPSHOT' });
  });

  it('the previous close and the message time are optional; the trade time stands in for the latter', () => {
    const ev = narrowQuotationMessage({ ty: 'trade', cd: 'KRW-BTC', tp: 32287000, tv: 0.5, ab: 'BID', ttms: 1676965262139, sid: 7 });
    expect(ev).toMatchObject({ kind: 'trade', trade: { prevClosingPrice: null, change: null, changePrice: null, timestamp: 1676965262139, streamType: 'REALTIME' } });
  });

  it.each([
    ['malformed-trade-zero-volume.json', 'trade_volume is 0: a trade moves a positive volume'],
    ['malformed-trade-bad-side.json', "ask_bid is 'SELL', not ASK/BID"],
    ['malformed-trade-no-sequential-id.json', 'sequential_id is missing'],
    ['malformed-trade-string-best-ask.json', "best_ask_price is not a finite number ('32293000')"],
  ])('%s is refused: %s', (name, reason) => {
    expect(only(parseQuotationFrame(frame(name)), 'invalid').reason).toBe(reason);
  });

  it('a price off the KRW grid is refused like a ticker’s', () => {
    const ev = narrowQuotationMessage({ type: 'trade', code: 'KRW-BTC', trade_price: 32287000.0001, trade_volume: 1, ask_bid: 'ASK', trade_timestamp: 1, sequential_id: 1 });
    expect(ev).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^trade_price is off the KRW price grid/) as unknown });
  });
});

describe('orderbook', () => {
  it('DEFAULT and SIMPLE give the same book', () => {
    expect(only(parseQuotationFrame(frame('orderbook-default.json')), 'orderbook').orderbook).toEqual(BOOK);
    expect(only(parseQuotationFrame(frame('orderbook-simple.json')), 'orderbook').orderbook).toEqual({ ...BOOK, streamType: 'REALTIME' });
  });

  it('a SIMPLE_LIST frame: the .N suffix is removed, missing totals are summed, an empty book is a book', () => {
    const events = parseQuotationFrame(frame('orderbook-simple-list.json'));
    expect(events.map((e) => e.kind)).toEqual(['orderbook', 'orderbook']);
    const [eth, xrp] = events;
    expect(eth).toMatchObject({ orderbook: { market: 'KRW-ETH', totalAskSize: 12.5, units: [{ askPrice: 2305000 }, { askPrice: 2306000 }] } });
    expect(xrp).toMatchObject({ orderbook: { market: 'KRW-XRP', units: [], totalAskSize: 0, totalBidSize: 0, level: 0 } });
  });

  it.each([
    ['malformed-orderbook-crossed.json', 'the book is crossed: best bid 32293000 is not below best ask 32293000'],
    ['malformed-orderbook-unsorted.json', 'orderbook_units[2].ask_price 32290000 is not above the level before it (32294000)'],
    ['malformed-orderbook-null-size.json', 'orderbook_units[1].bid_size is missing'],
  ])('%s is refused: %s', (name, reason) => {
    expect(only(parseQuotationFrame(frame(name)), 'invalid').reason).toBe(reason);
  });

  it('units that are not a list are refused', () => {
    expect(narrowQuotationMessage({ type: 'orderbook', code: 'KRW-BTC', timestamp: 1, orderbook_units: {} })).toEqual({ kind: 'invalid', reason: 'orderbook_units is a object, not a list' });
  });
});

describe('candle.*', () => {
  it('DEFAULT candle.1m and SIMPLE candle.1s', () => {
    expect(only(parseQuotationFrame(frame('candle-1m-default.json')), 'candle').candle).toEqual(CANDLE_1M);
    const s = only(parseQuotationFrame(frame('candle-1s-simple.json')), 'candle').candle;
    expect(s).toMatchObject({ unit: '1s', start: Date.UTC(2023, 1, 21, 7, 41, 2), open: 32287000, close: 32287000, volume: 0.03103806, streamType: 'SNAPSHOT' });
  });

  it('every interval Upbit streams is read, with its unit', () => {
    for (const unit of ['3m', '5m', '10m', '15m', '30m', '60m', '240m']) {
      const ev = narrowQuotationMessage({ type: `candle.${unit}`, code: 'KRW-BTC', candle_date_time_utc: '2023-02-21T04:00:00', opening_price: 1000, high_price: 1000, low_price: 1000, trade_price: 1000, candle_acc_trade_volume: 1, candle_acc_trade_price: 1000, timestamp: 1 });
      expect(ev).toMatchObject({ kind: 'candle', candle: { unit } });
    }
  });

  it.each([
    ['malformed-candle-misaligned.json', 'candle_date_time_utc 2023-02-21T07:41:30 is not the start of a 1m candle'],
    ['malformed-candle-close-above-high.json', 'prices do not fit one candle (open 32280000, high 32285000, low 32279000, close 32287000)'],
    ['malformed-candle-impossible-date.json', "candle_date_time_utc is '2023-02-30T07:41:00', not a yyyy-MM-ddTHH:mm:ss time"],
  ])('%s is refused: %s', (name, reason) => {
    expect(only(parseQuotationFrame(frame(name)), 'invalid').reason).toBe(reason);
  });
});

describe('one envelope for every stream', () => {
  it('error and status frames read the same on the quotation and the private stream', () => {
    const error = { error: { name: 'WRONG_FORMAT', message: 'bad' } };
    expect(narrowQuotationMessage(error)).toEqual({ kind: 'error', name: 'WRONG_FORMAT', message: 'bad' });
    expect(narrowPrivateMessage(error)).toEqual({ kind: 'error', name: 'WRONG_FORMAT', message: 'bad' });
    expect(narrowQuotationMessage({ status: 'UP' })).toEqual(narrowPrivateMessage({ status: 'UP' }));
  });

  it('each stream knows only its own types', () => {
    expect(narrowPrivateMessage({ type: 'trade' })).toEqual({ kind: 'invalid', reason: "unknown type 'trade'" });
    expect(narrowQuotationMessage({ ty: 'myOrder' })).toEqual({ kind: 'invalid', reason: "unknown type 'myOrder'" });
  });
});
