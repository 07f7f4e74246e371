import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as simWire from '../../src/exchange/wire.js';
import { isRecord } from '../../src/upbit/json-narrow.js';
import {
  MY_ASSET_SIMPLE_KEYS,
  MY_ASSET_UNIT_SIMPLE_KEYS,
  MY_ORDER_SIMPLE_KEYS,
  narrowPrivateMessage,
  parsePrivateFrame,
} from '../../src/upbit/parse-private.js';
import type { MyAssetEvent, MyOrderEvent, PrivateEvent } from '../../src/upbit/types.js';
import { toSimpleKeys } from '../../src/upbit/wire.js';

const fixtureUrl = (name: string): URL => new URL(`../fixtures/ws/${name}`, import.meta.url);
/** A fixture as Upbit sends it: a binary frame (a Buffer) of UTF-8 JSON. */
const frame = (name: string): Buffer => readFileSync(fixtureUrl(name));
function fixtureObject(name: string): Record<string, unknown> {
  const value: unknown = JSON.parse(readFileSync(fixtureUrl(name), 'utf8'));
  if (!isRecord(value)) throw new Error(`${name} is not a JSON object`);
  return value;
}

function only(events: PrivateEvent[]): PrivateEvent {
  expect(events).toHaveLength(1);
  const [ev] = events;
  if (ev === undefined) throw new Error('no event');
  return ev;
}

function onlyOrder(events: PrivateEvent[]): MyOrderEvent {
  const ev = only(events);
  if (ev.kind !== 'order') throw new Error(`expected an order event, got ${JSON.stringify(ev)}`);
  return ev.order;
}

function onlyAsset(events: PrivateEvent[]): MyAssetEvent {
  const ev = only(events);
  if (ev.kind !== 'asset') throw new Error(`expected an asset event, got ${JSON.stringify(ev)}`);
  return ev.asset;
}

function onlyInvalid(events: PrivateEvent[]): string {
  const ev = only(events);
  if (ev.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(ev)}`);
  return ev.reason;
}

/** Decimals compared by value, so `toEqual` can be used on whole events. */
const d = (v: string): Decimal => new Decimal(v);

/** The first fill of the fixture order: 0.001 BTC of a 0.002 BTC limit bid at 95,000,000 KRW. */
const FIRST_FILL: MyOrderEvent = {
  market: 'KRW-BTC',
  uuid: 'ac2dc2a3-fce9-40a2-a4f6-5987c25c438f',
  side: 'bid',
  orderType: 'limit',
  state: 'trade',
  price: null,
  volume: null,
  avgPrice: d('95000000'),
  remainingVolume: d('0.001'),
  executedVolume: d('0.001'),
  executedFunds: d('95000'),
  tradesCount: 1,
  reservedFee: d('95'),
  remainingFee: d('47.5'),
  paidFee: d('47.5'),
  locked: d('95047.5'),
  timeInForce: null,
  identifier: 'utui-7f3c2a10-0001',
  smpType: null,
  preventedVolume: d('0'),
  preventedLocked: d('0'),
  orderTimestamp: 1710751588000,
  timestamp: 1710751590500,
  fill: {
    tradeUuid: '68315169-fba4-4175-ade3-aff14a616657',
    price: d('95000000'),
    volume: d('0.001'),
    fee: d('47.5'),
    isMaker: true,
    timestamp: 1710751590421,
  },
};

describe('parsePrivateFrame: myOrder', () => {
  it('parses a DEFAULT-format fill: the fill carries price, volume, fee and maker flag; the order price/volume are null', () => {
    const order = onlyOrder(parsePrivateFrame(frame('my-order-trade-default.json')));
    expect(order).toEqual(FIRST_FILL);
    expect(order.fill?.volume.toString()).toBe('0.001');
    expect(order.fill?.price.toFixed()).toBe('95000000');
  });

  it('parses the same fill with SIMPLE keys, and from a text frame', () => {
    expect(onlyOrder(parsePrivateFrame(frame('my-order-trade-simple.json')))).toEqual(FIRST_FILL);
    expect(onlyOrder(parsePrivateFrame(frame('my-order-trade-default.json').toString('utf8')))).toEqual(FIRST_FILL);
  });

  it('parses a SIMPLE done event: the order price and volume, no fill', () => {
    expect(onlyOrder(parsePrivateFrame(frame('my-order-done-simple.json')))).toEqual({
      ...FIRST_FILL,
      state: 'done',
      price: d('95000000'),
      volume: d('0.002'),
      remainingVolume: d('0'),
      executedVolume: d('0.002'),
      executedFunds: d('190000'),
      tradesCount: 2,
      remainingFee: d('0'),
      paidFee: d('95'),
      locked: d('0'),
      timestamp: 1710751602180,
      fill: null,
    } satisfies MyOrderEvent);
  });

  it('parses a wait event with post_only, SMP type and no identifier', () => {
    expect(onlyOrder(parsePrivateFrame(frame('my-order-wait-default.json')))).toMatchObject({
      market: 'KRW-ETH',
      side: 'ask',
      state: 'wait',
      price: d('5123000'),
      volume: d('0.1234'),
      timeInForce: 'post_only',
      smpType: 'cancel_maker',
      identifier: null,
      fill: null,
    });
  });

  it('tolerates a market buy fill from an older server: no trade_fee, is_maker, smp or prevented fields', () => {
    const order = onlyOrder(parsePrivateFrame(frame('my-order-market-buy-trade-legacy.json')));
    expect(order).toMatchObject({ orderType: 'price', state: 'trade', remainingVolume: null, smpType: null, preventedVolume: null, preventedLocked: null });
    expect(order.fill).toEqual({
      tradeUuid: 'b2c9a4f0-6e1d-4d8b-9a3c-7f5e2d1c0b99',
      price: d('812.3'),
      volume: d('12.31195371'),
      fee: null,
      isMaker: null,
      timestamp: 1710751800100,
    });
  });

  it('needs only identity, state and timestamp on a non-fill event; the rest becomes null, never 0', () => {
    const minimal = { type: 'myOrder', code: 'KRW-BTC', uuid: 'u-1', ask_bid: 'ASK', order_type: 'market', state: 'cancel', timestamp: 5 };
    expect(onlyOrder(parsePrivateFrame(JSON.stringify(minimal)))).toEqual({
      market: 'KRW-BTC',
      uuid: 'u-1',
      side: 'ask',
      orderType: 'market',
      state: 'cancel',
      price: null,
      volume: null,
      avgPrice: null,
      remainingVolume: null,
      executedVolume: null,
      executedFunds: null,
      tradesCount: null,
      reservedFee: null,
      remainingFee: null,
      paidFee: null,
      locked: null,
      timeInForce: null,
      identifier: null,
      smpType: null,
      preventedVolume: null,
      preventedLocked: null,
      orderTimestamp: null,
      timestamp: 5,
      fill: null,
    } satisfies MyOrderEvent);
  });

  it('takes a double by its shortest round-trip text, so tiny and huge amounts stay exact decimals', () => {
    const base = fixtureObject('my-order-trade-default.json');
    const fill = (price: number, volume: number) => onlyOrder(parsePrivateFrame(JSON.stringify({ ...base, price, volume }))).fill;
    expect(fill(0.00001234, 1e-7)?.volume.toFixed()).toBe('0.0000001');
    expect(fill(0.00001234, 1e-7)?.price.toFixed()).toBe('0.00001234');
    expect(fill(1e21, 0.1)?.price.toFixed()).toBe('1000000000000000000000');
    // 0.1 + 0.2 as a double is 0.30000000000000004: that is what the wire said, and what we keep.
    expect(fill(95000000, 0.1 + 0.2)?.volume.toString()).toBe('0.30000000000000004');
    // A plain decimal string (REST's way) is accepted as it is.
    expect(onlyOrder(parsePrivateFrame(JSON.stringify({ ...base, volume: '0.00012345' }))).fill?.volume.toFixed()).toBe('0.00012345');
  });

  it('agrees with the key tables the simulator encodes with (its messages are parsed in private-client-sim.test.ts)', () => {
    expect(MY_ORDER_SIMPLE_KEYS).toEqual(simWire.MY_ORDER_SIMPLE_KEYS);
    expect(MY_ASSET_SIMPLE_KEYS).toEqual(simWire.MY_ASSET_SIMPLE_KEYS);
    expect(MY_ASSET_UNIT_SIMPLE_KEYS).toEqual(simWire.MY_ASSET_UNIT_SIMPLE_KEYS);
    const simple = toSimpleKeys(fixtureObject('my-order-trade-default.json'), MY_ORDER_SIMPLE_KEYS);
    expect(simple).toEqual(fixtureObject('my-order-trade-simple.json'));
  });
});

describe('parsePrivateFrame: myAsset', () => {
  const ASSET: MyAssetEvent = {
    assetUuid: 'e635f223-1609-4969-8fb6-4376937baad6',
    // The fixture writes 27 significant digits; the wire is a double, so 17 survive JSON.parse.
    balances: [
      { currency: 'KRW', balance: d('1386929.3723106678'), locked: d('95047.5') },
      { currency: 'BTC', balance: d('0.001'), locked: d('0') },
    ],
    assetTimestamp: 1710751590421,
    timestamp: 1710751590500,
  };

  it('parses DEFAULT and SIMPLE (nested `ast: [{cu, b, l}]`) to the same event', () => {
    expect(onlyAsset(parsePrivateFrame(frame('my-asset-default.json')))).toEqual(ASSET);
    expect(onlyAsset(parsePrivateFrame(frame('my-asset-simple.json')))).toEqual(ASSET);
  });

  it('falls back to timestamp when asset_timestamp is absent', () => {
    const { asset_timestamp: _a, ...rest } = fixtureObject('my-asset-default.json');
    expect(onlyAsset(parsePrivateFrame(JSON.stringify(rest))).assetTimestamp).toBe(1710751590500);
  });
});

describe('parsePrivateFrame: errors, status, lists', () => {
  it('parses INVALID_AUTH and {"status":"UP"}', () => {
    expect(parsePrivateFrame(frame('error-invalid-auth.json'))).toEqual([{ kind: 'error', name: 'INVALID_AUTH', message: '인증 정보가 올바르지 않습니다.' }]);
    expect(parsePrivateFrame(frame('status-up.json'))).toEqual([{ kind: 'status', status: 'UP' }]);
  });

  it('parses a JSON_LIST frame into one event per element', () => {
    const events = parsePrivateFrame(JSON.stringify([fixtureObject('my-order-trade-default.json'), fixtureObject('my-asset-default.json'), 42]));
    expect(events.map((e) => e.kind)).toEqual(['order', 'asset', 'invalid']);
  });
});

describe('parsePrivateFrame: malformed input becomes invalid events', () => {
  it.each([
    ['malformed-my-order-trade-without-trade-uuid.json', 'trade_uuid is missing'],
    ['malformed-my-order-negative-volume.json', 'volume is negative'],
    ['malformed-my-order-unknown-state.json', "state is 'filled', not a known order state"],
    ['malformed-my-asset-string-balance.json', "assets[0].balance is not a finite number ('lots')"],
    ['malformed-truncated.txt', 'invalid JSON'],
  ])('%s → %s', (name, reason) => {
    expect(onlyInvalid(parsePrivateFrame(frame(name)))).toBe(reason);
  });

  const order = fixtureObject('my-order-trade-default.json');
  const asset = fixtureObject('my-asset-default.json');
  it.each<[string, Record<string, unknown>, string]>([
    ['a fill without a price', { ...order, price: null }, 'price is missing'],
    ['an unknown side', { ...order, ask_bid: 'SELL' }, "ask_bid is 'SELL', not ASK/BID"],
    ['a missing uuid', { ...order, uuid: undefined }, 'uuid is missing'],
    ['an empty market code', { ...order, code: '' }, "code is '', not a non-empty string"],
    ['a missing order type', { ...order, order_type: undefined }, 'order_type is missing'],
    ['a missing timestamp', { ...order, timestamp: undefined }, 'timestamp is missing'],
    ['an infinite paid fee', { ...order, paid_fee: '1e999' }, "paid_fee is not a finite number ('1e999')"],
    ['a string maker flag', { ...order, is_maker: 'yes' }, "is_maker is 'yes', not a boolean"],
    ['a numeric identifier', { ...order, identifier: 7 }, 'identifier is 7, not a non-empty string'],
    ['a fractional trade count', { ...order, trades_count: 1.5 }, 'trades_count is not a whole number (1.5)'],
    ['an exponent string amount', { ...order, volume: '1e-7' }, "volume is not a finite number ('1e-7')"],
    ['assets that are not a list', { ...asset, assets: {} }, 'assets is a object, not a list'],
    ['an asset without currency', { ...asset, assets: [{ balance: 1, locked: 0 }] }, 'assets[0].currency is missing, not a currency code'],
    ['an asset with a negative lock', { ...asset, assets: [{ currency: 'KRW', balance: 1, locked: -1 }] }, 'assets[0].locked is negative'],
  ])('%s', (_what, message, reason) => {
    expect(onlyInvalid(parsePrivateFrame(JSON.stringify(message)))).toBe(reason);
  });

  it.each<[string, string | Buffer, string]>([
    ['non-UTF-8 bytes', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid UTF-8'],
    ['an empty list', '[]', 'empty list'],
    ['null', 'null', 'message is null, not an object'],
    ['a public type', '{"type":"ticker","code":"KRW-BTC"}', "unknown type 'ticker'"],
    ['a message without type', '{"uuid":"x"}', 'message has no type'],
  ])('%s', (_what, data, reason) => {
    expect(onlyInvalid(parsePrivateFrame(data))).toBe(reason);
  });
});

describe('parsePrivateFrame: never throws (fuzz)', () => {
  const KINDS = ['order', 'asset', 'status', 'error', 'invalid'];
  const check = (data: string | Buffer): void => {
    const events = parsePrivateFrame(data);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => KINDS.includes(e.kind))).toBe(true);
  };

  it('any JSON text, and random bytes', () => {
    fc.assert(fc.property(fc.json(), (json) => check(json)), { numRuns: 2_000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => check(Buffer.from(bytes))), { numRuns: 1_000 });
  });

  it('any narrowed value, including ones JSON cannot carry', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true }), (value) => {
        expect(KINDS).toContain(narrowPrivateMessage(value).kind);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each(['my-order-trade-default.json', 'my-order-done-simple.json', 'my-asset-default.json', 'my-asset-simple.json'])(
    '%s with any field replaced by any JSON value (or a double)',
    (name) => {
      const base = fixtureObject(name);
      const value = fc.oneof(fc.jsonValue(), fc.double(), fc.array(fc.record({ currency: fc.string(), balance: fc.double(), locked: fc.jsonValue() })));
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(base)), value, (key, v) => {
          const ev = only(parsePrivateFrame(JSON.stringify({ ...base, [key]: v })));
          const amounts =
            ev.kind === 'order'
              ? [ev.order.price, ev.order.volume, ev.order.executedVolume, ev.order.paidFee, ev.order.fill?.price, ev.order.fill?.volume]
              : ev.kind === 'asset'
                ? ev.asset.balances.flatMap((b) => [b.balance, b.locked])
                : [];
          for (const a of amounts) if (a != null) expect(a.isFinite() && !a.isNegative()).toBe(true);
          if (ev.kind === 'order') expect(ev.order.state === 'trade').toBe(ev.order.fill !== null);
        }),
        { numRuns: 1_000 },
      );
    },
  );
});
