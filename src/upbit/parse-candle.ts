/**
 * The body of a `candle.*` message (https://docs.upbit.com/kr/reference/websocket-candle),
 * DEFAULT or SIMPLE keys; the envelope is narrowed first by `parse-envelope.ts`.
 *
 * Strict where a wrong value would draw a wrong chart: the market, the interval (from the
 * type), the candle's start (`candle_date_time_utc`, a real time on the interval's grid), the
 * four prices (ones the market could print, low ≤ open, close ≤ high), the traded volume and
 * value, and the message time. Tolerant: `candle_date_time_kst` is not read (it is the UTC
 * start moved by 9 h), and a missing `stream_type` is a live update.
 */
import { describeValue, isNonEmptyString, type JsonRecord } from './json-narrow.js';
import { invalidEvent, keyTables, narrowStreamType, type KeyStyle } from './parse-envelope.js';
import { figureProblem, implausiblePrice, required } from './parse-figures.js';
import { CANDLE_UNITS, type Candle, type CandleUnit, type QuotationEvent } from './types.js';
import { CANDLE_SIMPLE_KEYS } from './wire.js';

const KEYS = keyTables(CANDLE_SIMPLE_KEYS);
const UNIT_MS: Readonly<Record<CandleUnit, number>> = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '10m': 600_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '60m': 3_600_000,
  '240m': 14_400_000,
};
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const PRICES = ['opening_price', 'high_price', 'low_price', 'trade_price'] as const;

/** The length of one candle of `unit`, in ms. */
export function candleUnitMs(unit: CandleUnit): number {
  return UNIT_MS[unit];
}

/** The unit of a candle type (`candle.1m` → `1m`), or null for any other type. */
export function candleUnitOf(type: string): CandleUnit | null {
  const unit = type.startsWith('candle.') ? type.slice('candle.'.length) : '';
  return (CANDLE_UNITS as readonly string[]).includes(unit) ? (unit as CandleUnit) : null;
}

export function narrowCandle(o: JsonRecord, style: KeyStyle, type: string): QuotationEvent {
  const unit = candleUnitOf(type);
  if (unit === null) return invalidEvent(`unknown type ${describeValue(type)}`);
  const k = KEYS[style];
  const code = o[k.code];
  if (!isNonEmptyString(code)) return invalidEvent(`code is ${describeValue(code)}, not a market code`);

  const startText = o[k.candle_date_time_utc];
  const start = typeof startText === 'string' ? utcMs(startText) : null;
  if (start === null) return invalidEvent(`candle_date_time_utc is ${describeValue(startText)}, not a yyyy-MM-ddTHH:mm:ss time`);
  if (start % UNIT_MS[unit] !== 0) return invalidEvent(`candle_date_time_utc ${String(startText)} is not the start of a ${unit} candle`);

  const figures: number[] = [];
  for (const field of PRICES) {
    const v = required(o[k[field]], false);
    if (Number.isNaN(v)) return invalidEvent(figureProblem(field, o[k[field]], false));
    const implausible = implausiblePrice(code, v);
    if (implausible !== null) return invalidEvent(`${field} ${implausible}`);
    figures.push(v);
  }
  const [open = 0, high = 0, low = 0, close = 0] = figures;
  if (low > high || open > high || close > high || open < low || close < low) {
    return invalidEvent(`prices do not fit one candle (open ${open}, high ${high}, low ${low}, close ${close})`);
  }
  const volume = required(o[k.candle_acc_trade_volume], false);
  if (Number.isNaN(volume)) return invalidEvent(figureProblem('candle_acc_trade_volume', o[k.candle_acc_trade_volume], false));
  const turnover = required(o[k.candle_acc_trade_price], false);
  if (Number.isNaN(turnover)) return invalidEvent(figureProblem('candle_acc_trade_price', o[k.candle_acc_trade_price], false));
  const timestamp = required(o[k.timestamp], false);
  if (Number.isNaN(timestamp)) return invalidEvent(figureProblem('timestamp', o[k.timestamp], false));

  const candle: Candle = { market: code, unit, start, open, high, low, close, volume, turnover, timestamp, streamType: narrowStreamType(o[k.stream_type]) };
  return { kind: 'candle', candle };
}

/** `2024-11-27T02:31:00` (UTC) in ms, or null if it is not a real time in that form. */
function utcMs(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 2024-02-30 over into March: refuse what does not round-trip.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return null;
  return ms;
}
