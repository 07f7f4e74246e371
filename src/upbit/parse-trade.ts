/**
 * The body of a `trade` message (https://docs.upbit.com/kr/reference/websocket-trade), DEFAULT
 * or SIMPLE keys; the envelope (type, key style, error and status frames) is narrowed first by
 * `parse-envelope.ts`.
 *
 * Strict where a wrong value would mislead a trader reading the tape: the market, the price
 * (one an Upbit market could print), a positive volume, the side (`ASK`/`BID`), when it traded,
 * and the trade number (`sequential_id`, the key to count a trade once across a resubscribe's
 * snapshot). Tolerant on the rest: the previous close and its change are null when absent, and
 * the best quotes at the trade (added 2024-11-27, https://docs.upbit.com/changelog/best_bid_ask)
 * are null on older servers. A field that is present but unusable still refuses the message.
 */
import { describeValue, isNonEmptyString, type JsonRecord } from './json-narrow.js';
import { invalidEvent, keyTables, narrowStreamType, type InvalidEvent, type KeyStyle } from './parse-envelope.js';
import { figureProblem, implausiblePrice, optional, required } from './parse-figures.js';
import type { BestQuote, Change, QuotationEvent, Trade } from './types.js';
import { TRADE_SIMPLE_KEYS } from './wire.js';

const KEYS = keyTables(TRADE_SIMPLE_KEYS);

export function narrowTrade(o: JsonRecord, style: KeyStyle): QuotationEvent {
  const k = KEYS[style];
  const code = o[k.code];
  if (!isNonEmptyString(code)) return invalidEvent(`code is ${describeValue(code)}, not a market code`);

  const price = required(o[k.trade_price], false);
  if (Number.isNaN(price)) return invalidEvent(figureProblem('trade_price', o[k.trade_price], false));
  const implausible = implausiblePrice(code, price);
  if (implausible !== null) return invalidEvent(`trade_price ${implausible}`);
  const volume = required(o[k.trade_volume], false);
  if (Number.isNaN(volume)) return invalidEvent(figureProblem('trade_volume', o[k.trade_volume], false));
  if (volume === 0) return invalidEvent('trade_volume is 0: a trade moves a positive volume');
  const askBid = o[k.ask_bid];
  if (askBid !== 'ASK' && askBid !== 'BID') return invalidEvent(`ask_bid is ${describeValue(askBid)}, not ASK/BID`);
  const tradeTimestamp = required(o[k.trade_timestamp], false);
  if (Number.isNaN(tradeTimestamp)) return invalidEvent(figureProblem('trade_timestamp', o[k.trade_timestamp], false));
  const sequentialId = o[k.sequential_id];
  if (typeof sequentialId !== 'number' || !Number.isSafeInteger(sequentialId) || sequentialId < 0) {
    return invalidEvent(sequentialId === undefined || sequentialId === null ? 'sequential_id is missing' : `sequential_id is ${describeValue(sequentialId)}, not a trade number`);
  }

  const timestamp = optional(o[k.timestamp], false);
  if (Number.isNaN(timestamp)) return invalidEvent(figureProblem('timestamp', o[k.timestamp], false));
  const prevClosingPrice = optional(o[k.prev_closing_price], false);
  if (Number.isNaN(prevClosingPrice)) return invalidEvent(figureProblem('prev_closing_price', o[k.prev_closing_price], false));
  const changePrice = optional(o[k.change_price], false);
  if (Number.isNaN(changePrice)) return invalidEvent(figureProblem('change_price', o[k.change_price], false));
  const changeRaw = o[k.change];
  let change: Change | null = null;
  if (changeRaw === 'RISE' || changeRaw === 'EVEN' || changeRaw === 'FALL') change = changeRaw;
  else if (changeRaw !== undefined && changeRaw !== null) return invalidEvent(`change is ${describeValue(changeRaw)}, not RISE/EVEN/FALL`);

  const bestAsk = bestQuote(code, 'best_ask', o[k.best_ask_price], o[k.best_ask_size]);
  if (isInvalid(bestAsk)) return bestAsk;
  const bestBid = bestQuote(code, 'best_bid', o[k.best_bid_price], o[k.best_bid_size]);
  if (isInvalid(bestBid)) return bestBid;

  const trade: Trade = {
    market: code,
    price,
    volume,
    askBid,
    sequentialId,
    tradeTimestamp,
    timestamp: timestamp ?? tradeTimestamp,
    prevClosingPrice: prevClosingPrice ?? null,
    change,
    changePrice: changePrice ?? null,
    bestAsk,
    bestBid,
    streamType: narrowStreamType(o[k.stream_type]),
  };
  return { kind: 'trade', trade };
}

function isInvalid(v: BestQuote | null | InvalidEvent): v is InvalidEvent {
  return v !== null && 'kind' in v;
}

/** Both halves of a best quote, or null when the server sent neither. */
function bestQuote(code: string, field: 'best_ask' | 'best_bid', priceRaw: unknown, sizeRaw: unknown): BestQuote | null | InvalidEvent {
  const price = optional(priceRaw, false);
  const size = optional(sizeRaw, false);
  if (price === undefined && size === undefined) return null;
  if (price === undefined || Number.isNaN(price)) return invalidEvent(figureProblem(`${field}_price`, priceRaw, false));
  if (size === undefined || Number.isNaN(size)) return invalidEvent(figureProblem(`${field}_size`, sizeRaw, false));
  const implausible = implausiblePrice(code, price);
  if (implausible !== null) return invalidEvent(`${field}_price ${implausible}`);
  return { price, size };
}
