import type { WireFormat } from '../upbit/wire.js';
import { toSimpleKeys } from '../upbit/wire.js';

/** DEFAULT → SIMPLE key table of one data type. */
export type SimpleKeyTable = Readonly<Record<string, string>>;
/** Tables for arrays of objects inside a message, by DEFAULT key (e.g. `orderbook_units`). */
export type NestedKeyTables = Readonly<Record<string, SimpleKeyTable>>;

const isSimple = (format: WireFormat): boolean => format === 'SIMPLE' || format === 'SIMPLE_LIST';
const isList = (format: WireFormat): boolean => format === 'JSON_LIST' || format === 'SIMPLE_LIST';

/** Rename keys for SIMPLE formats; arrays of objects under a `nested` key use their own table. */
export function shape(object: object, table: SimpleKeyTable, format: WireFormat, nested?: NestedKeyTables): object {
  if (!isSimple(format)) return object;
  // A wire object is a plain record of JSON values; the cast only widens its declared type.
  const simple = toSimpleKeys(object as Record<string, unknown>, table);
  if (nested === undefined) return simple;
  for (const [key, inner] of Object.entries(nested)) {
    const value = (object as Record<string, unknown>)[key];
    if (!Array.isArray(value)) continue;
    simple[table[key] ?? key] = value.map((item: unknown) =>
      typeof item === 'object' && item !== null && !Array.isArray(item) ? toSimpleKeys(item as Record<string, unknown>, inner) : item,
    );
  }
  return simple;
}

/**
 * The frames for a batch of messages of one type: one frame per object, or a single frame
 * holding an array of them in the `*_LIST` formats (docs/upbit-protocol.md#websocket-requests).
 */
export function encodeFrames(objects: readonly object[], table: SimpleKeyTable, format: WireFormat, nested?: NestedKeyTables): Buffer[] {
  if (objects.length === 0) return [];
  const shaped = objects.map((o) => shape(o, table, format, nested));
  if (isList(format)) return [Buffer.from(JSON.stringify(shaped))];
  return shaped.map((o) => Buffer.from(JSON.stringify(o)));
}

/** One realtime message shared by every connection that wants it, encoded once per format. */
export class SharedMessage {
  private readonly frames = new Map<WireFormat, Buffer>();

  constructor(
    private readonly object: object,
    private readonly table: SimpleKeyTable,
    private readonly nested?: NestedKeyTables,
  ) {}

  frame(format: WireFormat): Buffer {
    let frame = this.frames.get(format);
    if (frame === undefined) {
      const shaped = shape(this.object, this.table, format, this.nested);
      frame = Buffer.from(JSON.stringify(isList(format) ? [shaped] : shaped));
      this.frames.set(format, frame);
    }
    return frame;
  }
}

/** The `LIST_SUBSCRIPTIONS` answer (docs/upbit-protocol.md#subscription-list); `level` only for orderbook entries. */
export function encodeSubscriptionList(
  ticket: string,
  result: ReadonlyArray<{ type: string; codes: readonly string[]; level?: number }>,
  format: WireFormat,
): Buffer {
  const simple = isSimple(format);
  const body = simple
    ? { mthd: 'LIST_SUBSCRIPTIONS', rslt: result.map((r) => ({ ty: r.type, cds: r.codes, ...(r.level === undefined ? {} : { lv: r.level }) })), tckt: ticket }
    : { method: 'LIST_SUBSCRIPTIONS', result, ticket };
  // UNCERTAIN: whether the LIST formats wrap this answer in an array too; we do, for uniformity.
  return Buffer.from(JSON.stringify(isList(format) ? [body] : body));
}

export function encodeError(name: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: { name, message } }));
}

export const STATUS_UP = Buffer.from(JSON.stringify({ status: 'UP' }));
