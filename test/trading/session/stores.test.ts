/**
 * The session's stores in process: snapshots are the same object until a change is published,
 * a synchronous burst publishes once, and a REST read never overwrites what the stream said
 * while the read was on its way.
 */
import { describe, expect, it } from 'vitest';

import { Money } from '../../../src/trading/money.js';
import { AccountStore, OrdersStore, selectKrw, selectOpenOrders } from '../../../src/trading/session/index.js';
import type { Balance, Order } from '../../../src/upbit/rest/types.js';
import type { MyAssetEvent, MyOrderEvent } from '../../../src/upbit/types.js';
import { waitFor } from '../../helpers/wait-for.js';

const d = (v: string | number) => new Money(v);
const asset = (krw: string, locked = '0'): MyAssetEvent => ({ assetUuid: null, balances: [{ currency: 'KRW', balance: d(krw), locked: d(locked) }], assetTimestamp: 1, timestamp: 1 });
const rest = (krw: string): Balance => ({ currency: 'KRW', balance: d(krw), locked: d(0), avgBuyPrice: d(0), avgBuyPriceModified: false, unitCurrency: 'KRW' });

function orderEvent(uuid: string, state: MyOrderEvent['state'] & ('wait' | 'done' | 'cancel')): MyOrderEvent {
  return {
    market: 'KRW-BTC', uuid, side: 'bid', orderType: 'limit', state, price: d(50_000_000), volume: d('0.0002'), fill: null,
    avgPrice: null, remainingVolume: d('0.0002'), executedVolume: d(0), executedFunds: null, tradesCount: 0, reservedFee: null, remainingFee: null, paidFee: null,
    locked: null, timeInForce: null, identifier: null, smpType: null, preventedVolume: null, preventedLocked: null, orderTimestamp: 1, timestamp: 1,
  };
}

function restOrder(uuid: string): Order {
  return {
    uuid, identifier: null, market: 'KRW-BTC', side: 'bid', ordType: 'limit', state: 'wait', price: d(50_000_000), volume: d('0.0002'), remainingVolume: d('0.0002'),
    executedVolume: d(0), executedFunds: null, reservedFee: d(0), remainingFee: d(0), paidFee: d(0), locked: d(0), preventedVolume: null, preventedLocked: null,
    timeInForce: null, smpType: null, tradesCount: 0, createdAt: 1,
  };
}

describe('session stores', () => {
  it('keep the same snapshot object until a change is published, and publish a synchronous burst of 1,000 once', async () => {
    const store = new AccountStore();
    let published = 0;
    store.subscribe(() => published++);
    const first = store.getSnapshot();
    expect(store.getSnapshot()).toBe(first);
    for (let i = 0; i < 1_000; i++) store.applyAsset(asset(String(1_000_000 - i)));
    // Applied at once (the check reads it), published later.
    expect(store.current('KRW')?.balance.toFixed()).toBe('999001');
    expect(store.getSnapshot()).toBe(first);
    await waitFor(() => published > 0, 'the publication');
    expect(published).toBe(1);
    const second = store.getSnapshot();
    expect([second.version, selectKrw(second).available.toFixed()]).toEqual([1, '999001']);
    expect(store.getSnapshot()).toBe(second);
    store.close();
  });

  it('a REST read of the balances that was on its way keeps what the stream said meanwhile', () => {
    const store = new AccountStore();
    store.beginSync();
    store.applyAsset(asset('900000', '100000'));
    store.applySync([rest('1000000')]);
    store.close();
    expect([selectKrw(store.getSnapshot()).available.toFixed(), selectKrw(store.getSnapshot()).locked.toFixed(), store.getSnapshot().loaded]).toEqual(['900000', '100000', true]);
  });

  it("a REST list of open orders that was on its way neither brings back an order the stream ended nor drops one it opened", () => {
    const store = new OrdersStore();
    store.applySync([restOrder('a')]);
    store.beginSync();
    store.applyEvent(orderEvent('a', 'done'));
    store.applyEvent(orderEvent('b', 'wait'));
    store.applySync([restOrder('a')]);
    store.close();
    expect(selectOpenOrders(store.getSnapshot()).map((o) => o.uuid)).toEqual(['b']);
  });

  it("an order's placement answer that comes after the stream said it ended does not reopen it", () => {
    const store = new OrdersStore();
    // A market buy: its fills and its end come over the stream before the POST's answer (state wait).
    store.applyEvent(orderEvent('m', 'cancel'));
    store.applyOrder(restOrder('m'));
    store.close();
    expect(selectOpenOrders(store.getSnapshot())).toEqual([]);
  });
});
