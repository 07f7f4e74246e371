import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import type { ExchangeSnapshot } from '../../src/exchange/index.js';
import { Exchange, balanceToWire, orderToWire } from '../../src/exchange/index.js';
import { AK, ManualClock, TestMarket, errorName, harness, limit, sequentialUuids } from './helpers.js';

/** An exchange with a bit of everything: fills, resting orders, a pending cancel, a burnt identifier. */
function busyExchange(): ReturnType<typeof harness> {
  const h = harness({ market: new TestMarket().ladder('KRW-BTC', '100000000', '0.001').ladder('KRW-XRP', '3200', '1000') });
  h.ex.createAccount('second', 'secret-2', '500000.5');
  h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '200000', identifier: 'buy' });
  h.ex.place(AK, limit('ask', '100050000', '0.001', { identifier: 'resting-ask' }));
  const partial = h.ex.place(AK, limit('bid', '99990000', '0.002'));
  h.ex.onMarketTrade('KRW-BTC', new Decimal('99990000'), new Decimal('0.0005'));
  h.clock.now += 1500;
  h.ex.place(AK, { market: 'KRW-XRP', side: 'bid', ord_type: 'limit', price: '3100', volume: '10.12345678', identifier: 'xrp' });
  h.ex.cancel(AK, { identifier: 'xrp' });
  expect(errorName(() => h.ex.place(AK, limit('bid', '100000000', '100', { identifier: 'burnt' })))).toBe('over_max_total_bid');
  h.ex.place('second', limit('bid', '99000000', '0.0001'));
  expect(h.ex.get(AK, { uuid: partial.uuid }).tradesCount).toBe(1);
  return h;
}

const roundTrip = (s: ExchangeSnapshot): unknown => JSON.parse(JSON.stringify(s)) as unknown;

describe('snapshot', () => {
  it('round-trips exactly through JSON', () => {
    const h = busyExchange();
    const snap = h.ex.snapshot();
    const clock = new ManualClock(h.clock.now);
    const restored = Exchange.fromSnapshot(roundTrip(snap), { market: h.market, now: () => clock.now, schedule: clock.schedule, uuid: sequentialUuids('r') });
    expect(restored.snapshot()).toEqual(snap);
    for (const key of [AK, 'second']) {
      expect(restored.balances(key)).toEqual(h.ex.balances(key));
      expect(restored.list(key, {})).toEqual(h.ex.list(key, {}));
      expect(restored.balances(key).map(balanceToWire)).toEqual(h.ex.balances(key).map(balanceToWire));
      expect(restored.list(key, {}).map((o) => orderToWire(o, { withTrades: true }))).toEqual(h.ex.list(key, {}).map((o) => orderToWire(o, { withTrades: true })));
    }
    expect(restored.secretOf('second')).toBe('secret-2');
  });

  it('restores behaviour too: burnt identifiers, resting orders, pending cancels', () => {
    const h = busyExchange();
    const clock = new ManualClock(h.clock.now);
    const restored = Exchange.fromSnapshot(roundTrip(h.ex.snapshot()), { market: h.market, now: () => clock.now, schedule: clock.schedule, cancelDelayMs: 5 });
    expect(errorName(() => restored.place(AK, limit('bid', '99000000', '0.0001', { identifier: 'burnt' })))).toBe('duplicate_identifier');
    expect(errorName(() => restored.place(AK, limit('bid', '99000000', '0.0001', { identifier: 'buy' })))).toBe('duplicate_identifier');
    expect(restored.get(AK, { identifier: 'xrp' }).state).toBe('wait');
    clock.advance(5);
    expect(restored.get(AK, { identifier: 'xrp' }).state).toBe('cancel');
    restored.onMarketTrade('KRW-BTC', new Decimal('100050000'), new Decimal('1'));
    expect(restored.get(AK, { identifier: 'resting-ask' }).state).toBe('done');
    restored.close();
  });

  describe('fromSnapshot refuses a bad file with a clear message', () => {
    const good = (): ExchangeSnapshot => structuredClone(busyExchange().ex.snapshot());
    const opts = { market: new TestMarket().ladder('KRW-BTC', '100000000', '1') };
    /** Overwrite a field with a value of any type, as a hand-edited file might. */
    const put = <T extends object>(target: T | undefined, key: keyof T, value: unknown): void => {
      if (target === undefined) throw new Error('the test snapshot lacks that object');
      Reflect.set(target, key, value);
    };

    it.each<[string, (s: ExchangeSnapshot) => unknown, RegExp]>([
      ['not an object', () => 'hello', /snapshot should be an object, got 'hello'/],
      ['another format', (s) => ({ ...s, format: 'something-else' }), /snapshot\.format should be "upbit-tui\/exchange"/],
      ['a future version', (s) => ({ ...s, version: 2 }), /snapshot\.version should be 1, got 2/],
      ['accounts not a list', (s) => ({ ...s, accounts: {} }), /snapshot\.accounts should be an array/],
      ['a number for an amount', (s) => (put(s.accounts[0]?.holdings[0], 'balance', 12), s), /snapshot\.accounts\[0\]\.holdings\[0\]\.balance should be a decimal string like "5002\.5", got 12/],
      ['a negative amount', (s) => (put(s.accounts[0]?.orders[1], 'locked', '-1'), s), /accounts\[0\]\.orders\[1\]\.locked should be a decimal string/],
      ['an unknown state', (s) => (put(s.accounts[0]?.orders[0], 'state', 'open'), s), /orders\[0\]\.state should be one of wait, done, cancel, got 'open'/],
      ['a market Upbit does not have', (s) => (put(s.accounts[0]?.orders[0], 'market', 'ETH-BTC'), s), /orders\[0\]\.market should be a market code like "KRW-BTC"/],
      ['a duplicate access key', (s) => ({ ...s, accounts: [s.accounts[0], s.accounts[0]] }), /accounts\[1\]\.accessKey should be unique/],
      ['locked that open orders do not explain', (s) => (put(s.accounts[1]?.holdings[0], 'locked', '1'), s), /accounts\[1\] KRW locked should be .* \(what its open orders lock\), got '1'/],
      ['a trade count that does not match', (s) => (put(s.accounts[0]?.orders[0], 'tradesCount', 7), s), /orders\[0\]\.tradesCount should be the number of trades/],
      ['an open market order', (s) => (put(s.accounts[0]?.orders[0], 'state', 'wait'), s), /orders\[0\]\.state should be done or cancel/],
    ])('%s', (_what, corrupt, message) => {
      expect(() => Exchange.fromSnapshot(corrupt(good()), opts)).toThrow(message);
    });
  });
});
