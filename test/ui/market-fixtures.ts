/**
 * Books, trades and candles for the focused-market panels, made from Upbit-shaped messages
 * (test/fixtures/ws) and read through the project's own quotation parser, so the panels are
 * tested on what the feed would hand them.
 */
import { readFileSync } from 'node:fs';
import { parseQuotationFrame } from '../../src/upbit/parse.js';
import type { Line } from '../../src/ui/panel-text.js';
import type { ColorMode } from '../../src/ui/theme.js';
import type { Candle, Orderbook, Trade } from '../../src/upbit/types.js';

/** Each colour mode and whether it colours at all. */
export const COLOUR_CASES: ReadonlyArray<readonly [ColorMode, boolean]> = [
  ['korean', true],
  ['global', true],
  ['none', false],
];

/** A line's text without its colours. */
export function plain(line: Line | undefined): string {
  return (line ?? []).map((r) => r.text).join('');
}

type Wire = Record<string, unknown>;

function fixture(name: string): Wire {
  const v: unknown = JSON.parse(readFileSync(new URL(`../fixtures/ws/${name}`, import.meta.url), 'utf8'));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${name}: not an object`);
  return v as Wire;
}

function parseOne(message: Wire): ReturnType<typeof parseQuotationFrame>[number] {
  const [event] = parseQuotationFrame(JSON.stringify(message));
  if (event === undefined) throw new Error('no event');
  return event;
}

/** KRW-BTC's book of orderbook-default.json, deepened to `levels` a side on its 1,000 KRW tick. */
export function fixtureBook(levels = 15, market = 'KRW-BTC'): Orderbook {
  const base = fixture('orderbook-default.json');
  const units = Array.from({ length: levels }, (_, i) => ({
    ask_price: 32_293_000 + i * 1000,
    bid_price: 32_287_000 - i * 1000,
    ask_size: Number((0.04414411 * (i + 1)).toFixed(8)),
    bid_size: Number((0.01202163 * (levels - i)).toFixed(8)),
  }));
  const event = parseOne({ ...base, code: market, orderbook_units: units });
  if (event.kind !== 'orderbook') throw new Error(`not a book: ${JSON.stringify(event)}`);
  return event.orderbook;
}

/** `n` trades of KRW-BTC from trade-default.json, one a second, alternating sides, newest first. */
export function fixtureTrades(n: number, market = 'KRW-BTC', from = 0): Trade[] {
  const base = fixture('trade-default.json');
  const out: Trade[] = [];
  for (let i = from; i < from + n; i++) {
    const event = parseOne({
      ...base,
      code: market,
      trade_price: 32_287_000 + (i % 7) * 1000,
      trade_volume: Number((0.001 * (i + 1)).toFixed(8)),
      ask_bid: i % 2 === 0 ? 'ASK' : 'BID',
      trade_timestamp: 1_676_965_262_139 + i * 1000,
      timestamp: 1_676_965_262_177 + i * 1000,
      sequential_id: 1_676_965_262_139_000 + i,
    });
    if (event.kind !== 'trade') throw new Error(`not a trade: ${JSON.stringify(event)}`);
    out.push(event.trade);
  }
  return out.reverse();
}

const T0 = Date.UTC(2023, 1, 21, 7, 0);

/** `n` 1-minute candles of KRW-BTC from candle-1m-default.json, oldest first, closes from `closes(i)`. */
export function fixtureCandles(n: number, closes: (i: number) => number = (i) => 32_280_000 + ((i * 7) % 20) * 1000, market = 'KRW-BTC'): Candle[] {
  const base = fixture('candle-1m-default.json');
  const out: Candle[] = [];
  for (let i = 0; i < n; i++) {
    const close = closes(i);
    const start = T0 + i * 60_000;
    const utc = new Date(start).toISOString().slice(0, 19);
    const event = parseOne({ ...base, code: market, candle_date_time_utc: utc, opening_price: close, high_price: close + 1000, low_price: close - 1000, trade_price: close, timestamp: start + 30_000 });
    if (event.kind !== 'candle') throw new Error(`not a candle: ${JSON.stringify(event)}`);
    out.push(event.candle);
  }
  return out;
}
