import type { ServerResponse } from 'node:http';

import { NO_FLAGS, marketEventWire } from '../../upbit/market-event.js';
import type { TickerWire } from '../../upbit/wire.js';
import type { HttpRouter, RouteContext } from '../http-router.js';
import { sendJson } from '../http-router.js';
import { Dec } from '../price-grid.js';
import { DAY_MS, compactDate, compactTime, isoDate, utcDayStart } from '../utc.js';
import type { Candle } from './candles.js';
import { isMinuteUnit } from './candles.js';
import type { DayCandle } from './history.js';
import type { SimMarketData } from './market-data.js';
import { colonTime, isoDateTime, kst } from './time-format.js';
import { orderbookFigures, resolveLevel } from './wire-build.js';

/**
 * Upbit's quotation REST API (docs/upbit-protocol.md#quotation-endpoints): the same prices, book and trades
 * the WebSocket streams, numbers as JSON numbers, errors with the integer status as `name`
 * (docs/upbit-protocol.md#rest-errors).
 */

export interface QuotationRouteDeps {
  data: SimMarketData;
}

const MISSING = 'Missing request parameter error. Check the required parameters!';
const INVALID = 'Invalid parameter. Check the given value!';
const TYPE_MISMATCH = 'Type mismatch error. Check the parameters type!';
const NOT_FOUND = 'Code not found';

const MAX_ORDERBOOK_COUNT = 30;
const MAX_TRADES_COUNT = 500;
const MAX_CANDLE_COUNT = 200;
const MAX_DAYS_AGO = 7;
const QUOTE_CURRENCIES = ['KRW', 'BTC', 'USDT'];
const RATE_DECIMALS = 10;

/** A refusal with Upbit's quotation error body. */
class QuotationError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'QuotationError';
  }
}

/** `GET /v1/ticker` element: the ticker fields Upbit's REST answer carries (recorded 2026-03). */
export interface RestTicker {
  market: string;
  trade_date: string;
  trade_time: string;
  trade_date_kst: string;
  trade_time_kst: string;
  trade_timestamp: number;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  prev_closing_price: number;
  change: TickerWire['change'];
  change_price: number;
  change_rate: number;
  signed_change_price: number;
  signed_change_rate: number;
  trade_volume: number;
  acc_trade_price: number;
  acc_trade_price_24h: number;
  acc_trade_volume: number;
  acc_trade_volume_24h: number;
  highest_52_week_price: number;
  highest_52_week_date: string;
  lowest_52_week_price: number;
  lowest_52_week_date: string;
  timestamp: number;
}

/** Register every quotation route on `router`; returns the release. */
export function registerQuotationRoutes(router: HttpRouter, deps: QuotationRouteDeps): () => void {
  const { data } = deps;
  const route = (path: string, group: 'market' | 'ticker' | 'orderbook' | 'crix-trades' | 'candles', answer: (ctx: RouteContext) => unknown): (() => void) =>
    router.add('GET', path, { group }, (ctx) => respond(ctx.res, () => answer(ctx)));

  const offs = [
    route('/v1/market/all', 'market', ({ url }) => {
      const details = booleanParam(url, 'is_details') ?? false;
      return data.markets.map((m) => ({
        market: m.code,
        korean_name: m.koreanName,
        english_name: m.englishName,
        ...(details ? { market_event: marketEventWire(m.flags ?? NO_FLAGS) } : {}),
      }));
    }),

    route('/v1/ticker', 'ticker', ({ url }) => marketsParam(url, 'markets', data).map((code) => restTicker(tickerOf(data, code)))),

    route('/v1/ticker/all', 'ticker', ({ url }) => {
      const currencies = listParam(url, 'quote_currencies');
      if (currencies.some((c) => !QUOTE_CURRENCIES.includes(c))) throw new QuotationError(400, INVALID);
      return data.markets.filter((m) => currencies.includes(quoteOf(m.code))).map((m) => restTicker(tickerOf(data, m.code)));
    }),

    route('/v1/orderbook', 'orderbook', ({ url }) => {
      const codes = marketsParam(url, 'markets', data);
      const count = intParam(url, 'count', { fallback: MAX_ORDERBOOK_COUNT, min: 1, max: MAX_ORDERBOOK_COUNT });
      const levelText = url.searchParams.get('level') ?? '0';
      if (!/^\d+(\.\d+)?$/.test(levelText.trim())) throw new QuotationError(400, INVALID);
      const requested = new Dec(levelText.trim());
      const timestamp = data.now();
      // A level the market does not support gives no entry for it (Upbit: an empty array).
      return codes.flatMap((code) => {
        const sides = data.book(code);
        const resolved = resolveLevel(requested, data.supportedLevels(code) ?? []);
        if (sides === undefined || resolved === undefined) return [];
        const figures = orderbookFigures(sides, count, resolved.level);
        return [
          {
            market: code,
            timestamp,
            total_ask_size: figures.total_ask_size,
            total_bid_size: figures.total_bid_size,
            orderbook_units: figures.orderbook_units,
            level: resolved.level?.toNumber() ?? 0,
          },
        ];
      });
    }),

    route('/v1/orderbook/instruments', 'orderbook', ({ url }) =>
      marketsParam(url, 'markets', data).map((code) => ({
        market: code,
        quote_currency: quoteOf(code),
        tick_size: data.tickSize(code)?.toFixed() ?? '0',
        supported_levels: data.supportedLevels(code) ?? ['0'],
      })),
    ),

    route('/v1/trades/ticks', 'crix-trades', ({ url }) => {
      const code = marketParam(url, data);
      const count = intParam(url, 'count', { fallback: 1, min: 1, max: MAX_TRADES_COUNT });
      const cursorText = url.searchParams.get('cursor');
      if (cursorText !== null && !/^\d+$/.test(cursorText)) throw new QuotationError(400, TYPE_MISMATCH);
      const cursor = cursorText === null ? undefined : Number(cursorText);
      const daysAgo = url.searchParams.has('days_ago') ? intParam(url, 'days_ago', { fallback: 0, min: 1, max: MAX_DAYS_AGO }) : 0;
      const to = timeOfDayParam(url.searchParams.get('to'));
      // The day asked for (UTC), newest first, strictly before `to` and the cursor.
      const dayStart = utcDayStart(data.now()) - daysAgo * DAY_MS;
      const end = to === undefined ? dayStart + DAY_MS : dayStart + to;
      const out = [];
      for (const trade of data.trades(code) ?? []) {
        if (out.length >= count || trade.timestamp < dayStart) break;
        if (trade.timestamp >= end || (cursor !== undefined && trade.sequentialId >= cursor)) continue;
        out.push({
          market: code,
          trade_date_utc: isoDate(trade.timestamp),
          trade_time_utc: colonTime(trade.timestamp),
          timestamp: trade.timestamp,
          trade_price: trade.price,
          trade_volume: trade.volume,
          prev_closing_price: trade.prevClosingPrice,
          change_price: trade.signedChangePrice,
          ask_bid: trade.askBid,
          sequential_id: trade.sequentialId,
        });
      }
      return out;
    }),

    route('/v1/candles/minutes/{unit}', 'candles', ({ url, params }) => {
      const unitText = params['unit'] ?? '';
      const unit = /^\d+$/.test(unitText) ? Number(unitText) : NaN;
      if (!isMinuteUnit(unit)) throw new QuotationError(400, INVALID);
      const code = marketParam(url, data);
      const { before, count } = candleWindow(url);
      return (data.minuteCandles(code, unit, before, count) ?? []).map((c) => ({ ...minuteCandle(code, c), unit }));
    }),

    route('/v1/candles/days', 'candles', ({ url }) => {
      const code = marketParam(url, data);
      const { before, count } = candleWindow(url);
      const converting = url.searchParams.get('converting_price_unit');
      if (converting !== null && converting !== 'KRW') throw new QuotationError(400, INVALID);
      return (data.dayCandles(code, before, count) ?? []).map((day) => ({
        ...dayCandle(code, day),
        // Every simulated market is quoted in KRW: converting to KRW changes nothing.
        ...(converting === null ? {} : { converted_trade_price: day.close }),
      }));
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

function respond(res: ServerResponse, answer: () => unknown): void {
  let body: unknown;
  try {
    body = answer();
  } catch (err) {
    if (!(err instanceof QuotationError)) throw err;
    sendJson(res, err.status, { error: { name: err.status, message: err.message } });
    return;
  }
  sendJson(res, 200, body);
}

function tickerOf(data: SimMarketData, code: string): TickerWire {
  const ticker = data.engine.ticker(code, 'SNAPSHOT');
  if (ticker === undefined) throw new QuotationError(404, NOT_FOUND);
  return ticker;
}

/** The REST ticker: the WebSocket ticker's figures under the REST answer's keys. */
export function restTicker(t: TickerWire): RestTicker {
  const local = kst(t.trade_timestamp);
  return {
    market: t.code,
    trade_date: t.trade_date,
    trade_time: t.trade_time,
    trade_date_kst: compactDate(local),
    trade_time_kst: compactTime(local),
    trade_timestamp: t.trade_timestamp,
    opening_price: t.opening_price,
    high_price: t.high_price,
    low_price: t.low_price,
    trade_price: t.trade_price,
    prev_closing_price: t.prev_closing_price,
    change: t.change,
    change_price: t.change_price,
    change_rate: t.change_rate,
    signed_change_price: t.signed_change_price,
    signed_change_rate: t.signed_change_rate,
    trade_volume: t.trade_volume,
    acc_trade_price: t.acc_trade_price,
    acc_trade_price_24h: t.acc_trade_price_24h,
    acc_trade_volume: t.acc_trade_volume,
    acc_trade_volume_24h: t.acc_trade_volume_24h,
    highest_52_week_price: t.highest_52_week_price,
    highest_52_week_date: t.highest_52_week_date,
    lowest_52_week_price: t.lowest_52_week_price,
    lowest_52_week_date: t.lowest_52_week_date,
    timestamp: t.timestamp,
  };
}

function candleTimes(start: number): { candle_date_time_utc: string; candle_date_time_kst: string } {
  return { candle_date_time_utc: isoDateTime(start), candle_date_time_kst: isoDateTime(kst(start)) };
}

function minuteCandle(code: string, c: Candle): Record<string, unknown> {
  return {
    market: code,
    ...candleTimes(c.start),
    opening_price: c.open,
    high_price: c.high,
    low_price: c.low,
    trade_price: c.close,
    timestamp: c.lastAt,
    candle_acc_trade_price: c.turnover.toNumber(),
    candle_acc_trade_volume: c.volume.toNumber(),
  };
}

function dayCandle(code: string, day: DayCandle): Record<string, unknown> {
  const change = new Dec(day.close).minus(day.prevClose);
  return {
    market: code,
    ...candleTimes(day.start),
    opening_price: day.open,
    high_price: day.high,
    low_price: day.low,
    trade_price: day.close,
    timestamp: day.lastAt,
    candle_acc_trade_price: day.turnover,
    candle_acc_trade_volume: day.volume,
    prev_closing_price: day.prevClose,
    change_price: change.toNumber(),
    change_rate: day.prevClose === 0 ? 0 : change.div(day.prevClose).toDecimalPlaces(RATE_DECIMALS).toNumber(),
  };
}

const quoteOf = (code: string): string => code.slice(0, Math.max(0, code.indexOf('-')));

/** A required parameter's value: 400 "Missing…" when absent or empty. */
function required(url: URL, name: string): string {
  const value = url.searchParams.get(name)?.trim();
  if (value === undefined || value === '') throw new QuotationError(400, MISSING);
  return value;
}

/** A required comma-separated list, empty items dropped, duplicates once. */
function listParam(url: URL, name: string): string[] {
  const items = [
    ...new Set(
      required(url, name)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
  if (items.length === 0) throw new QuotationError(400, MISSING);
  return items;
}

/** Market codes the simulator runs; any other code answers 404 "Code not found". */
function marketsParam(url: URL, name: string, data: SimMarketData): string[] {
  const codes = listParam(url, name);
  if (codes.some((code) => !data.has(code))) throw new QuotationError(404, NOT_FOUND);
  return codes;
}

function marketParam(url: URL, data: SimMarketData): string {
  const code = required(url, 'market');
  if (!data.has(code)) throw new QuotationError(404, NOT_FOUND);
  return code;
}

function intParam(url: URL, name: string, opts: { fallback: number; min: number; max: number }): number {
  const text = url.searchParams.get(name)?.trim();
  if (text === undefined || text === '') return opts.fallback;
  if (!/^-?\d+$/.test(text)) throw new QuotationError(400, TYPE_MISMATCH);
  const n = Number(text);
  if (n < opts.min || n > opts.max) throw new QuotationError(400, INVALID);
  return n;
}

function booleanParam(url: URL, name: string): boolean | undefined {
  const text = url.searchParams.get(name)?.trim().toLowerCase();
  if (text === undefined || text === '') return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new QuotationError(400, TYPE_MISMATCH);
}

/** `to` of `trades/ticks`: `HHmmss` or `HH:mm:ss` (UTC), as ms after midnight. */
function timeOfDayParam(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const match = /^(\d{2}):?(\d{2}):?(\d{2})$/.exec(text.trim());
  const [h, m, s] = match === null ? [NaN, NaN, NaN] : [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!(h <= 23 && m <= 59 && s <= 59)) throw new QuotationError(400, INVALID);
  return ((h * 60 + m) * 60 + s) * 1000;
}

/** `count` (1–200, default 1) and `to` of the candle endpoints: candles starting before `to`. */
function candleWindow(url: URL): { before: number | undefined; count: number } {
  const count = intParam(url, 'count', { fallback: 1, min: 1, max: MAX_CANDLE_COUNT });
  const to = url.searchParams.get('to');
  return { before: to === null || to.trim() === '' ? undefined : parseCandleTo(to.trim()), count };
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+\- ]\d{2}:?\d{2})?$/;

/**
 * An ISO 8601 time (`2025-06-24T04:56:53Z`, `2025-06-24 04:56:53`, `…+09:00`); without an
 * offset it is UTC, as pyupbit and ccxt send it. A `+` that arrived unencoded reads as a
 * space after query decoding and is taken as `+`.
 */
function parseCandleTo(text: string): number {
  const match = ISO_TIME.exec(text);
  if (match === null) throw new QuotationError(400, INVALID);
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((frac ?? '0').padEnd(3, '0').slice(0, 3)));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || check.getUTCMonth() !== Number(mo) - 1) throw new QuotationError(400, INVALID);
  if (zone === undefined || zone === 'Z') return ms;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  return ms - sign * offset;
}
