import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import type { ExchangeEvent } from '../../src/exchange/index.js';
import {
  balanceToWire,
  cancelAndNewToWire,
  chanceToWire,
  kstIso,
  myAssetMessage,
  myAssetToSimple,
  myOrderMessage,
  orderToWire,
} from '../../src/exchange/index.js';
import { MY_ASSET_SIMPLE_KEYS, MY_ORDER_SIMPLE_KEYS, toSimpleKeys } from '../../src/upbit/wire.js';
import { AK, T0, TestMarket, harness, limit } from './helpers.js';

const FIXTURES = new URL('../fixtures/rest/v1/', import.meta.url);

function fixture(path: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(path, FIXTURES)), 'utf8')) as unknown;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const KST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+09:00$/;
const AMOUNT_KEYS = new Set(['price', 'volume', 'remaining_volume', 'prevented_volume', 'reserved_fee', 'remaining_fee', 'paid_fee', 'locked', 'prevented_locked', 'executed_volume', 'funds']);

/** Same keys at every level and values in the same formats (amount strings, KST times, JSON types). */
function formatProblems(actual: unknown, expected: unknown, at = '$'): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const [template] = expected as unknown[];
    return (actual as unknown[]).flatMap((item, i) => formatProblems(item, template, `${at}[${i}]`));
  }
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    return typeof actual === typeof expected ? [] : [`${at}: ${typeof actual} instead of ${typeof expected}`];
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const problems: string[] = [];
  const ak = Object.keys(a).sort().join(',');
  const ek = Object.keys(e).sort().join(',');
  if (ak !== ek) problems.push(`${at}: keys ${ak} instead of ${ek}`);
  for (const [k, v] of Object.entries(a)) {
    if (AMOUNT_KEYS.has(k) && !(typeof v === 'string' && DECIMAL.test(v))) problems.push(`${at}.${k}: ${String(v)} is not an amount string`);
    if (k === 'created_at' && !(typeof v === 'string' && KST.test(v))) problems.push(`${at}.${k}: ${String(v)} is not a KST time`);
    if (k in e) problems.push(...formatProblems(v, e[k], `${at}.${k}`));
  }
  return problems;
}

/** Ids handed out in this order, then `id-N`. */
function ids(...first: string[]): () => string {
  let n = 0;
  return () => first.shift() ?? `id-${++n}`;
}

const RECORDED_BOOK = (): TestMarket => new TestMarket().set('KRW-BTC', [['102945000', '1']], [['102944000', '1']], '102900000');

describe('orderToWire against recorded answers', () => {
  it('POST /v1/orders limit bid: exactly the recorded answer', () => {
    const h = harness({ uuid: ids('d098ceaf-6811-4df8-97f2-b7e01aefc03f') });
    expect(orderToWire(h.ex.place(AK, limit('bid', '10000000', '0.0005')))).toEqual(fixture('orders/POST-201.json'));
  });

  it('POST /v1/orders market buy: no volume keys, and GET once it ended cancel with the dust', () => {
    const h = harness({ market: RECORDED_BOOK(), uuid: ids('5a1b4c2e-9a55-4b8e-8d4c-0f6d7b1e2a33', '8e2f6b1c-4d3a-4c5b-9e7f-2a1b0c9d8e7f') });
    h.clock.now = T0 + 159_000;
    const accepted = h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' });
    expect(orderToWire(accepted)).toEqual(fixture('orders/POST-201-price.json'));
    expect(orderToWire(h.ex.get(AK, { uuid: accepted.uuid }), { withTrades: true })).toEqual(fixture('order/GET-200-price-cancel.json'));
  });

  it('POST /v1/orders market sell: no price key', () => {
    const h = harness({ market: RECORDED_BOOK(), uuid: ids('buy', 'trade', '7c3e0a5d-1f2b-4c8a-9e6d-3b2a1c0d9e8f') });
    h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' });
    h.clock.now = T0 + 228_000;
    const sell = h.ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.00009713' });
    expect(orderToWire(sell)).toEqual(fixture('orders/POST-201-market.json'));
  });

  it('GET /v1/order with trades, DELETE /v1/order and cancel_and_new have the recorded keys and formats', () => {
    const h = harness({ uuid: ids('d098ceaf-6811-4df8-97f2-b7e01aefc03f', '0f6c2b1a-3d4e-4f5a-8b9c-1d2e3f4a5b6c') });
    const o = h.ex.place(AK, limit('bid', '10000000', '0.0005'));
    const answer = h.ex.cancel(AK, { uuid: o.uuid });
    expect(orderToWire(answer)).toEqual(fixture('order/DELETE-200.json'));

    const h2 = harness({ uuid: ids('d098ceaf-6811-4df8-97f2-b7e01aefc03f', '0f6c2b1a-3d4e-4f5a-8b9c-1d2e3f4a5b6c') });
    const prev = h2.ex.place(AK, limit('bid', '10000000', '0.0005'));
    const { prev: old, next } = h2.ex.cancelAndNew(AK, { prev_order_uuid: prev.uuid, new_ord_type: 'limit', new_price: '10001000', new_volume: 'remain_only' });
    expect(cancelAndNewToWire(old, next)).toEqual(fixture('orders/cancel_and_new/POST-200.json'));

    const h3 = harness();
    const filled = h3.ex.place(AK, limit('bid', '10000000', '0.0005'));
    h3.ex.onMarketTrade('KRW-BTC', new Decimal('10000000'), new Decimal('1'));
    expect(formatProblems(orderToWire(h3.ex.get(AK, { uuid: filled.uuid }), { withTrades: true }), fixture('order/GET-200.json'))).toEqual([]);
  });

  it('adds identifier, time_in_force and smp_type only when set, executed_funds only on request', () => {
    const { ex } = harness();
    const plain = orderToWire(ex.place(AK, limit('bid', '99000000', '0.0001')));
    expect(Object.keys(plain)).not.toEqual(expect.arrayContaining(['identifier']));
    expect(['identifier', 'time_in_force', 'smp_type', 'executed_funds', 'trades'].some((k) => k in plain)).toBe(false);
    const full = orderToWire(ex.place(AK, limit('bid', '99000000', '0.0001', { identifier: 'x', time_in_force: 'post_only' })), { withExecutedFunds: true });
    expect([full.identifier, full.time_in_force, full.executed_funds, 'smp_type' in full]).toEqual(['x', 'post_only', '0', false]);
    const smp = orderToWire(ex.place(AK, limit('bid', '99000000', '0.0001', { smp_type: 'reduce' })));
    expect(smp.smp_type).toBe('reduce');
  });
});

describe('accounts and chance', () => {
  it('GET /v1/accounts and /v1/orders/chance: exactly the recorded answers', () => {
    const { ex } = harness({ krw: '50000.47088291' });
    expect(ex.balances(AK).map(balanceToWire)).toEqual(fixture('accounts/GET-200.json'));
    expect(chanceToWire(ex.chance(AK, 'KRW-BTC'))).toEqual(fixture('orders/chance/GET-200.json'));
  });
});

describe('private stream messages', () => {
  function lifecycleEvents(): ExchangeEvent[] {
    const h = harness({ market: RECORDED_BOOK() });
    h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000', identifier: 'mb' });
    return h.events;
  }

  it('myOrder: a wait message, one trade message per fill, then the final state', () => {
    const messages = lifecycleEvents().flatMap((e) => (e.type === 'order' ? [myOrderMessage(e)] : []));
    expect(messages.map((m) => m.state)).toEqual(['wait', 'trade', 'cancel']);
    const [wait, trade, end] = messages;
    expect(wait).toMatchObject({ type: 'myOrder', code: 'KRW-BTC', ask_bid: 'BID', order_type: 'price', price: 10000, volume: null, trade_uuid: null, trade_fee: null, is_maker: null, locked: 10005, identifier: 'mb', stream_type: 'REALTIME', trade_timestamp: null });
    expect(trade).toMatchObject({ price: 102945000, volume: 0.00009713, executed_volume: 0.00009713, trade_fee: 4.999523925, is_maker: false, avg_price: 102945000, trades_count: 1 });
    expect(trade?.trade_uuid).toEqual(expect.any(String));
    expect(end).toMatchObject({ state: 'cancel', price: 10000, locked: 0.952626075, paid_fee: 4.999523925, trade_uuid: null, trade_timestamp: T0 });
    for (const m of messages) expect(Object.keys(m).sort()).toEqual(Object.keys(MY_ORDER_SIMPLE_KEYS).sort());
    expect(Object.keys(toSimpleKeys(trade ?? {}, MY_ORDER_SIMPLE_KEYS))).toContain('tuid');
  });

  it('myAsset: the changed currencies as numbers, SIMPLE keys nested too', () => {
    const KRW_LEFT = new Decimal('9989995.952626075').toNumber();
    const assets = lifecycleEvents().flatMap((e) => (e.type === 'asset' ? [myAssetMessage(e, 'asset-1')] : []));
    expect(assets.map((m) => m.assets.map((a) => a.currency))).toEqual([['KRW'], ['KRW', 'BTC'], ['KRW']]);
    const last = assets.at(-1);
    expect(last).toEqual({
      type: 'myAsset',
      asset_uuid: 'asset-1',
      assets: [{ currency: 'KRW', balance: KRW_LEFT, locked: 0 }],
      asset_timestamp: T0,
      timestamp: T0,
      stream_type: 'REALTIME',
    });
    expect(Object.keys(last ?? {}).sort()).toEqual(Object.keys(MY_ASSET_SIMPLE_KEYS).sort());
    expect(last && myAssetToSimple(last)).toEqual({ ty: 'myAsset', astuid: 'asset-1', ast: [{ cu: 'KRW', b: KRW_LEFT, l: 0 }], asttms: T0, tms: T0, st: 'REALTIME' });
  });
});

describe('kstIso', () => {
  it('writes Korean time with +09:00 and whole seconds', () => {
    expect(kstIso(Date.UTC(2026, 2, 22, 15, 0, 0, 999))).toBe('2026-03-23T00:00:00+09:00');
    expect(kstIso(T0)).toBe('2026-03-22T21:42:22+09:00');
  });
});
