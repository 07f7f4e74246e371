import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { checkIntent, loadOrderContext } from '../../src/trading/order-context.js';
import type { Venue } from '../../src/trading/venue.js';

/** A venue whose four reads only answer once all four have been asked: proves they run in parallel. */
function parallelOnlyVenue(krw: string): { venue: Venue; asked: string[] } {
  const asked: string[] = [];
  const waiters: Array<() => void> = [];
  const answer = <T>(name: string, value: T): Promise<T> => {
    asked.push(name);
    return new Promise<T>((resolve) => {
      waiters.push(() => resolve(value));
      if (waiters.length === 4) for (const w of waiters) w();
    });
  };
  const d = (v: string) => new Decimal(v);
  const venue = {
    accounts: () => answer('accounts', [{ currency: 'KRW', balance: d(krw), locked: d('0'), avgBuyPrice: d('0'), avgBuyPriceModified: false, unitCurrency: 'KRW' }]),
    chance: () => answer('chance', { bidFee: d('0.0005'), askFee: d('0.0005'), market: { bid: { minTotal: d('5000') }, ask: { minTotal: d('5000') }, maxTotal: d('1000000000') } }),
    instruments: () => answer('instruments', [{ market: 'KRW-BTC', quoteCurrency: 'KRW', tickSize: d('1000'), supportedLevels: [] }]),
    tickers: () => answer('tickers', [{ market: 'KRW-BTC', tradePrice: d('130000000') }]),
  } as unknown as Venue;
  return { venue, asked };
}

describe('order context', () => {
  it('reads balances, chance, instruments and the ticker in parallel', async () => {
    const { venue, asked } = parallelOnlyVenue('10000000');
    const context = await loadOrderContext(venue, 'KRW-BTC');
    expect(asked.sort()).toEqual(['accounts', 'chance', 'instruments', 'tickers']);
    expect(String(context.referencePrice)).toBe('130000000');
  });

  it('says a buy is not affordable, fee included, before it is sent', async () => {
    const { venue } = parallelOnlyVenue('10000');
    const context = await loadOrderContext(venue, 'KRW-BTC');
    // 10,000 KRW exactly, plus the 0.05 % fee, is more than the 10,000 available.
    const problems = checkIntent({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: new Decimal('100000000'), volume: new Decimal('0.0001') }, context);
    expect(problems.map((p) => p.code)).toContain('insufficient_funds');
    expect(checkIntent({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: new Decimal('100000000'), volume: new Decimal('0.00005') }, context)).toEqual([]);
  });
});
