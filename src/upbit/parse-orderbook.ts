/**
 * The body of an `orderbook` message (https://docs.upbit.com/kr/reference/websocket-orderbook),
 * DEFAULT or SIMPLE keys (the units' too); the envelope is narrowed first by `parse-envelope.ts`.
 *
 * Every message is a whole top-N book that replaces the last, never a delta, so one bad level
 * refuses the whole message: a book with a hole or a wrong level would show the trader depth
 * that is not there. Strict: the market, every level's prices (ones the market could print) and
 * sizes, asks rising and bids falling down the book, the best bid below the best ask, and the
 * message time. Tolerant: the code may carry the request's `.N` unit suffix (UNCERTAIN whether
 * Upbit echoes it; it is removed), the totals are summed from the levels when absent, `level`
 * is 0 when absent, and an empty book (no levels) is a book with nothing in it.
 */
import { describeValue, isNonEmptyString, isRecord, type JsonRecord } from './json-narrow.js';
import { invalidEvent, keyTables, narrowStreamType, type KeyStyle } from './parse-envelope.js';
import { figureProblem, implausiblePrice, optional, required } from './parse-figures.js';
import type { Orderbook, OrderbookUnit, QuotationEvent } from './types.js';
import { ORDERBOOK_SIMPLE_KEYS, ORDERBOOK_UNIT_SIMPLE_KEYS } from './wire.js';

const KEYS = keyTables(ORDERBOOK_SIMPLE_KEYS);
const UNIT_KEYS = keyTables(ORDERBOOK_UNIT_SIMPLE_KEYS);
/** `KRW-BTC.15`: a market code with the request's unit-count suffix. */
const UNIT_SUFFIX = /\.\d{1,3}$/;

export function narrowOrderbook(o: JsonRecord, style: KeyStyle): QuotationEvent {
  const k = KEYS[style];
  const uk = UNIT_KEYS[style];
  const rawCode = o[k.code];
  if (!isNonEmptyString(rawCode)) return invalidEvent(`code is ${describeValue(rawCode)}, not a market code`);
  const market = rawCode.replace(UNIT_SUFFIX, '');
  const timestamp = required(o[k.timestamp], false);
  if (Number.isNaN(timestamp)) return invalidEvent(figureProblem('timestamp', o[k.timestamp], false));

  const rawUnits = o[k.orderbook_units];
  if (!Array.isArray(rawUnits)) return invalidEvent(rawUnits === undefined || rawUnits === null ? 'orderbook_units is missing' : `orderbook_units is ${describeValue(rawUnits)}, not a list`);
  const units: OrderbookUnit[] = [];
  let askSum = 0;
  let bidSum = 0;
  for (let i = 0; i < rawUnits.length; i++) {
    const u: unknown = rawUnits[i];
    if (!isRecord(u)) return invalidEvent(`orderbook_units[${i}] is ${describeValue(u)}, not an object`);
    const askPrice = required(u[uk.ask_price], false);
    const bidPrice = required(u[uk.bid_price], false);
    const askSize = required(u[uk.ask_size], false);
    const bidSize = required(u[uk.bid_size], false);
    if (Number.isNaN(askPrice)) return invalidEvent(figureProblem(`orderbook_units[${i}].ask_price`, u[uk.ask_price], false));
    if (Number.isNaN(bidPrice)) return invalidEvent(figureProblem(`orderbook_units[${i}].bid_price`, u[uk.bid_price], false));
    if (Number.isNaN(askSize)) return invalidEvent(figureProblem(`orderbook_units[${i}].ask_size`, u[uk.ask_size], false));
    if (Number.isNaN(bidSize)) return invalidEvent(figureProblem(`orderbook_units[${i}].bid_size`, u[uk.bid_size], false));
    const askProblem = implausiblePrice(market, askPrice);
    if (askProblem !== null) return invalidEvent(`orderbook_units[${i}].ask_price ${askProblem}`);
    const bidProblem = implausiblePrice(market, bidPrice);
    if (bidProblem !== null) return invalidEvent(`orderbook_units[${i}].bid_price ${bidProblem}`);
    const prev = units[i - 1];
    if (prev === undefined) {
      if (bidPrice >= askPrice) return invalidEvent(`the book is crossed: best bid ${bidPrice} is not below best ask ${askPrice}`);
    } else {
      if (askPrice <= prev.askPrice) return invalidEvent(`orderbook_units[${i}].ask_price ${askPrice} is not above the level before it (${prev.askPrice})`);
      if (bidPrice >= prev.bidPrice) return invalidEvent(`orderbook_units[${i}].bid_price ${bidPrice} is not below the level before it (${prev.bidPrice})`);
    }
    units.push({ askPrice, askSize, bidPrice, bidSize });
    askSum += askSize;
    bidSum += bidSize;
  }

  const totalAsk = optional(o[k.total_ask_size], false);
  if (Number.isNaN(totalAsk)) return invalidEvent(figureProblem('total_ask_size', o[k.total_ask_size], false));
  const totalBid = optional(o[k.total_bid_size], false);
  if (Number.isNaN(totalBid)) return invalidEvent(figureProblem('total_bid_size', o[k.total_bid_size], false));
  const level = optional(o[k.level], false);
  if (Number.isNaN(level)) return invalidEvent(figureProblem('level', o[k.level], false));

  const orderbook: Orderbook = {
    market,
    units,
    totalAskSize: totalAsk ?? askSum,
    totalBidSize: totalBid ?? bidSum,
    level: level ?? 0,
    timestamp,
    streamType: narrowStreamType(o[k.stream_type]),
  };
  return { kind: 'orderbook', orderbook };
}
