/**
 * The fill estimate (src/exchange/estimate.ts): the matching engine's own walk over a fixture
 * book, summed into an average price, fee, slippage against the best level and what the book
 * cannot fill; and properties over random books.
 */
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { bookSides, crossesBook, estimateFill } from '../../src/exchange/estimate.js';

const d = (v: Decimal.Value) => new Decimal(v);
const FEE = d('0.0005');

/** KRW-BTC around 95,000,000: three asks, two bids, as the quotation stream's floats. */
const BOOK = bookSides([
  { askPrice: 95_000_000, askSize: 0.01, bidPrice: 94_990_000, bidSize: 0.01 },
  { askPrice: 95_010_000, askSize: 0.02, bidPrice: 94_980_000, bidSize: 0.03 },
  { askPrice: 95_050_000, askSize: 0.05, bidPrice: 94_970_000, bidSize: 0 },
]);

describe('bookSides', () => {
  it('reads floats through their shortest decimal form, drops empty levels, sorts best first', () => {
    expect(BOOK.asks.map((l) => l.price.toFixed())).toEqual(['95000000', '95010000', '95050000']);
    expect(BOOK.bids.map((l) => [l.price.toFixed(), l.size.toFixed()])).toEqual([
      ['94990000', '0.01'],
      ['94980000', '0.03'],
    ]);
    const shuffled = bookSides([
      { askPrice: 0.3, askSize: 1, bidPrice: 0.1, bidSize: 1 },
      { askPrice: 0.2, askSize: 1, bidPrice: 0.15, bidSize: 1 },
    ]);
    expect(shuffled.asks.map((l) => l.price.toFixed())).toEqual(['0.2', '0.3']);
    expect(shuffled.bids.map((l) => l.price.toFixed())).toEqual(['0.15', '0.1']);
  });
});

describe('estimateFill', () => {
  it('a market sell walks the bids: average, fee, slippage in % and in KRW', () => {
    const e = estimateFill(BOOK, 'ask', { volume: d('0.02') }, FEE);
    expect(e.volume.toFixed()).toBe('0.02');
    expect(e.funds.toFixed()).toBe('1899700');
    expect(e.averagePrice?.toFixed()).toBe('94985000');
    expect(e.bestPrice?.toFixed()).toBe('94990000');
    expect(e.worstPrice?.toFixed()).toBe('94980000');
    expect(e.fee.toFixed()).toBe('949.85');
    expect(e.slippageFunds.toFixed()).toBe('100');
    expect(e.slippageRate.toSignificantDigits(12).eq(d(5000).div(94_990_000).toSignificantDigits(12))).toBe(true);
    expect(e.unfilled.isZero()).toBe(true);
  });

  it('a market buy by total spends it from the asks; the dust that buys no 0.00000001 is not unfilled', () => {
    const e = estimateFill(BOOK, 'bid', { total: d('1000000') }, FEE);
    expect(e.takes.map((t) => [t.price.toFixed(), t.volume.toFixed()])).toEqual([
      ['95000000', '0.01'],
      ['95010000', '0.00052626'],
    ]);
    expect(e.funds.lte(1_000_000)).toBe(true);
    expect(e.averagePrice!.gt(95_000_000) && e.averagePrice!.lt(95_010_000)).toBe(true);
    expect(e.slippageRate.isPositive()).toBe(true);
    expect(e.unfilled.isZero()).toBe(true);
  });

  it('a thin book leaves a remainder, in the amount’s own unit', () => {
    expect(estimateFill(BOOK, 'ask', { volume: d('0.1') }, FEE).unfilled.toFixed()).toBe('0.06');
    // Every ask costs 950,000 + 1,900,200 + 4,752,500.
    expect(estimateFill(BOOK, 'bid', { total: d('10000000') }, FEE).unfilled.toFixed()).toBe('2397300');
  });

  it('a best-price order stops at its limit, the opposite best price', () => {
    const e = estimateFill(BOOK, 'bid', { total: d('1000000') }, FEE, { limit: d('95000000') });
    expect(e.volume.toFixed()).toBe('0.01');
    expect(e.slippageRate.isZero()).toBe(true);
    expect(e.unfilled.toFixed()).toBe('50000');
  });

  it('an empty side fills nothing and has no prices', () => {
    const e = estimateFill({ asks: [], bids: [] }, 'bid', { total: d('10000') }, FEE);
    expect([e.averagePrice, e.bestPrice, e.worstPrice]).toEqual([null, null, null]);
    expect(e.unfilled.toFixed()).toBe('10000');
  });

  it('refuses a sell by total (Upbit has no such order)', () => {
    expect(() => estimateFill(BOOK, 'ask', { total: d('10000') }, FEE)).toThrow(RangeError);
  });

  it('tells whether a limit price crosses the book (a post-only would be cancelled)', () => {
    expect(crossesBook(BOOK, 'bid', d('95000000'))).toBe(true);
    expect(crossesBook(BOOK, 'bid', d('94999000'))).toBe(false);
    expect(crossesBook(BOOK, 'ask', d('94990000'))).toBe(true);
    expect(crossesBook(BOOK, 'ask', d('94991000'))).toBe(false);
  });
});

describe('estimateFill properties', () => {
  /** A side of a book: distinct prices on a 1,000 KRW grid, sizes in 0.0001 units. */
  const levels = fc.uniqueArray(fc.record({ tick: fc.integer({ min: 1, max: 500 }), units: fc.integer({ min: 1, max: 5_000 }) }), { selector: (l) => l.tick, minLength: 1, maxLength: 40 });
  const sideOf = (ls: ReadonlyArray<{ tick: number; units: number }>, ascending: boolean) =>
    [...ls].sort((a, b) => (ascending ? a.tick - b.tick : b.tick - a.tick)).map((l) => ({ price: d(90_000_000 + l.tick * 1_000), size: d(l.units).div(10_000) }));

  it('a volume walk: filled + unfilled = requested, the average between the best and the worst level used', () => {
    fc.assert(
      fc.property(levels, fc.constantFrom<'bid' | 'ask'>('bid', 'ask'), fc.integer({ min: 1, max: 10_000_000 }), (ls, side, units) => {
        const book = side === 'bid' ? { asks: sideOf(ls, true), bids: [] } : { asks: [], bids: sideOf(ls, false) };
        const requested = d(units).div(100_000_000);
        const e = estimateFill(book, side, { volume: requested }, FEE);
        expect(e.volume.lte(requested)).toBe(true);
        expect(e.volume.plus(e.unfilled).eq(requested)).toBe(true);
        if (e.averagePrice === null) return;
        const [lo, hi] = side === 'bid' ? [e.bestPrice!, e.worstPrice!] : [e.worstPrice!, e.bestPrice!];
        expect(e.averagePrice.gte(lo) && e.averagePrice.lte(hi)).toBe(true);
        expect(e.slippageRate.isNegative()).toBe(false);
      }),
    );
  });

  it('a total walk never spends more than the total', () => {
    fc.assert(
      fc.property(levels, fc.integer({ min: 5_000, max: 2_000_000_000 }), (ls, total) => {
        const e = estimateFill({ asks: sideOf(ls, true), bids: [] }, 'bid', { total: d(total) }, FEE);
        expect(e.funds.lte(total)).toBe(true);
        expect(e.funds.plus(e.unfilled).lte(total)).toBe(true);
        if (e.averagePrice !== null) expect(e.averagePrice.gte(e.bestPrice!) && e.averagePrice.lte(e.worstPrice!)).toBe(true);
      }),
    );
  });
});
