/**
 * The private WebSocket boundary: one inbound frame of `/websocket/v1/private` in, domain
 * {@link PrivateEvent}s out (docs/upbit-protocol.md#myorder, #myasset). Every
 * value is narrowed from `unknown`; nothing here throws, whatever the bytes — a bad frame
 * becomes `{kind: 'invalid', reason}`.
 *
 * Amounts: Upbit sends them as JSON numbers, i.e. IEEE doubles. We take each double's
 * shortest round-trip text (`String(n)`: `0.1` → "0.1", `1e-7` → "1e-7", both of which
 * decimal.js reads exactly) and make a `Decimal` of it — the decimal Upbit meant whenever it
 * has at most 15–17 significant digits, which every Upbit amount has. A plain decimal string
 * (how REST sends amounts) is accepted too. Amounts are never negative.
 *
 * Strict where a wrong value would mislead the order path: the order's identity (`code`,
 * `uuid`, `ask_bid`, `order_type`), its `state`, the message `timestamp`, and for a fill its
 * `trade_uuid`, `price` and `volume`. Everything else is tolerated when absent or null (it
 * becomes null: the order service reconciles over REST rather than assume 0), but a field
 * that is *present* with the wrong type or an impossible value rejects the message, since that
 * means corruption rather than an older server.
 */
import { Decimal } from 'decimal.js';
import { keyTables, narrowEnvelope, parseFrame, type BodyParser } from './parse-envelope.js';
import { describeValue, isRecord, type JsonRecord } from './json-narrow.js';
import type { Side } from './order-types.js';
import type { MyAssetBalance, MyAssetEvent, MyOrderEvent, MyOrderFill, MyOrderState, PrivateEvent } from './types.js';
import type { MyAssetUnitWire, MyAssetWire, MyOrderWire } from './wire.js';
import { MY_ASSET_SIMPLE_KEYS, MY_ASSET_UNIT_SIMPLE_KEYS, MY_ORDER_SIMPLE_KEYS } from './wire.js';

export type { MyAssetUnitWire, MyAssetWire, MyOrderWire } from './wire.js';
export { MY_ASSET_SIMPLE_KEYS, MY_ASSET_UNIT_SIMPLE_KEYS, MY_ORDER_SIMPLE_KEYS } from './wire.js';

/** What the `message` event of a `ws` socket can hand over, plus plain strings. */
export type PrivateFrameData = Buffer | ArrayBuffer | Buffer[] | string;

type Keys<W> = Readonly<Record<keyof W, string>>;

const ORDER_KEYS = keyTables(MY_ORDER_SIMPLE_KEYS);
const ASSET_KEYS = keyTables(MY_ASSET_SIMPLE_KEYS);
const UNIT_KEYS = keyTables(MY_ASSET_UNIT_SIMPLE_KEYS);

const STATES: ReadonlySet<string> = new Set<MyOrderState>(['wait', 'watch', 'trade', 'done', 'cancel', 'prevented']);
const isState = (v: unknown): v is MyOrderState => typeof v === 'string' && STATES.has(v);
/** A plain non-negative decimal, as REST writes amounts ("0.001", "95000000"). */
const PLAIN_DECIMAL = /^\d{1,40}(\.\d{1,40})?$/;

const invalid = (reason: string): PrivateEvent => ({ kind: 'invalid', reason });

/** The body parser of each private type; the envelope (type, key style, error, status) is shared. */
const PRIVATE_PARSERS: ReadonlyMap<string, BodyParser<PrivateEvent>> = new Map<string, BodyParser<PrivateEvent>>([
  ['myOrder', (o, style) => narrowMyOrder(new Reader(o, ORDER_KEYS[style]))],
  ['myAsset', (o, style) => narrowMyAsset(new Reader(o, ASSET_KEYS[style]), UNIT_KEYS[style])],
]);

/**
 * Decode and narrow one frame. A single object yields one event; an array (the `JSON_LIST` /
 * `SIMPLE_LIST` formats) one event per element. Never throws; never returns an empty array.
 */
export function parsePrivateFrame(data: PrivateFrameData): PrivateEvent[] {
  return parseFrame(data, narrowPrivateMessage);
}

/** Narrow one already-parsed message (one element of a frame). Never throws. */
export function narrowPrivateMessage(v: unknown): PrivateEvent {
  return narrowEnvelope(v, PRIVATE_PARSERS);
}

/**
 * Reads fields of one message through a key table (DEFAULT or SIMPLE names) and keeps the
 * first problem, named by the DEFAULT field name. Not the hot path: private events are rare.
 */
class Reader<W> {
  problem: string | null = null;

  constructor(
    readonly o: JsonRecord,
    readonly keys: Keys<W>,
  ) {}

  raw(field: keyof W & string): unknown {
    return this.o[this.keys[field]];
  }

  note(problem: string): null {
    this.problem ??= problem;
    return null;
  }

  /** A non-empty string; null when absent (a problem if `required`). */
  text(field: keyof W & string, required: boolean): string | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return required ? this.note(`${field} is missing`) : null;
    if (typeof v !== 'string' || v.length === 0) return this.note(`${field} is ${describeValue(v)}, not a non-empty string`);
    return v;
  }

  amount(field: keyof W & string, required: boolean): Decimal | null {
    return this.#amount(field, this.raw(field), required);
  }

  /** A non-negative finite number (ms timestamps, counts); null when absent. */
  figure(field: keyof W & string, required: boolean, integer = false): number | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return required ? this.note(`${field} is missing`) : null;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.note(`${field} is not a finite number (${describeValue(v)})`);
    if (v < 0) return this.note(`${field} is negative`);
    if (integer && !Number.isInteger(v)) return this.note(`${field} is not a whole number (${v})`);
    return v;
  }

  flag(field: keyof W & string): boolean | null {
    const v = this.raw(field);
    if (v === undefined || v === null) return null;
    return typeof v === 'boolean' ? v : this.note(`${field} is ${describeValue(v)}, not a boolean`);
  }

  /** An amount read from any record (the entries of `assets`), with the reason naming `label`. */
  amountOf(label: string, v: unknown): Decimal | null {
    return this.#amount(label, v, true);
  }

  #amount(field: string, v: unknown, required: boolean): Decimal | null {
    if (v === undefined || v === null) return required ? this.note(`${field} is missing`) : null;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return this.note(`${field} is not a finite number (${describeValue(v)})`);
      if (v < 0) return this.note(`${field} is negative`);
      // The shortest text that round-trips the double; `-0` prints as "0".
      return new Decimal(String(v));
    }
    if (typeof v === 'string' && PLAIN_DECIMAL.test(v)) return new Decimal(v);
    return this.note(`${field} is not a finite number (${describeValue(v)})`);
  }
}

function narrowMyOrder(r: Reader<MyOrderWire>): PrivateEvent {
  const market = r.text('code', true);
  const uuid = r.text('uuid', true);
  const askBid = r.raw('ask_bid');
  const side: Side | null = askBid === 'BID' ? 'bid' : askBid === 'ASK' ? 'ask' : r.note(`ask_bid is ${describeValue(askBid)}, not ASK/BID`);
  const orderType = r.text('order_type', true);
  const stateRaw = r.raw('state');
  const state = isState(stateRaw) ? stateRaw : r.note(`state is ${describeValue(stateRaw)}, not a known order state`);
  const timestamp = r.figure('timestamp', true);
  const isTrade = state === 'trade';
  // On a fill, `price`/`volume` are the fill's, so they are required there and not the order's.
  const wirePrice = r.amount('price', isTrade);
  const wireVolume = r.amount('volume', isTrade);
  const tradeUuid = r.text('trade_uuid', isTrade);
  const tradeFee = r.amount('trade_fee', false);
  const isMaker = r.flag('is_maker');
  const tradeTimestamp = r.figure('trade_timestamp', false);
  const base = {
    avgPrice: r.amount('avg_price', false),
    remainingVolume: r.amount('remaining_volume', false),
    executedVolume: r.amount('executed_volume', false),
    executedFunds: r.amount('executed_funds', false),
    tradesCount: r.figure('trades_count', false, true),
    reservedFee: r.amount('reserved_fee', false),
    remainingFee: r.amount('remaining_fee', false),
    paidFee: r.amount('paid_fee', false),
    locked: r.amount('locked', false),
    timeInForce: r.text('time_in_force', false),
    identifier: r.text('identifier', false),
    smpType: r.text('smp_type', false),
    preventedVolume: r.amount('prevented_volume', false),
    preventedLocked: r.amount('prevented_locked', false),
    orderTimestamp: r.figure('order_timestamp', false),
  };
  if (r.problem !== null) return invalid(r.problem);
  // Unreachable with no problem noted; narrows the types for the compiler.
  if (market === null || uuid === null || side === null || orderType === null || state === null || timestamp === null) return invalid('a required field is missing');
  const common = { market, uuid, side, orderType, timestamp, ...base };
  if (state === 'trade') {
    if (tradeUuid === null || wirePrice === null || wireVolume === null) return invalid('a fill field is missing');
    const fill: MyOrderFill = { tradeUuid, price: wirePrice, volume: wireVolume, fee: tradeFee, isMaker, timestamp: tradeTimestamp ?? timestamp };
    const order: MyOrderEvent = { ...common, state, price: null, volume: null, fill };
    return { kind: 'order', order };
  }
  const order: MyOrderEvent = { ...common, state, price: wirePrice, volume: wireVolume, fill: null };
  return { kind: 'order', order };
}

function narrowMyAsset(r: Reader<MyAssetWire>, unitKeys: Keys<MyAssetUnitWire>): PrivateEvent {
  const assetUuid = r.text('asset_uuid', false);
  const timestamp = r.figure('timestamp', true);
  const assetTimestamp = r.figure('asset_timestamp', false);
  const assets = r.raw('assets');
  const balances: MyAssetBalance[] = [];
  if (!Array.isArray(assets)) {
    r.note(assets === undefined || assets === null ? 'assets is missing' : `assets is ${describeValue(assets)}, not a list`);
  } else {
    // One bad entry rejects the message: a partial set of balances would mislead.
    for (const [i, entry] of (assets as unknown[]).entries()) {
      if (!isRecord(entry)) {
        r.note(`assets[${i}] is ${describeValue(entry)}, not an object`);
        break;
      }
      const currency = entry[unitKeys.currency];
      if (typeof currency !== 'string' || currency.length === 0) {
        r.note(`assets[${i}].currency is ${describeValue(currency)}, not a currency code`);
        break;
      }
      const balance = r.amountOf(`assets[${i}].balance`, entry[unitKeys.balance]);
      const locked = r.amountOf(`assets[${i}].locked`, entry[unitKeys.locked]);
      if (balance === null || locked === null) break;
      balances.push({ currency, balance, locked });
    }
  }
  if (r.problem !== null || timestamp === null) return invalid(r.problem ?? 'timestamp is missing');
  const asset: MyAssetEvent = { assetUuid, balances, assetTimestamp: assetTimestamp ?? timestamp, timestamp };
  return { kind: 'asset', asset };
}
