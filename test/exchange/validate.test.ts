import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import type { MarketView, OrderRequest } from '../../src/exchange/index.js';
import { ExchangeError, chanceToWire } from '../../src/exchange/index.js';
import { validateOrder, type ValidationContext } from '../../src/exchange/validate.js';
import { AK, TestMarket, errorName, harness, krw, limit } from './helpers.js';

/** The ExchangeError a call throws. */
function rejection(fn: () => unknown): ExchangeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExchangeError) return error;
    throw error;
  }
  throw new Error('expected the call to throw');
}

describe('field validation (validation_error, 400)', () => {
  it('names a missing field the way Upbit does', () => {
    const { ex } = harness();
    const e = rejection(() => ex.place(AK, { market: 'KRW-BTC', ord_type: 'limit', price: '100000000', volume: '0.001' }));
    expect(e.status).toBe(400);
    expect(e.upbitName).toBe('validation_error');
    expect(e.message).toBe('side is missing, side does not have a valid value');
  });

  it('reports every missing or invalid required field at once', () => {
    const { ex } = harness();
    const e = rejection(() => ex.place(AK, { side: 'buy', ord_type: 'limit', price: '1', volume: '1' }));
    expect(e.message).toBe('market is missing, market does not have a valid value, side does not have a valid value');
    expect(rejection(() => ex.place(AK, limit('bid', '100000000', '0.001', { ord_type: 'stop' }))).message).toBe('ord_type does not have a valid value');
  });

  it.each<[string, OrderRequest]>([
    ['non-numeric price', { price: 'abc' }],
    ['negative price', { price: '-100000000' }],
    ['zero volume', { volume: '0' }],
    ['exponent notation', { price: '1e8' }],
    ['a boolean volume', { volume: true }],
    ['an unknown time_in_force', { time_in_force: 'gtc' }],
    ['an unknown smp_type', { smp_type: 'both' }],
    ['more than 8 volume decimals', { volume: '0.000000001' }],
    ['a non-string identifier', { identifier: 42 }],
  ])('rejects %s', (_what, extra) => {
    const { ex } = harness();
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.001', extra)))).toBe('validation_error');
  });

  it('accepts numbers for amounts and smp_type none', () => {
    const { ex } = harness();
    const o = ex.place(AK, { ...limit('bid', '100000000', '0.001'), price: 100000000, volume: 0.001, smp_type: 'none' });
    expect(o.price?.toFixed()).toBe('100000000');
    expect(o.smpType).toBeNull();
  });

  it('needs price and volume on a limit order', () => {
    const { ex } = harness();
    expect(rejection(() => ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', volume: '1' })).message).toBe(
      'price is missing, price does not have a valid value',
    );
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '100000000' }))).toBe('validation_error');
  });
});

describe('fields that do not fit together', () => {
  it('refuses a price on a market sell (create_ask_error) and a volume on a market buy (create_bid_error)', () => {
    const { ex } = harness();
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.1', price: '100000000' }))).toBe('create_ask_error');
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000', volume: '0.1' }))).toBe('create_bid_error');
  });

  it('keeps market buys bids and market sells asks', () => {
    const { ex } = harness();
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'price', price: '10000' }))).toBe('create_ask_error');
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'market', volume: '0.1' }))).toBe('create_bid_error');
  });

  it('needs ioc or fok on best orders, and post_only only on limit orders without SMP', () => {
    const { ex } = harness();
    const best: OrderRequest = { market: 'KRW-BTC', side: 'bid', ord_type: 'best', price: '10000' };
    expect(rejection(() => ex.place(AK, best)).message).toMatch(/^time_in_force is missing/);
    expect(errorName(() => ex.place(AK, { ...best, time_in_force: 'post_only' }))).toBe('create_bid_error');
    expect(errorName(() => ex.place(AK, { ...best, time_in_force: 'ioc', volume: '0.1' }))).toBe('create_bid_error');
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'best', time_in_force: 'fok', volume: '0.1', price: '1' }))).toBe(
      'create_ask_error',
    );
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000', time_in_force: 'ioc' }))).toBe(
      'create_bid_error',
    );
    expect(errorName(() => ex.place(AK, limit('bid', '99000000', '0.001', { time_in_force: 'post_only', smp_type: 'cancel_maker' })))).toBe(
      'create_bid_error',
    );
  });
});

describe('market, tick grid, totals, funds and depth', () => {
  it('answers 404 market_does_not_exist for a market it does not list (UNCERTAIN name)', () => {
    const { ex } = harness();
    const e = rejection(() => ex.place(AK, { ...limit('bid', '100000000', '0.001'), market: 'KRW-NOPE' }));
    expect([e.status, e.upbitName]).toEqual([404, 'market_does_not_exist']);
    expect(errorName(() => ex.chance(AK, 'BTC-ETH'))).toBe('market_does_not_exist');
  });

  it('refuses prices off the tick grid with invalid_price_bid / invalid_price_ask', () => {
    const { ex } = harness();
    expect(errorName(() => ex.place(AK, limit('bid', '100000500', '0.001')))).toBe('invalid_price_bid');
    expect(errorName(() => ex.place(AK, limit('ask', '100000500', '0.001')))).toBe('invalid_price_ask');
    // 9,995 is on the 5-KRW band, 10,005 is not on the 10-KRW band.
    const market = new TestMarket().ladder('KRW-XRP', '10000', '100');
    const h = harness({ market });
    expect(errorName(() => h.ex.place(AK, { market: 'KRW-XRP', side: 'bid', ord_type: 'limit', price: '9995', volume: '1' }))).toBe('ok');
    expect(errorName(() => h.ex.place(AK, { market: 'KRW-XRP', side: 'bid', ord_type: 'limit', price: '10005', volume: '1' }))).toBe('invalid_price_bid');
  });

  it('checks the 5,000 KRW minimum on price×volume, the buy total, and volume × best bid', () => {
    const { ex } = harness();
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.00004')))).toBe('under_min_total_bid');
    expect(errorName(() => ex.place(AK, limit('ask', '100000000', '0.00004')))).toBe('under_min_total_ask');
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '4999' }))).toBe('under_min_total_bid');
    // 0.00005 × best bid 99,999,000 = 4,999.95
    expect(errorName(() => ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.00005' }))).toBe('under_min_total_ask');
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.00005')))).toBe('ok');
  });

  it('checks the 1,000,000,000 KRW maximum (UNCERTAIN name over_max_total_*)', () => {
    const { ex } = harness({ krw: '2000000000' });
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '10.00000001')))).toBe('over_max_total_bid');
    expect(errorName(() => ex.place(AK, limit('ask', '100000000', '10.00000001')))).toBe('over_max_total_ask');
  });

  it('reserves the fee: a bid needs price×volume×1.0005 available', () => {
    const h = harness({ krw: '10005000' });
    expect(errorName(() => h.ex.place(AK, limit('bid', '100000000', '0.10000001')))).toBe('insufficient_funds_bid');
    expect(errorName(() => h.ex.place(AK, limit('bid', '100000000', '0.1')))).toBe('ok');
    expect(krw(h)).toEqual({ balance: '0', locked: '10005000' });
    expect(errorName(() => h.ex.place(AK, limit('ask', '100000000', '0.1')))).toBe('insufficient_funds_ask');
  });

  it('refuses a market order larger than the 30-level book', () => {
    const market = new TestMarket().set('KRW-BTC', [['100000000', '0.0001'], ['100001000', '0.0001']], [['99999000', '0.0001']]);
    const h = harness({ market });
    // asks hold 10,000 + 10,000.1 KRW
    expect(errorName(() => h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '20001' }))).toBe('create_bid_error');
    expect(errorName(() => h.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '20000' }))).toBe('ok');
    const sell = harness({ market: new TestMarket().set('KRW-BTC', [['100000000', '1']], [['99999000', '0.0001']]) });
    sell.ex.place(AK, { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '100000' });
    expect(errorName(() => sell.ex.place(AK, { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: '0.0002' }))).toBe('create_ask_error');
  });

  it('validates in Upbit order: fields, then market, grid, minimum, funds', () => {
    const { ex } = harness({ krw: '1000' });
    expect(errorName(() => ex.place(AK, { market: 'KRW-NOPE', ord_type: 'limit', price: '1', volume: '1' }))).toBe('validation_error');
    expect(errorName(() => ex.place(AK, { ...limit('bid', '100000500', '0.00001'), market: 'KRW-NOPE' }))).toBe('market_does_not_exist');
    expect(errorName(() => ex.place(AK, limit('bid', '100000500', '0.00001')))).toBe('invalid_price_bid');
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.00001')))).toBe('under_min_total_bid');
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.0001')))).toBe('insufficient_funds_bid');
  });
});

describe('identifier', () => {
  it('is single-use forever, even after a failed order (UNCERTAIN name duplicate_identifier)', () => {
    const h = harness({ krw: '1000' });
    expect(errorName(() => h.ex.place(AK, limit('bid', '100000000', '0.0001', { identifier: 'a' })))).toBe('insufficient_funds_bid');
    const e = rejection(() => h.ex.place(AK, limit('bid', '100000000', '0.00005', { identifier: 'a' })));
    expect([e.status, e.upbitName]).toEqual([400, 'duplicate_identifier']);
    // A fresh identifier works, and cannot be used a second time either.
    h.ex.createAccount('rich', 'secret', '1000000');
    h.ex.place('rich', limit('bid', '100000000', '0.00005', { identifier: 'a' }));
    expect(errorName(() => h.ex.place('rich', limit('bid', '100000000', '0.00005', { identifier: 'a' })))).toBe('duplicate_identifier');
  });

  it('is consumed before any later check can fail, but not when it is itself invalid', () => {
    const { ex } = harness();
    expect(errorName(() => ex.place(AK, { identifier: 'x' }))).toBe('validation_error');
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.001', { identifier: 'x' })))).toBe('duplicate_identifier');
    expect(errorName(() => ex.place(AK, limit('bid', '100000000', '0.001', { identifier: '' })))).toBe('validation_error');
  });

  it('is checked but not used up by /orders/test, whose uuid cannot be queried', () => {
    const { ex } = harness();
    const fake = ex.test(AK, limit('bid', '100000000', '0.001', { identifier: 'probe' }));
    expect(fake.state).toBe('wait');
    expect(fake.locked.toFixed()).toBe('100050');
    expect(errorName(() => ex.get(AK, { uuid: fake.uuid }))).toBe('order_not_found');
    expect(ex.balances(AK)[0]?.locked.toFixed()).toBe('0');
    const real = ex.place(AK, limit('bid', '100000000', '0.001', { identifier: 'probe' }));
    expect(ex.get(AK, { identifier: 'probe' }).uuid).toBe(real.uuid);
    expect(errorName(() => ex.test(AK, limit('bid', '100000000', '0.001', { identifier: 'probe' })))).toBe('duplicate_identifier');
    expect(errorName(() => ex.test(AK, limit('bid', '100000000', '0.00001')))).toBe('under_min_total_bid');
  });

  it('belongs to one account', () => {
    const { ex } = harness();
    ex.createAccount('other', 'secret', '1000000');
    ex.place(AK, limit('bid', '100000000', '0.0001', { identifier: 'same' }));
    expect(errorName(() => ex.place('other', limit('bid', '100000000', '0.0001', { identifier: 'same' })))).toBe('ok');
    expect(errorName(() => ex.get('other', { uuid: ex.get(AK, { identifier: 'same' }).uuid }))).toBe('order_not_found');
  });
});

describe('accounts', () => {
  it('refuses an unknown access key with invalid_access_key and a second account with the same key', () => {
    const { ex } = harness();
    expect(errorName(() => ex.balances('nobody'))).toBe('invalid_access_key');
    expect(() => ex.createAccount(AK, 'x', 1)).toThrow(/already exists/);
    expect(ex.hasAccount(AK)).toBe(true);
    expect(ex.secretOf(AK)).toBe('secret-key-1');
    expect(ex.secretOf('nobody')).toBeUndefined();
  });
});

describe("every Upbit market, from Upbit's table (src/upbit/trading-rules.ts)", () => {
  // A BTC-quoted book; the tick is the BTC market's flat 0.00000001.
  const btcMarket = (): MarketView => {
    const m = new TestMarket().set('BTC-ETH', [['0.03700001', '1000']], [['0.037', '1000']]);
    return { has: (c) => m.has(c), book: (c) => m.book(c), lastPrice: (c) => m.lastPrice(c), tickSize: () => new Decimal('0.00000001') };
  };
  const ctx = (btc: string): ValidationContext => ({ market: btcMarket(), available: (c) => new Decimal(c === 'BTC' ? btc : '0') });

  it('trades a BTC market with its own minimum, maximum and fee (it was refused as a market that does not exist)', () => {
    const ok = validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'limit', price: '0.037', volume: '1' }, ctx('1'));
    // 0.25 % on BTC markets: 0.037 × 0.0025 reserved on top.
    expect([ok.lock.toFixed(), ok.reservedFee.toFixed()]).toEqual(['0.0370925', '0.0000925']);
    expect(errorName(() => validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'price', price: '0.00004999' }, ctx('1')))).toBe('under_min_total_bid');
    expect(errorName(() => validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'price', price: '10.00000001' }, ctx('20')))).toBe('over_max_total_bid');
    // Exactly the total plus the fee is enough; a satoshi less is not.
    expect(errorName(() => validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'limit', price: '0.037', volume: '1' }, ctx('0.0370925')))).toBe('ok');
    expect(errorName(() => validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'limit', price: '0.037', volume: '1' }, ctx('0.03709249')))).toBe('insufficient_funds_bid');
  });

  it('refuses a total with more decimals than the currency has (the client refused it, the exchange took it)', () => {
    expect(errorName(() => validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'price', price: '0.000050005' }, ctx('1')))).toBe('validation_error');
    expect(errorName(() => validateOrder({ market: 'BTC-ETH', side: 'bid', ord_type: 'price', price: '0.00005001' }, ctx('1')))).toBe('ok');
  });

  it('answers orders/chance with the market\'s rules, and no max_total where Upbit has none', () => {
    const market = new TestMarket().ladder('KRW-BTC', '100000000', '1').set('BTC-ETH', [['0.03700001', '1']], [['0.037', '1']]).set('USDT-XRP', [['2.346', '1']], [['2.345', '1']]);
    const { ex } = harness({ market });
    const btc = chanceToWire(ex.chance(AK, 'BTC-ETH'));
    expect([btc.bid_fee, btc.market.bid.min_total, btc.market.max_total]).toEqual(['0.0025', '0.00005', '10']);
    const usdt = chanceToWire(ex.chance(AK, 'USDT-XRP'));
    expect([usdt.ask_fee, usdt.market.ask.min_total, 'max_total' in usdt.market]).toEqual(['0.0025', '0.5', false]);
    expect(chanceToWire(ex.chance(AK, 'KRW-BTC')).bid_fee).toBe('0.0005');
  });
});
