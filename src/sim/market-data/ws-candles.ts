import type { StreamType } from '../../upbit/types.js';
import { CANDLE_SIMPLE_KEYS as CANDLE_WIRE_SIMPLE_KEYS } from '../../upbit/wire.js';
import { Dec, ZERO } from '../price-grid.js';
import type { DataTypeSource } from '../quotation-ws.js';
import type { SimpleKeyTable } from '../wire-encode.js';
import type { Bar, MinuteUnit } from './candles.js';
import { MINUTE_UNITS } from './candles.js';
import type { SimMarketData } from './market-data.js';
import { isoDateTime, kst } from './time-format.js';

/** SIMPLE-format keys of a `candle.*` message: the client's own table, so the two cannot drift. */
export const CANDLE_SIMPLE_KEYS: SimpleKeyTable = CANDLE_WIRE_SIMPLE_KEYS;

/**
 * Upbit pushes a candle at most once a second, and only when a trade changed it (docs/upbit-protocol.md#candle);
 * the message sent when the window ends carries the candle as it is then.
 */
export const CANDLE_MIN_INTERVAL_MS = 1000;

const SECOND_MS = 1000;

/** The `candle.*` types Upbit streams: `candle.1s` and `candle.{unit}m` for every minute unit. */
export const CANDLE_TYPES: readonly string[] = ['candle.1s', ...MINUTE_UNITS.map((unit) => `candle.${unit}m`)];

/**
 * The source of one `candle.*` type. The snapshot is the newest candle that exists, so
 * with no trade yet in the current interval it is the previous interval's (docs/upbit-protocol.md#candle).
 */
export function candleSource(data: SimMarketData, type: string): DataTypeSource {
  const unit = minuteUnitOf(type);
  return {
    simpleKeys: CANDLE_SIMPLE_KEYS,
    minIntervalMs: CANDLE_MIN_INTERVAL_MS,
    build(sub, streamType) {
      if (unit === undefined) {
        const bar = latestSecond(data, sub.market);
        return bar === undefined ? undefined : candleWire(type, sub.market, bar.start, bar, streamType);
      }
      const candle = data.minuteCandles(sub.market, unit, undefined, 1)?.[0];
      return candle === undefined ? undefined : candleWire(type, sub.market, candle.start, candle, streamType);
    },
  };
}

function minuteUnitOf(type: string): MinuteUnit | undefined {
  if (type === 'candle.1s') return undefined;
  const unit = MINUTE_UNITS.find((u) => type === `candle.${u}m`);
  if (unit === undefined) throw new Error(`BUG: ${type} is not a candle type`);
  return unit;
}

/** The one-second candle of the latest trade, gathered from the tape (newest first). */
function latestSecond(data: SimMarketData, code: string): (Bar & { start: number }) | undefined {
  let bar: (Bar & { start: number }) | undefined;
  for (const trade of data.trades(code) ?? []) {
    if (bar === undefined) {
      const start = Math.floor(trade.timestamp / SECOND_MS) * SECOND_MS;
      bar = { start, open: trade.price, high: trade.price, low: trade.price, close: trade.price, firstAt: trade.timestamp, lastAt: trade.timestamp, volume: ZERO, turnover: ZERO };
    } else if (trade.timestamp < bar.start) {
      break;
    }
    const volume = new Dec(trade.volume);
    bar.open = trade.price;
    bar.firstAt = trade.timestamp;
    bar.high = Math.max(bar.high, trade.price);
    bar.low = Math.min(bar.low, trade.price);
    bar.volume = bar.volume.plus(volume);
    bar.turnover = bar.turnover.plus(volume.mul(trade.price));
  }
  return bar;
}

function candleWire(type: string, code: string, start: number, bar: Bar, streamType: StreamType): object {
  return {
    type,
    code,
    candle_date_time_utc: isoDateTime(start),
    candle_date_time_kst: isoDateTime(kst(start)),
    opening_price: bar.open,
    high_price: bar.high,
    low_price: bar.low,
    trade_price: bar.close,
    candle_acc_trade_volume: bar.volume.toNumber(),
    candle_acc_trade_price: bar.turnover.toNumber(),
    timestamp: bar.lastAt,
    stream_type: streamType,
  };
}
