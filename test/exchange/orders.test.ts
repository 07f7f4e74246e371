import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import type { ExchangeEvent, Order } from '../../src/exchange/index.js';
import { AK, TestMarket, errorName, harness, holding, krw, limit } from './helpers.js';

const BUY_10K = { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' } as const;

/** What listeners heard, compactly: `order:wait`, `order:trade`, `asset:KRW,BTC`, … */
function trace(events: readonly ExchangeEvent[]): string[] {
  return events.map((e) =>
    e.type === 'order' ? `order:${e.fill !== null ? 'trade' : e.order.state}` : `asset:${e.balances.map((b) => b.currency).join(',')}`,
  );
}

const s = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());

function summary(o: Order): Record<string, unknown> {
  return {
    state: o.state,
    executedVolume: s(o.executedVolume),
    remainingVolume: s(o.remainingVolume),
    paidFee: s(o.paidFee),
    remainingFee: s(o.remainingFee),
    locked: s(o.locked),
    tradesCount: o.tradesCount,
  };
}

describe('the recorded examples (docs/upbit-protocol.md#exchange-endpoints)', () => {
  it('a limit bid 0.0005 BTC at 10,000,000 locks 5002.5 with reserved_fee 2.5', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '10000000', '0.0005'));
    expect([o.state, s(o.locked), s(o.reservedFee), s(o.remainingFee), s(o.paidFee)]).toEqual(['wait', '5002.5', '2.5', '2.5', '0']);
    expect(krw(h)).toEqual({ balance: '9994997.5', locked: '5002.5' });
  });

  it('a 10,000 KRW market buy ends cancel: dust refunded, locked released', () => {
    const market = new TestMarket().set('KRW-BTC', [['102945000', '1']], [['102944000', '1']]);
    const h = harness({ market });
    const accepted = h.ex.place(AK, BUY_10K);
    expect([accepted.state, s(accepted.locked), s(accepted.reservedFee)]).toEqual(['wait', '10005', '5']);
    const done = h.ex.get(AK, { uuid: accepted.uuid });
    expect(summary(done)).toEqual({
      state: 'cancel',
      executedVolume: '0.00009713',
      remainingVolume: null,
      paidFee: '4.999523925',
      remainingFee: '0.000476075',
      locked: '0.952626075',
      tradesCount: 1,
    });
    expect(s(done.executedFunds)).toBe('9999.04785');
    expect(krw(h)).toEqual({ balance: '9989995.952626075', locked: '0' });
    expect(holding(h, 'BTC')).toEqual({ balance: '0.00009713', locked: '0', avg: '102945000' });
    expect(trace(h.events)).toEqual(['order:wait', 'asset:KRW', 'order:trade', 'asset:KRW,BTC', 'order:cancel', 'asset:KRW']);
  });

  it('a market buy that spends its total exactly ends done', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '1']], [['99999000', '1']]);
    const h = harness({ market });
    const o = h.ex.get(AK, { uuid: h.ex.place(AK, BUY_10K).uuid });
    expect([o.state, s(o.executedVolume), s(o.locked), s(o.remainingFee)]).toEqual(['done', '0.0001', '0', '0']);
    expect(krw(h)).toEqual({ balance: '9989995', locked: '0' });
  });
});

describe('market orders walk the book', () => {
  it('buys level by level with volumes rounded down to 8 decimals', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '0.00010000999'], ['100001000', '5']], [['99999000', '1']]);
    const h = harness({ market });
    const o = h.ex.get(AK, { uuid: h.ex.place(AK, { ...BUY_10K, price: '30000' }).uuid });
    expect(o.trades.map((t) => [s(t.price), s(t.volume), t.isMaker])).toEqual([
      ['100000000', '0.0001', false],
      ['100001000', '0.00019999', false],
    ]);
    expect(o.state).toBe('cancel');
    expect(o.trades.every((t) => t.volume.decimalPlaces() <= 8)).toBe(true);
  });

  it('sells by volume into the bids, ends done, pays the fee from the proceeds and keeps avg_buy_price', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '1']], [['99000000', '0.0001'], ['98000000', '1']]);
    const h = harness({ market });
    h.ex.place(AK, { ...BUY_10K, price: '30000' }); // 0.0003 BTC
    const before = krw(h);
    const sell = h.ex.get(AK, { uuid: h.ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.0002' }).uuid });
    expect(summary(sell)).toMatchObject({ state: 'done', executedVolume: '0.0002', remainingVolume: '0', locked: '0' });
    // 0.0001 × 99,000,000 + 0.0001 × 98,000,000 = 19,700; fee 9.85
    expect([s(sell.executedFunds), s(sell.paidFee), s(sell.reservedFee)]).toEqual(['19700', '9.85', '0']);
    expect(new Decimal(krw(h).balance).minus(before.balance).toFixed()).toBe('19690.15');
    expect(holding(h, 'BTC')).toEqual({ balance: '0.0001', locked: '0', avg: '100000000' });
    h.ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.0001' });
    expect(holding(h, 'BTC')).toBeUndefined();
    expect(h.ex.chance(AK, 'KRW-BTC').askAccount.avgBuyPrice.toFixed()).toBe('0');
  });

  it('averages the purchase price by volume, fees excluded', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '1']], [['99000000', '1']]);
    const h = harness({ market });
    h.ex.place(AK, { ...BUY_10K, price: '10000' }); // 0.0001 at 100,000,000
    market.set('KRW-BTC', [['130000000', '1']], [['99000000', '1']]);
    h.ex.place(AK, limit('bid', '130000000', '0.0002')); // 0.0002 at 130,000,000
    expect(holding(h, 'BTC')).toEqual({ balance: '0.0003', locked: '0', avg: '120000000' });
  });
});

describe('limit orders', () => {
  it('cross as taker for the crossing part (at the book price) and rest the remainder as maker', () => {
    const market = new TestMarket().set('KRW-BTC', [['100001000', '0.0001'], ['100005000', '1']], [['99999000', '1']]);
    const h = harness({ market });
    const o = h.ex.get(AK, { uuid: h.ex.place(AK, limit('bid', '100002000', '0.0003')).uuid });
    expect(o.trades.map((t) => [s(t.price), s(t.volume), t.isMaker])).toEqual([['100001000', '0.0001', false]]);
    // What rests locks exactly 0.0002 × 100,002,000 × 1.0005; the better fill price freed the difference.
    expect(summary(o)).toMatchObject({ state: 'wait', remainingVolume: '0.0002', locked: '20010.4002', remainingFee: '10.0002' });
    expect(krw(h).locked).toBe('20010.4002');
    expect(new Decimal(krw(h).balance).plus(krw(h).locked).toFixed()).toBe(new Decimal('10000000').minus('10000.1').minus('5.00005').toFixed());
  });

  it('fill as makers at their own price when the market trades through them, partially, then done', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '99000000', '0.0003'));
    h.events.length = 0;
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99001000'), new Decimal('5'));
    expect(h.ex.get(AK, { uuid: o.uuid }).tradesCount).toBe(0);
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99000000'), new Decimal('0.0001'));
    h.ex.onMarketTrade('KRW-BTC', new Decimal('98000000'), new Decimal('7'));
    const done = h.ex.get(AK, { uuid: o.uuid });
    expect(done.trades.map((t) => [s(t.price), s(t.volume), t.isMaker])).toEqual([
      ['99000000', '0.0001', true],
      ['99000000', '0.0002', true],
    ]);
    expect(summary(done)).toMatchObject({ state: 'done', remainingVolume: '0', locked: '0', remainingFee: '0', paidFee: '14.85' });
    expect(trace(h.events)).toEqual(['order:trade', 'asset:KRW,BTC', 'order:trade', 'asset:KRW,BTC', 'order:done']);
    expect(krw(h)).toEqual({ balance: '9970285.15', locked: '0' });
  });

  it('are not filled by a trade from before they were placed (paper replays past candles)', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '99000000', '0.0003'));
    const placedAt = h.ex.get(AK, { uuid: o.uuid }).createdAt;
    h.ex.onMarketTrade('KRW-BTC', new Decimal('98000000'), new Decimal('7'), placedAt - 1);
    expect(h.ex.get(AK, { uuid: o.uuid }).tradesCount).toBe(0);
    h.ex.onMarketTrade('KRW-BTC', new Decimal('98000000'), new Decimal('7'), placedAt);
    expect(summary(h.ex.get(AK, { uuid: o.uuid }))).toMatchObject({ state: 'done' });
  });

  it("share a trade's volume best price first, then oldest first", () => {
    const h = harness({ krw: '100000000' });
    const low = h.ex.place(AK, limit('bid', '98000000', '0.001'));
    const high = h.ex.place(AK, limit('bid', '99000000', '0.001'));
    const high2 = h.ex.place(AK, limit('bid', '99000000', '0.001'));
    h.ex.onMarketTrade('KRW-BTC', new Decimal('97000000'), new Decimal('0.0015'));
    expect([low, high, high2].map((o) => s(h.ex.get(AK, { uuid: o.uuid }).executedVolume))).toEqual(['0', '0.001', '0.0005']);
  });

  it('fill resting asks when the market trades at or above them', () => {
    const h = harness();
    h.ex.place(AK, { ...BUY_10K, price: '50000' });
    const btc = holding(h, 'BTC')?.balance ?? '0';
    const ask = h.ex.place(AK, limit('ask', '101000000', btc));
    expect(holding(h, 'BTC')).toMatchObject({ balance: '0', locked: btc });
    h.ex.onMarketTrade('KRW-BTC', new Decimal('100999000'), new Decimal('1'));
    expect(h.ex.get(AK, { uuid: ask.uuid }).state).toBe('wait');
    h.ex.onMarketTrade('KRW-BTC', new Decimal('101000000'), new Decimal('1'));
    expect(h.ex.get(AK, { uuid: ask.uuid }).state).toBe('done');
    expect(holding(h, 'BTC')).toBeUndefined();
  });

  it('ioc: trades what crosses and cancels the rest', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '0.0001'], ['100001000', '1']], [['99999000', '1']]);
    const h = harness({ market });
    const o = h.ex.get(AK, { uuid: h.ex.place(AK, limit('bid', '100000000', '0.0003', { time_in_force: 'ioc' })).uuid });
    expect(summary(o)).toMatchObject({ state: 'cancel', executedVolume: '0.0001', remainingVolume: '0.0002' });
    expect(krw(h).locked).toBe('0');
  });

  it('fok: all or nothing', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '0.0001'], ['100001000', '1']], [['99999000', '1']]);
    const h = harness({ market });
    const killed = h.ex.get(AK, { uuid: h.ex.place(AK, limit('bid', '100000000', '0.0002', { time_in_force: 'fok' })).uuid });
    expect(summary(killed)).toMatchObject({ state: 'cancel', executedVolume: '0', tradesCount: 0 });
    expect(krw(h)).toEqual({ balance: '10000000', locked: '0' });
    const filled = h.ex.get(AK, { uuid: h.ex.place(AK, limit('bid', '100001000', '0.0002', { time_in_force: 'fok' })).uuid });
    expect(summary(filled)).toMatchObject({ state: 'done', executedVolume: '0.0002', locked: '0' });
  });

  it('post_only: cancelled without fills if it would take, resting otherwise', () => {
    const h = harness();
    const taker = h.ex.get(AK, { uuid: h.ex.place(AK, limit('bid', '100001000', '0.001', { time_in_force: 'post_only' })).uuid });
    expect(summary(taker)).toMatchObject({ state: 'cancel', tradesCount: 0 });
    const maker = h.ex.get(AK, { uuid: h.ex.place(AK, limit('bid', '100000000', '0.001', { time_in_force: 'post_only' })).uuid });
    expect(maker.state).toBe('wait');
  });
});

describe('best orders (ioc/fok at the opposite best price)', () => {
  it('a best bid spends its total at the best ask only', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '0.0001'], ['100001000', '1']], [['99999000', '1']]);
    const h = harness({ market });
    const ioc = h.ex.get(AK, { uuid: h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'best', price: '20000', time_in_force: 'ioc' }).uuid });
    expect([ioc.state, s(ioc.executedVolume), s(ioc.executedFunds)]).toEqual(['cancel', '0.0001', '10000']);
    const fok = h.ex.get(AK, { uuid: h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'best', price: '20000', time_in_force: 'fok' }).uuid });
    expect([fok.state, fok.tradesCount]).toEqual(['cancel', 0]);
    const exact = h.ex.get(AK, { uuid: h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'best', price: '10000', time_in_force: 'fok' }).uuid });
    expect([exact.state, s(exact.executedVolume)]).toEqual(['done', '0.0001']);
    expect(krw(h).locked).toBe('0');
  });

  it('a best ask sells its volume at the best bid only', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '1']], [['99999000', '0.0001'], ['99998000', '1']]);
    const h = harness({ market });
    h.ex.place(AK, { ...BUY_10K, price: '30000' });
    const ask = { market: 'KRW-BTC', side: 'ask', ord_type: 'best', volume: '0.0002' } as const;
    const fok = h.ex.get(AK, { uuid: h.ex.place(AK, { ...ask, time_in_force: 'fok' }).uuid });
    expect([fok.state, fok.tradesCount]).toEqual(['cancel', 0]);
    const ioc = h.ex.get(AK, { uuid: h.ex.place(AK, { ...ask, time_in_force: 'ioc' }).uuid });
    expect([ioc.state, s(ioc.executedVolume), s(ioc.remainingVolume)]).toEqual(['cancel', '0.0001', '0.0001']);
    expect(holding(h, 'BTC')?.locked).toBe('0');
  });
});

describe('cancel', () => {
  it('answers with the order still wait and completes cancelDelayMs later', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '99000000', '0.001', { identifier: 'c1' }));
    h.events.length = 0;
    const answer = h.ex.cancel(AK, { identifier: 'c1' });
    expect([answer.uuid, answer.state]).toEqual([o.uuid, 'wait']);
    expect(krw(h).locked).toBe('99049.5');
    h.clock.advance(19);
    expect(h.ex.get(AK, { uuid: o.uuid }).state).toBe('wait');
    h.clock.advance(1);
    const done = h.ex.get(AK, { uuid: o.uuid });
    expect([done.state, s(done.locked), s(done.remainingVolume)]).toEqual(['cancel', '99049.5', '0.001']);
    expect(krw(h)).toEqual({ balance: '10000000', locked: '0' });
    expect(trace(h.events)).toEqual(['order:cancel', 'asset:KRW']);
  });

  it('keeps a pending cancel out of the market and answers a second cancel the same way', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '99000000', '0.001'));
    h.ex.cancel(AK, { uuid: o.uuid });
    h.ex.onMarketTrade('KRW-BTC', new Decimal('98000000'), new Decimal('1'));
    expect(h.ex.cancel(AK, { uuid: o.uuid }).state).toBe('wait');
    expect(h.clock.pending()).toBe(1);
    h.clock.advance(20);
    expect(h.ex.get(AK, { uuid: o.uuid })).toMatchObject({ state: 'cancel', tradesCount: 0 });
  });

  it('answers order_not_found for an unknown or finished order (UNCERTAIN for finished ones)', () => {
    const h = harness();
    expect(errorName(() => h.ex.cancel(AK, { uuid: 'nope' }))).toBe('order_not_found');
    const sold = h.ex.place(AK, BUY_10K);
    expect(errorName(() => h.ex.cancel(AK, { uuid: sold.uuid }))).toBe('order_not_found');
    expect(errorName(() => h.ex.get(AK, {}))).toBe('validation_error');
  });

  it('looks up by uuid first when both are given', () => {
    const h = harness();
    const a = h.ex.place(AK, limit('bid', '99000000', '0.001', { identifier: 'a' }));
    h.ex.place(AK, limit('bid', '99000000', '0.001', { identifier: 'b' }));
    expect(h.ex.get(AK, { uuid: a.uuid, identifier: 'b' }).identifier).toBe('a');
    expect(errorName(() => h.ex.get(AK, { uuid: 'missing', identifier: 'b' }))).toBe('order_not_found');
  });

  it('close() drops scheduled completions and refuses further changes', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '99000000', '0.001'));
    h.ex.cancel(AK, { uuid: o.uuid });
    h.ex.close();
    h.ex.close();
    expect(h.clock.pending()).toBe(0);
    expect(() => h.ex.place(AK, limit('bid', '99000000', '0.001'))).toThrow(/closed/);
    h.ex.onMarketTrade('KRW-BTC', new Decimal('98000000'), new Decimal('1'));
    expect(h.ex.get(AK, { uuid: o.uuid }).state).toBe('wait');
  });
});

describe('lists and batch cancels', () => {
  function threeOrders(): { h: ReturnType<typeof harness>; ids: string[] } {
    const h = harness({ market: new TestMarket().ladder('KRW-BTC', '100000000', '1').ladder('KRW-ETH', '4800000', '10') });
    const ids = [
      h.ex.place(AK, limit('bid', '99000000', '0.001', { identifier: 'i0' })).uuid,
      h.ex.place(AK, { market: 'KRW-ETH', side: 'bid', ord_type: 'limit', price: '4700000', volume: '0.01', identifier: 'i1' }).uuid,
    ];
    h.clock.now += 1000;
    ids.push(h.ex.place(AK, limit('bid', '98000000', '0.001', { identifier: 'i2' })).uuid);
    return { h, ids };
  }

  it('lists newest first by default, filters by market, state and time, and pages', () => {
    const { h, ids } = threeOrders();
    const uuids = (os: Order[]): string[] => os.map((o) => o.uuid);
    expect(uuids(h.ex.list(AK, { states: ['wait'] }))).toEqual([ids[2], ids[1], ids[0]]);
    expect(uuids(h.ex.list(AK, { states: ['wait'], orderBy: 'asc' }))).toEqual(ids);
    expect(uuids(h.ex.list(AK, { market: 'KRW-ETH' }))).toEqual([ids[1]]);
    expect(uuids(h.ex.list(AK, { states: ['done', 'cancel'] }))).toEqual([]);
    expect(uuids(h.ex.list(AK, { startTime: h.clock.now }))).toEqual([ids[2]]);
    expect(uuids(h.ex.list(AK, { limit: 2, page: 2 }))).toEqual([ids[0]]);
    expect(uuids(h.ex.byIds(AK, { identifiers: ['i0', 'i2', 'zz'] }))).toEqual([ids[2], ids[0]]);
    expect(uuids(h.ex.byIds(AK, { uuids: [ids[0] ?? '', ids[1] ?? ''] }, 'asc'))).toEqual([ids[0], ids[1]]);
  });

  it('cancels many by id, reporting unknown and finished ones as failed', () => {
    const { h, ids } = threeOrders();
    const result = h.ex.cancelMany(AK, { uuids: [ids[0] ?? '', 'unknown'] });
    expect(result.success).toEqual({ count: 1, orders: [{ uuid: ids[0], market: 'KRW-BTC', identifier: 'i0' }] });
    expect(result.failed).toEqual({ count: 1, orders: [{ uuid: 'unknown', market: '', identifier: null }] });
    expect(errorName(() => h.ex.cancelMany(AK, { uuids: ['a'], identifiers: ['b'] }))).toBe('validation_error');
  });

  it('cancels open orders by pair, quote currency, side and count', () => {
    const { h, ids } = threeOrders();
    expect(h.ex.cancelOpen(AK, { pairs: ['KRW-ETH'] }).success.orders.map((o) => o.uuid)).toEqual([ids[1]]);
    expect(h.ex.cancelOpen(AK, { side: 'ask' }).success.count).toBe(0);
    // The ETH order is already being cancelled: only the two BTC orders are left, newest first.
    expect(h.ex.cancelOpen(AK, { quoteCurrencies: ['KRW'], count: 1 }).success.orders.map((o) => o.uuid)).toEqual([ids[2]]);
    expect(h.ex.cancelOpen(AK, { excludePairs: ['KRW-BTC'] }).success.count).toBe(0);
    h.clock.advance(20);
    expect(h.ex.list(AK, { states: ['wait'] }).map((o) => o.uuid)).toEqual([ids[0]]);
    expect(krw(h).locked).toBe(h.ex.get(AK, { uuid: ids[0] ?? '' }).locked.toFixed());
  });
});

describe('cancel_and_new', () => {
  it('replaces an open order on the same market and side, with the old funds available', () => {
    const h = harness({ krw: '100050' });
    const prev = h.ex.place(AK, limit('bid', '100000000', '0.001', { identifier: 'old' }));
    expect(errorName(() => h.ex.place(AK, limit('bid', '99000000', '0.0001')))).toBe('insufficient_funds_bid');
    const { prev: answer, next } = h.ex.cancelAndNew(AK, { prev_order_identifier: 'old', new_ord_type: 'limit', new_price: '99000000', new_volume: 'remain_only', new_identifier: 'new' });
    expect([answer.uuid, answer.state]).toEqual([prev.uuid, 'wait']);
    expect(h.ex.get(AK, { uuid: prev.uuid }).state).toBe('cancel');
    expect([next.identifier, s(next.price), s(next.volume), next.side, next.market]).toEqual(['new', '99000000', '0.001', 'bid', 'KRW-BTC']);
    expect(krw(h)).toEqual({ balance: '1000.5', locked: '99049.5' });
  });

  it('names the new_* fields in errors, uses up new_identifier, and refuses a finished order', () => {
    const h = harness();
    const prev = h.ex.place(AK, limit('bid', '99000000', '0.001'));
    expect(() => h.ex.cancelAndNew(AK, { prev_order_uuid: prev.uuid, new_ord_type: 'limit', new_identifier: 'n1', new_volume: '0.001' })).toThrow(
      'new_price is missing, new_price does not have a valid value',
    );
    expect(errorName(() => h.ex.cancelAndNew(AK, { prev_order_uuid: prev.uuid, new_ord_type: 'limit', new_identifier: 'n1', new_price: '98000000', new_volume: '0.001' }))).toBe(
      'duplicate_identifier',
    );
    expect(errorName(() => h.ex.cancelAndNew(AK, { new_ord_type: 'limit' }))).toBe('validation_error');
    const sold = h.ex.place(AK, BUY_10K);
    expect(errorName(() => h.ex.cancelAndNew(AK, { prev_order_uuid: sold.uuid, new_ord_type: 'limit', new_price: '1', new_volume: '1' }))).toBe('order_not_found');
  });
});

describe('balances, chance and events', () => {
  it('lists KRW first, then currencies with something available or locked', () => {
    const h = harness({ market: new TestMarket().ladder('KRW-BTC', '100000000', '1').ladder('KRW-ETH', '4800000', '10') });
    expect(h.ex.balances(AK).map((b) => b.currency)).toEqual(['KRW']);
    h.ex.place(AK, { market: 'KRW-ETH', side: 'bid', ord_type: 'price', price: '10000' });
    h.ex.place(AK, BUY_10K);
    expect(h.ex.balances(AK).map((b) => [b.currency, b.avgBuyPriceModified, b.unitCurrency])).toEqual([
      ['KRW', true, 'KRW'],
      ['ETH', false, 'KRW'],
      ['BTC', false, 'KRW'],
    ]);
  });

  it('answers orders/chance with fees, rules and both accounts', () => {
    const h = harness();
    const c = h.ex.chance(AK, 'KRW-BTC');
    expect([s(c.bidFee), s(c.makerAskFee), c.market.name, s(c.market.bid.minTotal), s(c.market.maxTotal), c.market.state]).toEqual([
      '0.0005',
      '0.0005',
      'BTC/KRW',
      '5000',
      '1000000000',
      'active',
    ]);
    expect([c.bidAccount.currency, c.askAccount.currency, s(c.askAccount.balance)]).toEqual(['KRW', 'BTC', '0']);
  });

  it('lets a listener call back into the exchange and routes listener errors away from the caller', () => {
    const errors: unknown[] = [];
    const h = harness({ onListenerError: (e) => errors.push(e) });
    let nested: Order | undefined;
    const off = h.ex.on((e) => {
      if (e.type === 'order' && e.order.state === 'wait' && nested === undefined) nested = h.ex.place(AK, limit('bid', '98000000', '0.0001'));
    });
    h.ex.on(() => {
      throw new Error('listener bug');
    });
    const o = h.ex.place(AK, limit('bid', '99000000', '0.0001'));
    off();
    expect(nested?.state).toBe('wait');
    expect(h.events.filter((e) => e.type === 'order').map((e) => (e.type === 'order' ? e.order.uuid : ''))).toEqual([o.uuid, nested?.uuid]);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('sends events with copies: a later fill does not change what a listener kept', () => {
    const h = harness();
    const o = h.ex.place(AK, limit('bid', '99000000', '0.0002'));
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99000000'), new Decimal('0.0001'));
    h.ex.onMarketTrade('KRW-BTC', new Decimal('99000000'), new Decimal('0.0001'));
    const fills = h.events.flatMap((e) => (e.type === 'order' && e.fill !== null ? [e] : []));
    expect(fills.map((e) => [s(e.order.executedVolume), e.order.trades.length])).toEqual([
      ['0.0001', 1],
      ['0.0002', 2],
    ]);
    expect(o.trades).toEqual([]);
  });
});
