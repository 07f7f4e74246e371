import { Decimal as GlobalDecimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import {
  Money,
  askProceeds,
  bidCost,
  buyTotalForPercent,
  buyVolumeForPercent,
  checkOrder,
  formatAmount,
  isOnTick,
  maxBuyVolume,
  parseAmount,
  roundBuyPrice,
  roundSellPrice,
  roundVolume,
  sellVolumeForPercent,
  tickSize,
  tradingRules,
  type OrderDraft,
} from '../../src/trading/money.js';

const s = (d: { toFixed(): string }): string => d.toFixed();

describe('tickSize', () => {
  it.each([
    ['2500000', '1000'],
    ['1000000', '1000'],
    ['999999', '500'],
    ['500000', '500'],
    ['499999', '100'],
    ['100000', '100'],
    ['50000', '50'],
    ['10000', '10'],
    ['5000', '5'],
    ['4999', '1'],
    ['100', '1'],
    ['99.9', '0.1'],
    ['10', '0.1'],
    ['9.99', '0.01'],
    ['1', '0.01'],
    ['0.1', '0.001'],
    ['0.01', '0.0001'],
    ['0.00001', '0.0000001'],
    ['0.000009', '0.00000001'],
  ])('KRW table: %s → %s', (price, tick) => {
    expect(s(tickSize('KRW-BTC', price))).toBe(tick);
  });

  it('chooses the band on the exact decimal, not on a float that rounds onto the next band floor', () => {
    // Both numbers are the float 1e6 and 0.1; the decimals are below those floors.
    expect(s(tickSize('KRW-BTC', '999999.99999999999999999'))).toBe('500');
    expect(s(tickSize('KRW-X', '0.09999999999999999999'))).toBe('0.0001');
    expect(s(tickSize('KRW-X', '9.999999999999999999999'))).toBe('0.01');
    expect(s(tickSize('KRW-X', '4999.9999999999999999999'))).toBe('1');
    expect(s(tickSize('KRW-BTC', '1000000.0000000000000001'))).toBe('1000');
  });

  it('uses the coarser of the instrument tick and the table tick on KRW markets', () => {
    const instruments = new Map([
      ['KRW-BTC', '1000'],
      ['KRW-XRP', '1'],
      ['KRW-USDT', '0.5'],
    ]);
    expect(s(tickSize('KRW-BTC', '95000000', instruments))).toBe('1000');
    // Fetched at a 1,000,000+ price; a limit far below still gets a step valid on both grids.
    expect(s(tickSize('KRW-BTC', '999999', instruments))).toBe('1000');
    // XRP trades at ~3,000 (step 1); a sell limit at 10,003 is in the 10 band.
    expect(s(tickSize('KRW-XRP', '10003', instruments))).toBe('10');
    expect(s(tickSize('KRW-XRP', '3000', instruments))).toBe('1');
    expect(s(tickSize('KRW-USDT', '1400', instruments))).toBe('1');
  });

  it('falls back to BTC and USDT market tables, and the instrument tick wins there', () => {
    expect(s(tickSize('BTC-ETH', '0.03'))).toBe('0.00000001');
    expect(s(tickSize('USDT-BTC', '65000'))).toBe('0.01');
    expect(s(tickSize('USDT-XRP', '0.5'))).toBe('0.0001');
    expect(s(tickSize('BTC-ETH', '0.03', new Map([['BTC-ETH', '0.000001']])))).toBe('0.000001');
  });

  it('refuses non-positive prices and markets it knows nothing about', () => {
    expect(() => tickSize('KRW-BTC', '0')).toThrow(RangeError);
    expect(() => tickSize('KRW-BTC', '-1')).toThrow(RangeError);
    expect(() => tickSize('KRW-BTC', Number.NaN)).toThrow(RangeError);
    expect(() => tickSize('EUR-BTC', '1')).toThrow(/load \/v1\/orderbook\/instruments/);
  });
});

describe('price rounding', () => {
  it.each([
    // [price, buy (down), sell (up)]
    ['95000500', '95000000', '95001000'],
    ['1000000', '1000000', '1000000'],
    ['1000400', '1000000', '1001000'],
    ['999999.99999999999999999', '999500', '1000000'],
    ['999600', '999500', '1000000'],
    ['999500', '999500', '999500'],
    ['4999.5', '4999', '5000'],
    ['99.95', '99.9', '100'],
    ['0.0999999', '0.0999', '0.1'],
  ])('%s → buy %s, sell %s', (price, buy, sell) => {
    expect(s(roundBuyPrice('KRW-BTC', price))).toBe(buy);
    expect(s(roundSellPrice('KRW-BTC', price))).toBe(sell);
  });

  it('rounds a buy price below one step to zero, which checkOrder reports', () => {
    expect(s(roundBuyPrice('KRW-X', '0.000000005'))).toBe('0');
    expect(s(roundBuyPrice('KRW-X', '0'))).toBe('0');
    expect(s(roundSellPrice('KRW-X', '0.000000005'))).toBe('0.00000001');
  });

  it('isOnTick', () => {
    expect(isOnTick('KRW-BTC', '95000000')).toBe(true);
    expect(isOnTick('KRW-BTC', '95000500')).toBe(false);
    expect(isOnTick('KRW-BTC', '999500')).toBe(true);
    expect(isOnTick('KRW-BTC', '0')).toBe(false);
  });

  it('rounds volumes down to 8 decimals', () => {
    expect(s(roundVolume('0.123456789'))).toBe('0.12345678');
    expect(s(roundVolume('0.000000009'))).toBe('0');
    expect(s(roundVolume('5'))).toBe('5');
  });
});

describe('fees and sizing', () => {
  it('bidCost is what Upbit locks: price × volume + reserved fee', () => {
    // docs/upbit-protocol.md#fees: 0.0005 at 10,000,000 → locked 5,002.5
    expect(s(bidCost('10000000', '0.0005', '0.0005'))).toBe('5002.5');
    expect(s(askProceeds('10000000', '0.0005', '0.0005'))).toBe('4997.5');
  });

  it('maxBuyVolume fits the fee inside the balance', () => {
    const v = maxBuyVolume('10000', '95000000', '0.0005');
    expect(s(v)).toBe('0.00010521');
    expect(bidCost('95000000', v, '0.0005').lte(10000)).toBe(true);
    expect(bidCost('95000000', v.plus('0.00000001'), '0.0005').gt(10000)).toBe(true);
    expect(s(maxBuyVolume('0', '95000000', '0.0005'))).toBe('0');
    expect(s(maxBuyVolume('0.5', '95000000', '0.0005'))).toBe('0');
  });

  it('maxBuyVolume hits an exact boundary', () => {
    // 1 × 1.0005 × 100 = 100.05 exactly.
    expect(s(maxBuyVolume('100.05', '100', '0.0005'))).toBe('1');
  });

  it('percent orders are net of fees', () => {
    expect(s(buyTotalForPercent('10000', 100, '0.0005'))).toBe('9995');
    expect(s(buyTotalForPercent('10000', 50, '0.0005'))).toBe('4997');
    expect(s(buyTotalForPercent('1', 100, '0.0005'))).toBe('0');
    expect(s(buyTotalForPercent('10000', 100, '0.0005', 8))).toBe('9995.00249875');
    expect(s(buyVolumeForPercent('10000', 100, '95000000', '0.0005'))).toBe('0.00010521');
    expect(s(sellVolumeForPercent('0.123456789', 50))).toBe('0.06172839');
    expect(s(sellVolumeForPercent('0.123456789', 100))).toBe('0.12345678');
    expect(() => sellVolumeForPercent('1', 101)).toThrow(/0–100/);
    expect(() => buyTotalForPercent('1', -1, '0.0005')).toThrow(/0–100/);
  });

  it('ignores global decimal.js configuration', () => {
    const saved = GlobalDecimal.clone();
    GlobalDecimal.set({ precision: 3, rounding: GlobalDecimal.ROUND_UP });
    try {
      // A caller's Decimal (global constructor, 3 digits) as input must not drag precision down.
      expect(s(bidCost(new GlobalDecimal('95000000'), new GlobalDecimal('0.00012345'), '0.0005'))).toBe('11733.613875');
      expect(s(maxBuyVolume('10000', '95000000', '0.0005'))).toBe('0.00010521');
    } finally {
      GlobalDecimal.set({ precision: saved.precision, rounding: saved.rounding });
    }
  });
});

describe('parseAmount and formatAmount', () => {
  it('parses what a user types, strictly', () => {
    expect(parseAmount(' 95,000,000 ')?.toFixed()).toBe('95000000');
    expect(parseAmount('1_000')?.toFixed()).toBe('1000');
    expect(parseAmount('0.001')?.toFixed()).toBe('0.001');
    expect(parseAmount('.5')?.toFixed()).toBe('0.5');
    for (const bad of ['', 'abc', '1e3', '0x10', 'Infinity', 'NaN', '-1', '1.2.3', '0,001', '1,000', '10,000,0', '1.000,5']) expect(parseAmount(bad)).toBeNull();
  });

  it('groups thousands', () => {
    expect(formatAmount(new Money('4990'))).toBe('4,990');
    expect(formatAmount(new Money('1234567.891'))).toBe('1,234,567.891');
    expect(formatAmount(new Money('-1234'))).toBe('-1,234');
    expect(formatAmount(new Money('0.00004009'))).toBe('0.00004009');
    expect(formatAmount(new Money('949.99'), 0)).toBe('950');
  });
});

describe('checkOrder', () => {
  const limitBuy = (price: string, volume: string): OrderDraft => ({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price, volume });
  const messages = (order: OrderDraft, context?: Parameters<typeof checkOrder>[1]): string[] => checkOrder(order, context).map((p) => p.message);

  it('passes a valid order', () => {
    expect(checkOrder(limitBuy('95000000', '0.001'), { available: { quote: '1000000' } })).toEqual([]);
    expect(checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'price', total: '10000' }, { available: { quote: '10005' } })).toEqual([]);
    expect(checkOrder({ market: 'KRW-BTC', side: 'ask', ordType: 'market', volume: '0.001' }, { available: { base: '0.001' }, referencePrice: '95000000' })).toEqual([]);
    expect(checkOrder({ market: 'KRW-BTC', side: 'ask', ordType: 'best', volume: '0.001', timeInForce: 'ioc' })).toEqual([]);
  });

  it('says how much volume reaches the minimum total', () => {
    expect(messages(limitBuy('124750000', '0.00004'))).toEqual([
      "Order total 4,990 KRW is below Upbit's 5,000 KRW minimum; raise the volume to at least 0.00004009 BTC.",
    ]);
  });

  it('values market sells at the reference price', () => {
    expect(messages({ market: 'KRW-BTC', side: 'ask', ordType: 'market', volume: '0.00001' }, { referencePrice: '95000000' })).toEqual([
      "At the last price of 95,000,000 KRW, 0.00001 BTC is worth about 950 KRW, which is below Upbit's 5,000 KRW minimum; raise the volume to at least 0.00005264 BTC.",
    ]);
    expect(checkOrder({ market: 'KRW-BTC', side: 'ask', ordType: 'market', volume: '0.00001' })).toEqual([]);
  });

  it('uses the minimum and fee from the order chance', () => {
    const rules = tradingRules('KRW-BTC', { bidFee: '0.001', market: { bid: { minTotal: '10000' } } });
    expect(messages(limitBuy('95000000', '0.0001'), { rules })).toEqual([
      "Order total 9,500 KRW is below Upbit's 10,000 KRW minimum; raise the volume to at least 0.00010527 BTC.",
    ]);
    expect(messages(limitBuy('95000000', '0.0002'), { rules, available: { quote: '19000' } })).toEqual([
      'The order needs 19,019 KRW including the 0.1% fee, but only 19,000 KRW is available; lower the volume to at most 0.0001998 BTC.',
    ]);
  });

  it('reports prices off the step with the user-favouring fix', () => {
    expect(messages(limitBuy('95000500', '0.001'))).toEqual([
      "Price 95,000,500 KRW is not a multiple of KRW-BTC's 1,000 KRW price step; use 95,000,000 KRW (rounded down for a buy).",
    ]);
    expect(messages({ market: 'KRW-BTC', side: 'ask', ordType: 'limit', price: '999999.5', volume: '0.01' })).toEqual([
      "Price 999,999.5 KRW is not a multiple of KRW-BTC's 500 KRW price step; use 1,000,000 KRW (rounded up for a sell).",
    ]);
  });

  it('reports volumes with more than 8 decimals and totals with fractions of a won', () => {
    expect(messages(limitBuy('95000000', '0.123456789'))).toEqual(['Volume 0.123456789 BTC has more than 8 decimal places; use 0.12345678 BTC.']);
    expect(messages({ market: 'KRW-BTC', side: 'bid', ordType: 'price', total: '10000.5' })).toEqual([
      'Total 10,000.5 KRW is not a whole number of KRW; use 10,000 KRW.',
    ]);
  });

  it('reports missing, forbidden and malformed fields', () => {
    expect(checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '95000000' }).map((p) => [p.code, p.field])).toEqual([['missing', 'volume']]);
    expect(messages({ market: 'KRW-BTC', side: 'bid', ordType: 'price', total: '10000', volume: '1' })).toEqual(['A market buy takes no volume; remove it.']);
    expect(messages({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: 'abc', volume: '-1' })).toEqual([
      'Price "abc" is not a number; type digits such as 95000000.',
      'Volume must be above zero; enter a positive volume.',
    ]);
    expect(checkOrder({ market: 'KRW-BTC', side: 'ask', ordType: 'price', total: '1' })[0]?.code).toBe('not_allowed');
    expect(checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'market', volume: '1' })[0]?.code).toBe('not_allowed');
    expect(checkOrder({ market: 'btc', side: 'bid', ordType: 'limit' })[0]?.code).toBe('market');
    expect(checkOrder(limitBuy('95,000,000', '0.001'))).toEqual([]);
  });

  it('checks time in force per order type', () => {
    expect(checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'best', total: '10000' })[0]?.code).toBe('time_in_force');
    expect(checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'best', total: '10000', timeInForce: 'post_only' })[0]?.code).toBe('time_in_force');
    expect(checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'price', total: '10000', timeInForce: 'ioc' })[0]?.code).toBe('time_in_force');
    expect(checkOrder({ ...limitBuy('95000000', '0.001'), timeInForce: 'post_only' })).toEqual([]);
  });

  it('checks the maximum total and the funds, fee included', () => {
    expect(messages(limitBuy('100000000', '10.5'))).toEqual([
      "Order total 1,050,000,000 KRW is above Upbit's 1,000,000,000 KRW maximum per order; lower the volume to at most 10 BTC or split the order.",
    ]);
    expect(messages({ market: 'KRW-BTC', side: 'bid', ordType: 'price', total: '10000' }, { available: { quote: '10000' } })).toEqual([
      'Spending 10,000 KRW needs 10,005 KRW including the 0.05% fee, but only 10,000 KRW is available; lower the total to at most 9,995 KRW.',
    ]);
    expect(messages({ market: 'KRW-BTC', side: 'ask', ordType: 'limit', price: '95000000', volume: '0.002' }, { available: { base: '0.0015' } })).toEqual([
      'Selling 0.002 BTC is more than the 0.0015 BTC available; lower the volume to at most 0.0015 BTC.',
    ]);
    expect(messages(limitBuy('95000000', '0.001'), { available: { quote: '0' } })).toEqual([
      'The order needs 95,047.5 KRW including the 0.05% fee, but only 0 KRW is available; free or deposit KRW first.',
    ]);
  });
});
