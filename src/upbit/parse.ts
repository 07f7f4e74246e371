/**
 * The quotation WebSocket boundary: one inbound frame (binary UTF-8 JSON, or text) in,
 * domain {@link QuotationEvent}s out. Every value is narrowed from `unknown`; nothing here
 * throws, whatever the bytes — a bad frame becomes `{kind: 'invalid', reason}`.
 *
 * Strict where a wrong value would mislead a trader (the last price, the previous close,
 * the direction of change, when it happened); tolerant on the rest, because Upbit has added,
 * renamed and null-ed ticker fields over the years (docs/upbit-protocol.md#ticker: `market`
 * before `code`, `null` 24 h figures before 2019-03, fields marked deprecated). A missing
 * optional figure is derived from the required ones or defaults to 0 / null; a figure that is
 * *present* but not a finite number still rejects the message, since that means corruption
 * rather than an older server.
 *
 * Hot path (thousands of messages per second): one decode, one `JSON.parse`, property reads
 * through a precomputed key table (no renaming copy for SIMPLE), one result array and the
 * event itself. Reason strings are built only on failure.
 */
import { decodeJsonValue, INVALID_JSON, INVALID_UTF8 } from './frame.js';
import { CANDLE_UNITS, type AskBid, type Change, type QuotationEvent, type Ticker } from './types.js';
import { TICKER_SIMPLE_KEYS, type TickerWire } from './wire.js';
import { describeValue, isNonEmptyString, isRecord, type JsonRecord } from './json-narrow.js';
import { keyTables, narrowEnvelope, narrowStreamType, type BodyParser, type KeyStyle } from './parse-envelope.js';
import { figureProblem, implausiblePrice, optional, required } from './parse-figures.js';
import { narrowCandle } from './parse-candle.js';
import { narrowOrderbook } from './parse-orderbook.js';
import { narrowTrade } from './parse-trade.js';

export { implausiblePrice } from './parse-figures.js';

/** What the `message` event of a `ws` socket can hand over, plus plain strings. */
export type QuotationFrameData = Buffer | ArrayBuffer | Buffer[] | string;

type TickerKeys = Readonly<Record<keyof TickerWire, string>>;

const { SIMPLE: SIMPLE_KEYS, DEFAULT: DEFAULT_KEYS }: Readonly<Record<KeyStyle, TickerKeys>> = keyTables(TICKER_SIMPLE_KEYS);

function invalid(reason: string): QuotationEvent {
  return { kind: 'invalid', reason };
}

/** The body parser of every quotation type: the ticker here, the others in their own files. */
const QUOTATION_PARSERS: ReadonlyMap<string, BodyParser<QuotationEvent>> = new Map<string, BodyParser<QuotationEvent>>([
  ['ticker', (o, style) => tickerEvent(narrowTicker(o, style === 'SIMPLE' ? SIMPLE_KEYS : DEFAULT_KEYS))],
  ['trade', narrowTrade],
  ['orderbook', narrowOrderbook],
  ...CANDLE_UNITS.map((unit): [string, BodyParser<QuotationEvent>] => [`candle.${unit}`, narrowCandle]),
]);

/**
 * Decode and narrow one WebSocket frame. A single object yields one event; an array (the
 * `JSON_LIST` / `SIMPLE_LIST` formats) yields one event per element. Never throws; never
 * returns an empty array.
 */
export function parseQuotationFrame(data: QuotationFrameData): QuotationEvent[] {
  const out: QuotationEvent[] = [];
  forEachQuotationEvent(data, (ev) => {
    out.push(ev);
  });
  return out;
}

/**
 * {@link parseQuotationFrame} without the array: hands each event of the frame to `visit`, in
 * order, synchronously (at least one: a bad frame is one `invalid` event). The quotation
 * client's per-frame path (docs/performance.md, "after J"). Never throws but what `visit` throws.
 *
 * With `onTicker`, a DEFAULT-format ticker goes to it as the bare {@link Ticker}, without the
 * event around it and without the envelope's lookup of its parser (docs/performance.md,
 * "After L"); everything else, an invalid ticker included, still goes to `visit`, in order.
 */
export function forEachQuotationEvent(data: QuotationFrameData, visit: (ev: QuotationEvent) => void, onTicker?: (t: Ticker) => void): void {
  const value = decodeJsonValue(data);
  if (value === INVALID_UTF8 || value === INVALID_JSON) {
    visit(invalid(value === INVALID_UTF8 ? INVALID_UTF8.reason : INVALID_JSON.reason));
    return;
  }
  if (!Array.isArray(value)) {
    if (onTicker === undefined) visit(narrowQuotationMessage(value));
    else visitMessage(value, visit, onTicker);
    return;
  }
  const n = value.length;
  if (n === 0) {
    visit(invalid('empty list'));
    return;
  }
  for (let i = 0; i < n; i++) {
    if (onTicker === undefined) visit(narrowQuotationMessage(value[i]));
    else visitMessage(value[i], visit, onTicker);
  }
}

/**
 * One message with a ticker shortcut: what `narrowEnvelope` does for an object whose `type` is
 * `ticker` (DEFAULT keys, the ticker's parser), then the bare ticker to `onTicker`. Proved to
 * give the same events as {@link narrowQuotationMessage} by test/upbit/frame-visit.property.test.ts.
 */
function visitMessage(v: unknown, visit: (ev: QuotationEvent) => void, onTicker: (t: Ticker) => void): void {
  if (isRecord(v) && v.type === 'ticker') {
    const t = narrowTicker(v, DEFAULT_KEYS);
    if (typeof t === 'string') visit(invalid(t));
    else onTicker(t);
    return;
  }
  visit(narrowQuotationMessage(v));
}

/** Narrow one already-parsed message (one element of a frame): the shared envelope, then its body. */
export function narrowQuotationMessage(v: unknown): QuotationEvent {
  return narrowEnvelope(v, QUOTATION_PARSERS);
}

function narrowChange(v: unknown): Change | null {
  return v === 'RISE' || v === 'EVEN' || v === 'FALL' ? v : null;
}

function narrowAskBid(v: unknown): AskBid | null {
  return v === 'ASK' || v === 'BID' ? v : null;
}

/**
 * A DEFAULT-format ticker's fields as `unknown`: `JsonRecord` is assignable to it, so the
 * DEFAULT reads below are named property loads checked against the wire type, not casts.
 */
type DefaultTickerRecord = { readonly [P in keyof TickerWire | 'market']?: unknown };

/** The ticker, or why it was refused (the event is made by {@link tickerEvent}, or not at all). */
function narrowTicker(o: JsonRecord, k: TickerKeys): Ticker | string {
  // Every field is read once, up front. DEFAULT (what the app subscribes with) reads by name,
  // which the JIT turns into one inline-cached load per field; SIMPLE goes through the shared
  // key table. Measured (docs/performance.md): the table lookup per field cost about a third
  // of the narrowing.
  const simple = k !== DEFAULT_KEYS;
  const d: DefaultTickerRecord = o;
  // The 2018 sample named the pair `market`; DEFAULT format only.
  const code = simple ? o[k.code] : d.code !== undefined ? d.code : d.market;
  const rawTradePrice = simple ? o[k.trade_price] : d.trade_price;
  const rawPrevClose = simple ? o[k.prev_closing_price] : d.prev_closing_price;
  const rawChange = simple ? o[k.change] : d.change;
  const rawTimestamp = simple ? o[k.timestamp] : d.timestamp;
  const rawTradeTimestamp = simple ? o[k.trade_timestamp] : d.trade_timestamp;
  if (!isNonEmptyString(code)) return `code is ${describeValue(code)}, not a market code`;

  const tradePrice = required(rawTradePrice, false);
  if (Number.isNaN(tradePrice)) return figureProblem('trade_price', rawTradePrice, false);
  const implausible = implausiblePrice(code, tradePrice);
  if (implausible !== null) return `trade_price ${implausible}`;
  const prevClosingPrice = required(rawPrevClose, false);
  if (Number.isNaN(prevClosingPrice)) return figureProblem('prev_closing_price', rawPrevClose, false);
  const change = narrowChange(rawChange);
  if (change === null) return `change is ${describeValue(rawChange)}, not RISE/EVEN/FALL`;
  const timestamp = required(rawTimestamp, false);
  if (Number.isNaN(timestamp)) return figureProblem('timestamp', rawTimestamp, false);
  const tradeTimestamp = required(rawTradeTimestamp, false);
  if (Number.isNaN(tradeTimestamp)) return figureProblem('trade_timestamp', rawTradeTimestamp, false);

  const opening = optional(simple ? o[k.opening_price] : d.opening_price, false);
  const high = optional(simple ? o[k.high_price] : d.high_price, false);
  const low = optional(simple ? o[k.low_price] : d.low_price, false);
  const changePrice = optional(simple ? o[k.change_price] : d.change_price, false);
  const signedChangePrice = optional(simple ? o[k.signed_change_price] : d.signed_change_price, true);
  const changeRate = optional(simple ? o[k.change_rate] : d.change_rate, false);
  const signedChangeRate = optional(simple ? o[k.signed_change_rate] : d.signed_change_rate, true);
  const tradeVolume = optional(simple ? o[k.trade_volume] : d.trade_volume, false);
  const accTradeVolume = optional(simple ? o[k.acc_trade_volume] : d.acc_trade_volume, false);
  const accTradeVolume24h = optional(simple ? o[k.acc_trade_volume_24h] : d.acc_trade_volume_24h, false);
  const accTradePrice = optional(simple ? o[k.acc_trade_price] : d.acc_trade_price, false);
  const accTradePrice24h = optional(simple ? o[k.acc_trade_price_24h] : d.acc_trade_price_24h, false);
  if (
    Number.isNaN(opening) ||
    Number.isNaN(high) ||
    Number.isNaN(low) ||
    Number.isNaN(changePrice) ||
    Number.isNaN(signedChangePrice) ||
    Number.isNaN(changeRate) ||
    Number.isNaN(signedChangeRate) ||
    Number.isNaN(tradeVolume) ||
    Number.isNaN(accTradeVolume) ||
    Number.isNaN(accTradeVolume24h) ||
    Number.isNaN(accTradePrice) ||
    Number.isNaN(accTradePrice24h)
  ) {
    // Name the culprit only now, off the hot path.
    return optionalProblem(o, k);
  }

  // Derivations for older or trimmed messages: the day opens at the previous close
  // (both are 00:00 UTC figures), and the sign of a change comes from `change`.
  const sign = change === 'FALL' ? -1 : change === 'RISE' ? 1 : 0;
  const openingPrice = opening ?? prevClosingPrice;
  const marketState = simple ? o[k.market_state] : d.market_state;
  const ticker: Ticker = {
    market: code,
    openingPrice,
    highPrice: high ?? Math.max(openingPrice, tradePrice),
    lowPrice: low ?? Math.min(openingPrice, tradePrice),
    tradePrice,
    prevClosingPrice,
    change,
    signedChangePrice: signedChangePrice ?? (changePrice !== undefined ? sign * changePrice : tradePrice - prevClosingPrice),
    signedChangeRate:
      signedChangeRate ??
      (changeRate !== undefined ? sign * changeRate : prevClosingPrice > 0 ? (tradePrice - prevClosingPrice) / prevClosingPrice : 0),
    tradeVolume: tradeVolume ?? 0,
    accTradeVolume: accTradeVolume ?? 0,
    accTradeVolume24h: accTradeVolume24h ?? 0,
    accTradePrice: accTradePrice ?? 0,
    accTradePrice24h: accTradePrice24h ?? 0,
    askBid: narrowAskBid(simple ? o[k.ask_bid] : d.ask_bid),
    tradeTimestamp,
    timestamp,
    streamType: narrowStreamType(simple ? o[k.stream_type] : d.stream_type),
    marketState: typeof marketState === 'string' ? marketState : null,
  };
  return ticker;
}

function tickerEvent(t: Ticker | string): QuotationEvent {
  return typeof t === 'string' ? invalid(t) : { kind: 'ticker', ticker: t };
}

const OPTIONAL_FIGURES: ReadonlyArray<readonly [keyof TickerWire, boolean]> = [
  ['opening_price', false],
  ['high_price', false],
  ['low_price', false],
  ['change_price', false],
  ['signed_change_price', true],
  ['change_rate', false],
  ['signed_change_rate', true],
  ['trade_volume', false],
  ['acc_trade_volume', false],
  ['acc_trade_volume_24h', false],
  ['acc_trade_price', false],
  ['acc_trade_price_24h', false],
];

function optionalProblem(o: JsonRecord, k: TickerKeys): string {
  for (const [field, signed] of OPTIONAL_FIGURES) {
    const v = o[k[field]];
    if (Number.isNaN(optional(v, signed))) return figureProblem(field, v, signed);
  }
  return 'a figure is not a finite number';
}
