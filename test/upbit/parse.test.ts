import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRecord } from '../../src/upbit/json-narrow.js';
import { implausiblePrice, narrowQuotationMessage, parseQuotationFrame } from '../../src/upbit/parse.js';
import type { QuotationEvent, Ticker } from '../../src/upbit/types.js';
import { TICKER_SIMPLE_KEYS, toSimpleKeys } from '../../src/upbit/wire.js';

const fixtureUrl = (name: string): URL => new URL(`../fixtures/ws/${name}`, import.meta.url);
/** A fixture as Upbit sends it: a binary frame (a Buffer) of UTF-8 JSON. */
const frame = (name: string): Buffer => readFileSync(fixtureUrl(name));
const text = (name: string): string => readFileSync(fixtureUrl(name), 'utf8');
function fixtureObject(name: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text(name));
  if (!isRecord(value)) throw new Error(`${name} is not a JSON object`);
  return value;
}

function onlyTicker(events: QuotationEvent[]): Ticker {
  expect(events).toHaveLength(1);
  const [ev] = events;
  if (ev?.kind !== 'ticker') throw new Error(`expected a ticker, got ${JSON.stringify(ev)}`);
  return ev.ticker;
}

function onlyInvalid(events: QuotationEvent[]): string {
  expect(events).toHaveLength(1);
  const [ev] = events;
  if (ev?.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(ev)}`);
  return ev.reason;
}

/** The KRW-BTC example of Upbit's ticker page (docs/upbit-protocol.md#ticker), as domain values. */
const KRW_BTC: Ticker = {
  market: 'KRW-BTC',
  openingPrice: 31883000,
  highPrice: 32310000,
  lowPrice: 31855000,
  tradePrice: 32287000,
  prevClosingPrice: 31883000,
  change: 'RISE',
  signedChangePrice: 404000,
  signedChangeRate: 0.0126713295,
  tradeVolume: 0.03103806,
  accTradeVolume: 2429.58834336,
  accTradeVolume24h: 7158.8028356,
  accTradePrice: 78039261076.51241,
  accTradePrice24h: 228827082483.70728,
  askBid: 'ASK',
  tradeTimestamp: 1676965262139,
  timestamp: 1676965262177,
  streamType: 'REALTIME',
  marketState: 'ACTIVE',
};

describe('parseQuotationFrame: Upbit message shapes', () => {
  it('parses a DEFAULT-format ticker from a binary frame', () => {
    expect(onlyTicker(parseQuotationFrame(frame('ticker-default.json')))).toEqual(KRW_BTC);
  });

  it('parses the same ticker from a text frame, an ArrayBuffer and fragments', () => {
    const buf = frame('ticker-default.json');
    expect(onlyTicker(parseQuotationFrame(text('ticker-default.json')))).toEqual(KRW_BTC);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    expect(ab).toBeInstanceOf(ArrayBuffer);
    if (!(ab instanceof ArrayBuffer)) return;
    expect(onlyTicker(parseQuotationFrame(ab))).toEqual(KRW_BTC);
    // Split inside a multi-byte character (none in this fixture, so split anywhere).
    expect(onlyTicker(parseQuotationFrame([buf.subarray(0, 100), buf.subarray(100)]))).toEqual(KRW_BTC);
  });

  it('parses a SIMPLE-format ticker to the same domain values', () => {
    expect(onlyTicker(parseQuotationFrame(frame('ticker-simple.json')))).toEqual(KRW_BTC);
  });

  it('agrees with the shared DEFAULT → SIMPLE table the simulator encodes with', () => {
    const simple = toSimpleKeys(fixtureObject('ticker-default.json'), TICKER_SIMPLE_KEYS);
    expect(simple).toEqual(JSON.parse(text('ticker-simple.json')));
    expect(onlyTicker(parseQuotationFrame(JSON.stringify(simple)))).toEqual(KRW_BTC);
  });

  it('parses a SIMPLE_LIST frame into one event per element', () => {
    const events = parseQuotationFrame(frame('ticker-simple-list.json'));
    expect(events.map((e) => e.kind)).toEqual(['ticker', 'ticker']);
    const [btc, eth] = events;
    expect(btc).toEqual({ kind: 'ticker', ticker: { ...KRW_BTC, streamType: 'SNAPSHOT' } });
    expect(eth).toMatchObject({
      kind: 'ticker',
      ticker: { market: 'KRW-ETH', change: 'FALL', signedChangePrice: -11000, signedChangeRate: -0.0048203331, askBid: 'BID' },
    });
  });

  it('parses the 2018 sample: `market` instead of `code`, legacy extras ignored, null 24 h figures → 0', () => {
    expect(onlyTicker(parseQuotationFrame(frame('ticker-legacy-market-key.json')))).toEqual({
      market: 'KRW-BTC',
      openingPrice: 8613000,
      highPrice: 8652000,
      lowPrice: 8524000,
      tradePrice: 8579000,
      prevClosingPrice: 8613000,
      change: 'FALL',
      signedChangePrice: -34000,
      signedChangeRate: -0.0039475212,
      tradeVolume: 0.0100521,
      accTradeVolume: 2005.37296163,
      accTradeVolume24h: 0,
      accTradePrice: 17230718513.7654,
      accTradePrice24h: 0,
      askBid: 'BID',
      tradeTimestamp: 1527401692000,
      timestamp: 1527401692512,
      streamType: 'REALTIME',
      marketState: 'ACTIVE',
    } satisfies Ticker);
  });

  it('parses {"status":"UP"}', () => {
    expect(parseQuotationFrame(frame('status-up.json'))).toEqual([{ kind: 'status', status: 'UP' }]);
  });

  it('parses error objects with string and numeric names', () => {
    expect(parseQuotationFrame(frame('error-wrong-format.json'))).toEqual([
      { kind: 'error', name: 'WRONG_FORMAT', message: '요청 형식이 올바르지 않습니다.' },
    ]);
    expect(parseQuotationFrame(frame('error-no-ticket.json'))).toEqual([
      { kind: 'error', name: 'NO_TICKET', message: '티켓 필드가 누락되었습니다.' },
    ]);
    expect(parseQuotationFrame(frame('error-numeric-name.json'))).toEqual([
      { kind: 'error', name: '400', message: 'Invalid parameter. Check the given value!' },
    ]);
  });
});

describe('parseQuotationFrame: tolerant on optional fields', () => {
  const minimal = {
    type: 'ticker',
    code: 'KRW-XRP',
    trade_price: 510,
    prev_closing_price: 500,
    change: 'RISE',
    trade_timestamp: 1_700_000_000_000,
    timestamp: 1_700_000_000_050,
  };

  it('derives open/high/low and the signed change from the required fields', () => {
    expect(onlyTicker(parseQuotationFrame(JSON.stringify(minimal)))).toEqual({
      market: 'KRW-XRP',
      openingPrice: 500,
      highPrice: 510,
      lowPrice: 500,
      tradePrice: 510,
      prevClosingPrice: 500,
      change: 'RISE',
      signedChangePrice: 10,
      signedChangeRate: 0.02,
      tradeVolume: 0,
      accTradeVolume: 0,
      accTradeVolume24h: 0,
      accTradePrice: 0,
      accTradePrice24h: 0,
      askBid: null,
      tradeTimestamp: 1_700_000_000_000,
      timestamp: 1_700_000_000_050,
      streamType: 'REALTIME',
      marketState: null,
    } satisfies Ticker);
  });

  it('signs the unsigned change fields by `change` when the signed ones are missing', () => {
    const t = onlyTicker(
      parseQuotationFrame(JSON.stringify({ ...minimal, trade_price: 490, change: 'FALL', change_price: 10, change_rate: 0.02 })),
    );
    expect(t.signedChangePrice).toBe(-10);
    expect(t.signedChangeRate).toBe(-0.02);
  });

  it('does not divide by a zero previous close', () => {
    expect(onlyTicker(parseQuotationFrame(JSON.stringify({ ...minimal, prev_closing_price: 0 }))).signedChangeRate).toBe(0);
  });

  it('maps unknown ask_bid and stream_type values to null / REALTIME', () => {
    const t = onlyTicker(parseQuotationFrame(JSON.stringify({ ...minimal, ask_bid: 'SELL', stream_type: 42 })));
    expect(t.askBid).toBeNull();
    expect(t.streamType).toBe('REALTIME');
  });
});

describe('implausiblePrice: refuses only prices no Upbit market could print', () => {
  it.each<[string, number]>([
    ['KRW-BTC', 130_512_000],
    ['KRW-BTC', 130_512_500], // half the 1M+ tick: an older table, or a resting order
    ['KRW-ETH', 4_800_000],
    ['KRW-XRP', 3_100.5], // the 0.5 USDT/KRW-style tick
    ['KRW-DOGE', 412.3], // 0.1 tick (2024 table) in today's 1-won band
    ['KRW-SHIB', 0.01234], // 0.00001 tick
    ['KRW-PEPE', 0.00001234],
    ['KRW-XYZ', 0.00000001],
    ['BTC-ETH', 0.03456789],
    ['BTC-XRP', 0.00000812],
    ['USDT-BTC', 98_765.43],
    ['USDT-SHIB', 0.00001234],
  ])('%s at %d is plausible', (market, price) => {
    expect(implausiblePrice(market, price)).toBeNull();
  });

  it.each<[string, number, RegExp]>([
    ['KRW-BTC', 0, /not a positive price/],
    ['KRW-BTC', -1, /not a positive price/],
    ['KRW-BTC', Number.NaN, /not a positive price/],
    ['KRW-BTC', 1e20, /beyond any price/],
    ['BTC-ETH', 1e16, /beyond any price/],
    ['BTC-ETH', 1e-9, /below the finest tick/],
    ['KRW-BTC', 130_512_000.25, /off the KRW price grid/],
    ['KRW-XRP', 3_100.0001, /off the KRW price grid/],
  ])('%s at %d is refused', (market, price, why) => {
    expect(implausiblePrice(market, price)).toMatch(why);
  });
});

describe('parseQuotationFrame: malformed input becomes invalid events', () => {
  it.each([
    ['malformed-truncated.txt', 'invalid JSON'],
    ['malformed-string-price.json', "trade_price is not a finite number ('32287000')"],
    ['malformed-nan-string.json', "trade_price is not a finite number ('NaN')"],
    ['malformed-infinite-price.json', 'trade_price is not a finite number (Infinity)'],
    ['malformed-negative-price.json', 'trade_price is negative'],
    ['malformed-zero-price.json', 'trade_price is not a positive price (0)'],
    ['malformed-huge-price.json', 'trade_price is beyond any price a market can have (100000000000000000000)'],
    ['malformed-off-grid-price.json', 'trade_price is off the KRW price grid by orders of magnitude (32287000.0001234, tick 1000)'],
    ['malformed-bad-change.json', "change is 'UP', not RISE/EVEN/FALL"],
    ['malformed-unknown-type.json', "unknown type 'foo'"],
    ['malformed-optional-wrong-type.json', "high_price is not a finite number ('32310000')"],
  ])('%s → %s', (name, reason) => {
    expect(onlyInvalid(parseQuotationFrame(frame(name)))).toBe(reason);
  });

  it('keeps the valid elements of a list with invalid ones', () => {
    const events = parseQuotationFrame(frame('malformed-mixed-list.json'));
    expect(events.map((e) => e.kind)).toEqual(['ticker', 'invalid', 'invalid', 'status']);
    expect(events[1]).toEqual({ kind: 'invalid', reason: 'trade_price is missing' });
    expect(events[2]).toEqual({ kind: 'invalid', reason: 'message is 42, not an object' });
  });

  it.each<[string, string | Buffer, string]>([
    ['non-UTF-8 bytes', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid UTF-8'],
    ['an empty frame', Buffer.alloc(0), 'invalid JSON'],
    ['an empty list', '[]', 'empty list'],
    ['a JSON primitive', '"ticker"', "message is 'ticker', not an object"],
    ['null', 'null', 'message is null, not an object'],
    ['a message without type', '{"code":"KRW-BTC"}', 'message has no type'],
    ['a numeric type', '{"type":7}', 'type is 7, not a string'],
    ['a trade message without its figures', '{"type":"trade","code":"KRW-BTC"}', 'trade_price is missing'],
    ['a candle interval Upbit does not stream', '{"type":"candle.2m","code":"KRW-BTC"}', "unknown type 'candle.2m'"],
    ['a non-string status', '{"status":1}', 'status is not a string'],
    ['an error that is a string', '{"error":"boom"}', 'error is not an object'],
    ['an error without a name', '{"error":{"message":"x"}}', 'error.name is neither a string nor a number'],
    ['a missing code', '{"type":"ticker","trade_price":1}', 'code is missing, not a market code'],
    ['an empty code', '{"ty":"ticker","cd":""}', "code is '', not a market code"],
    ['a very long type, truncated in the reason', `{"type":"${'x'.repeat(10_000)}"}`, `unknown type '${'x'.repeat(24)}…'`],
  ])('%s', (_what, data, reason) => {
    expect(onlyInvalid(parseQuotationFrame(data))).toBe(reason);
  });

  it('rejects a ticker missing its timestamps', () => {
    const { timestamp: _t, ...noTimestamp } = fixtureObject('ticker-default.json');
    expect(onlyInvalid(parseQuotationFrame(JSON.stringify(noTimestamp)))).toBe('timestamp is missing');
  });
});

describe('parseQuotationFrame: never throws (fuzz)', () => {
  const isEvent = (e: QuotationEvent): boolean => ['ticker', 'status', 'error', 'invalid'].includes(e.kind);
  const check = (data: string | Buffer): void => {
    const events = parseQuotationFrame(data);
    expect(Array.isArray(events)).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every(isEvent)).toBe(true);
  };

  it('any JSON text', () => {
    fc.assert(fc.property(fc.json(), (json) => check(json)), { numRuns: 2_000 });
  });

  it('any JS value that survives JSON.stringify, as a binary frame', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const json = JSON.stringify(value) as string | undefined;
        check(Buffer.from(json ?? 'undefined', 'utf8'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('any narrowed value, including ones JSON cannot carry', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true }), (value) => {
        expect(isEvent(narrowQuotationMessage(value))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => check(Buffer.from(bytes))), { numRuns: 2_000 });
  });

  it('tickers with every field replaced by arbitrary JSON values', () => {
    const base = fixtureObject('ticker-default.json');
    const keys = Object.keys(base);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, v) => {
        const events = parseQuotationFrame(JSON.stringify({ ...base, [key]: v }));
        expect(events).toHaveLength(1);
        const [ev] = events;
        if (ev?.kind === 'ticker') {
          for (const n of [ev.ticker.tradePrice, ev.ticker.prevClosingPrice, ev.ticker.highPrice, ev.ticker.accTradePrice24h]) {
            expect(Number.isFinite(n) && n >= 0).toBe(true);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
