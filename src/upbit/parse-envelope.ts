/**
 * The envelope every Upbit WebSocket message shares, narrowed once for every stream parser
 * (quotation: `parse.ts` and the `parse-*.ts` beside it; private: `parse-private.ts`):
 *
 * - the message type: `type` in the DEFAULT format, `ty` in SIMPLE, which also tells which key
 *   table the body is read with (https://docs.upbit.com/kr/reference/websocket-guide, "format");
 * - the frames that carry no type: Upbit's error object `{"error":{"name","message"}}` and the
 *   `{"status":"UP"}` answer to a text `PING` (same page, "에러 안내" and "연결 유지");
 * - `stream_type` (`SNAPSHOT` | `REALTIME`) and the market code, read the same way by every body.
 *
 * Nothing here throws; whatever cannot be used becomes `{kind: 'invalid', reason}`.
 */
import { decodeJsonFrame, type FrameData } from './frame.js';
import { describeValue, isRecord, type JsonRecord } from './json-narrow.js';
import type { StreamType } from './types.js';

/** Which key table a message body is read with: full names, or the SIMPLE abbreviations. */
export type KeyStyle = 'DEFAULT' | 'SIMPLE';

/** The frames every stream can carry besides its data. */
export type ControlEvent =
  /** The answer to a text `PING`: `{"status":"UP"}`. */
  | { kind: 'status'; status: string }
  /** Upbit's error object, e.g. `{"error":{"name":"WRONG_FORMAT"}}`. */
  | { kind: 'error'; name: string; message: string }
  /** Anything we could not use; counted and dropped, never thrown. */
  | { kind: 'invalid'; reason: string };

export type InvalidEvent = Extract<ControlEvent, { kind: 'invalid' }>;

/** Narrows the body of one message type; `type` is the message's own (e.g. `candle.1m`). */
export type BodyParser<E> = (o: JsonRecord, style: KeyStyle, type: string) => E | InvalidEvent;

export function invalidEvent(reason: string): InvalidEvent {
  return { kind: 'invalid', reason };
}

/**
 * Narrow one already-parsed message: find its type and key style, hand the body to the parser
 * of that type, or answer the error / status frame. Unknown types are refused with their name.
 */
export function narrowEnvelope<E>(v: unknown, parsers: ReadonlyMap<string, BodyParser<E>>): E | ControlEvent {
  if (!isRecord(v)) return invalidEvent(`message is ${describeValue(v)}, not an object`);
  let type = v.type;
  let style: KeyStyle = 'DEFAULT';
  if (type === undefined && v.ty !== undefined) {
    type = v.ty;
    style = 'SIMPLE';
  }
  if (typeof type === 'string') {
    const parse = parsers.get(type);
    return parse === undefined ? invalidEvent(`unknown type ${describeValue(type)}`) : parse(v, style, type);
  }
  if (type !== undefined) return invalidEvent(`type is ${describeValue(type)}, not a string`);
  if (v.error !== undefined) return narrowError(v.error);
  if (v.status !== undefined) return typeof v.status === 'string' ? { kind: 'status', status: v.status } : invalidEvent('status is not a string');
  return invalidEvent('message has no type');
}

/**
 * Decode one frame and narrow every message in it: a single object yields one event, an
 * array (the `JSON_LIST` / `SIMPLE_LIST` formats) one per element. Never throws; never empty.
 */
export function parseFrame<E>(data: FrameData, narrow: (v: unknown) => E | ControlEvent): Array<E | ControlEvent> {
  const decoded = decodeJsonFrame(data);
  if (!decoded.ok) return [invalidEvent(decoded.reason)];
  const value = decoded.value;
  if (!Array.isArray(value)) return [narrow(value)];
  if (value.length === 0) return [invalidEvent('empty list')];
  return value.map((item: unknown) => narrow(item));
}

function narrowError(e: unknown): ControlEvent {
  if (!isRecord(e)) return invalidEvent('error is not an object');
  // Quotation errors have carried both string codes (`WRONG_FORMAT`) and HTTP statuses (400).
  const name = e.name;
  let nameText: string;
  if (typeof name === 'string') nameText = name;
  else if (typeof name === 'number' && Number.isFinite(name)) nameText = String(name);
  else return invalidEvent('error.name is neither a string nor a number');
  return { kind: 'error', name: nameText, message: typeof e.message === 'string' ? e.message : '' };
}

/** Absent in some older samples; a message without it is a live update. */
export function narrowStreamType(v: unknown): StreamType {
  return v === 'SNAPSHOT' ? 'SNAPSHOT' : 'REALTIME';
}

/** The DEFAULT (identity) and SIMPLE key tables of a wire shape, from its DEFAULT → SIMPLE table. */
export function keyTables<T extends Readonly<Record<string, string>>>(simple: T): Readonly<Record<KeyStyle, Readonly<Record<keyof T, string>>>> {
  return { DEFAULT: identityTable(simple), SIMPLE: simple };
}

export function identityTable<T extends Readonly<Record<string, string>>>(table: T): Readonly<Record<keyof T, string>> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(table)) out[key] = key;
  // Built from the table's own keys just above, so every key of T is present.
  return out as Record<keyof T, string>;
}
