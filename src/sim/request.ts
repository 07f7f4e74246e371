import type { WireFormat } from '../upbit/wire.js';

/**
 * Parsing of quotation WebSocket request frames (docs/upbit-protocol.md#websocket-requests, #websocket-errors):
 * `[{ticket}, {type, codes, is_only_snapshot?, is_only_realtime?}, …, {format}?]`, or the
 * `LIST_SUBSCRIPTIONS` method, or the text `PING`. A request is checked whole before any of
 * it takes effect, so an error leaves the connection's subscriptions as they were.
 */

export type WsErrorName = 'WRONG_FORMAT' | 'NO_TICKET' | 'NO_TYPE' | 'NO_CODES' | 'INVALID_PARAM' | 'TOO_MANY_REQUEST';

/** One (type, code) pair of a request, with what to send for it. */
export interface RequestedStream {
  type: string;
  /** As requested, e.g. `KRW-BTC.5` (LIST_SUBSCRIPTIONS echoes it). */
  code: string;
  /** The market it streams: the code without an orderbook `.N` suffix. */
  market: string;
  /** orderbook only: units per message, 1, 5, 15 or 30 (docs/upbit-protocol.md#websocket-requests). */
  units?: number;
  /** orderbook only: the aggregation `level` of the type object, 0 for the native tick. */
  level?: number;
  snapshot: boolean;
  realtime: boolean;
}

export type ParsedRequest =
  | { kind: 'ping' }
  | { kind: 'error'; name: WsErrorName; message: string }
  | {
      kind: 'request';
      ticket: string;
      format: WireFormat;
      /** Empty for a request that only lists subscriptions. */
      streams: RequestedStream[];
      listSubscriptions: boolean;
    };

const FORMATS: readonly WireFormat[] = ['DEFAULT', 'SIMPLE', 'JSON_LIST', 'SIMPLE_LIST'];
const PRIVATE_TYPES = new Set(['myOrder', 'myAsset']);
/** Upbit's public types: one a hub does not serve is answered as "not streamed yet", not as unknown. */
const KNOWN_PUBLIC_TYPES = new Set(['ticker', 'trade', 'orderbook']);
const CANDLE_TYPE = /^candle\.(1s|1m|3m|5m|10m|15m|30m|60m|240m)$/;
/** Orderbook unit counts a `.N` suffix may ask for; since 2025-07-02 any other N gets 30 (docs/upbit-protocol.md#websocket-requests). */
const ORDERBOOK_UNITS: readonly number[] = [1, 5, 15, 30];
const DEFAULT_ORDERBOOK_UNITS = 30;
const UNIT_SUFFIX = /^(.+)\.(\d+)$/;

const error = (name: WsErrorName, message: string): ParsedRequest => ({ kind: 'error', name, message });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parse one inbound text. `servedTypes` are the data types this endpoint streams (the
 * public endpoint: `ticker`, `trade`, `orderbook`, `candle.*`); anything else is answered with
 * `INVALID_PARAM`.
 */
export function parseRequest(text: string, servedTypes: ReadonlySet<string>): ParsedRequest {
  if (text.trim() === 'PING') return { kind: 'ping' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return error('WRONG_FORMAT', 'The request is not valid JSON. Send a JSON array: [{"ticket":"…"},{"type":"ticker","codes":["KRW-BTC"]}].');
  }
  if (!Array.isArray(value) || value.length === 0) {
    return error('WRONG_FORMAT', 'The request must be a non-empty JSON array: [{"ticket":"…"},{"type":"ticker","codes":["KRW-BTC"]}].');
  }
  const [first, ...rest] = value as unknown[];
  const ticket = isRecord(first) ? first['ticket'] : undefined;
  if (!((typeof ticket === 'string' && ticket.length > 0) || typeof ticket === 'number')) {
    return error('NO_TICKET', 'The first element must be a ticket object such as {"ticket":"a-uuid"}.');
  }

  let format: WireFormat = 'DEFAULT';
  let listSubscriptions = false;
  const streams = new Map<string, RequestedStream>();
  for (const item of rest) {
    if (!isRecord(item)) return error('WRONG_FORMAT', 'Every element of the request must be a JSON object.');
    if ('type' in item) {
      const parsed = parseTypeObject(item, servedTypes);
      if (!Array.isArray(parsed)) return parsed;
      // A later object for the same type and code overrides an earlier one.
      for (const stream of parsed) streams.set(`${stream.type}\u0000${stream.code}`, stream);
    } else if ('format' in item) {
      const f = item['format'];
      const known = FORMATS.find((x) => x === f);
      if (known === undefined) return error('INVALID_PARAM', `Unknown format ${JSON.stringify(f)}; use one of ${FORMATS.join(', ')}.`);
      format = known;
    } else if ('method' in item) {
      if (item['method'] !== 'LIST_SUBSCRIPTIONS') {
        return error('INVALID_PARAM', `Unknown method ${JSON.stringify(item['method'])}; the only method is LIST_SUBSCRIPTIONS.`);
      }
      listSubscriptions = true;
    } else {
      return error('NO_TYPE', 'A data type object needs "type", e.g. {"type":"ticker","codes":["KRW-BTC"]}.');
    }
  }
  if (streams.size === 0 && !listSubscriptions) {
    return error('NO_TYPE', 'The request has no data type object; add e.g. {"type":"ticker","codes":["KRW-BTC"]}.');
  }
  return { kind: 'request', ticket: String(ticket), format, streams: [...streams.values()], listSubscriptions };
}

function parseTypeObject(item: Record<string, unknown>, servedTypes: ReadonlySet<string>): RequestedStream[] | ParsedRequest {
  const type = item['type'];
  if (typeof type !== 'string' || type.length === 0) {
    return error('NO_TYPE', 'A data type object needs a non-empty "type", e.g. "ticker".');
  }
  if (!servedTypes.has(type)) {
    if (PRIVATE_TYPES.has(type)) {
      return error('INVALID_PARAM', `${type} is a private type; subscribe to it on /websocket/v1/private.`);
    }
    if (KNOWN_PUBLIC_TYPES.has(type) || CANDLE_TYPE.test(type)) {
      return error('INVALID_PARAM', `The simulator does not stream ${type} yet; it serves: ${[...servedTypes].join(', ')}.`);
    }
    return error('INVALID_PARAM', `Unknown type ${JSON.stringify(type)}.`);
  }

  const codes = item['codes'];
  if (codes === undefined || codes === null || (Array.isArray(codes) && codes.length === 0)) {
    return error('NO_CODES', `The ${type} request needs "codes", e.g. ["KRW-BTC"].`);
  }
  if (!Array.isArray(codes) || !codes.every((c): c is string => typeof c === 'string')) {
    return error('INVALID_PARAM', '"codes" must be an array of market code strings such as "KRW-BTC".');
  }

  let level: number | undefined;
  if (type === 'orderbook') {
    level = orderbookLevel(item['level']);
    if (level === undefined) return error('INVALID_PARAM', '"level" must be a number ≥ 0 (0 is the native tick; see GET /v1/orderbook/instruments for the supported levels).');
  }

  const onlySnapshot = flag(item, 'is_only_snapshot', 'isOnlySnapshot');
  const onlyRealtime = flag(item, 'is_only_realtime', 'isOnlyRealtime');
  if (onlySnapshot === undefined || onlyRealtime === undefined) {
    return error('INVALID_PARAM', 'is_only_snapshot and is_only_realtime must be true or false.');
  }
  // UNCERTAIN: Upbit does not document both flags at once; rejecting says more than silence.
  if (onlySnapshot && onlyRealtime) {
    return error('INVALID_PARAM', 'is_only_snapshot and is_only_realtime cannot both be true.');
  }
  return [...new Set(codes)].map((code) => ({
    type,
    code,
    ...(type === 'orderbook' ? { ...parseOrderbookCode(code), level } : { market: code }),
    snapshot: !onlyRealtime,
    realtime: !onlySnapshot,
  }));
}

/**
 * Split an orderbook code into market and unit count: `KRW-BTC.5` → 5 units of KRW-BTC,
 * `KRW-BTC` → 30. An unsupported count falls back to 30, as Upbit does since 2025-07-02; a
 * suffix that is not a number is part of the (then unknown) code.
 */
export function parseOrderbookCode(code: string): { market: string; units: number } {
  const match = UNIT_SUFFIX.exec(code);
  if (match === null) return { market: code, units: DEFAULT_ORDERBOOK_UNITS };
  const units = Number(match[2]);
  return { market: match[1] ?? code, units: ORDERBOOK_UNITS.includes(units) ? units : DEFAULT_ORDERBOOK_UNITS };
}

/** A type object's `level`: absent → 0; a number (or numeric string, for tolerance) ≥ 0; else undefined. */
function orderbookLevel(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Read a flag under its current snake_case name or its older camelCase one; undefined if not a boolean. */
function flag(item: Record<string, unknown>, snake: string, camel: string): boolean | undefined {
  const v = item[snake] ?? item[camel] ?? false;
  return typeof v === 'boolean' ? v : undefined;
}
