import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  Decimal,
  Money,
  VOLUME_STEP,
  bidCost,
  buyTotalForPercent,
  buyVolumeForPercent,
  isOnTick,
  maxBuyVolume,
  roundBuyPrice,
  roundSellPrice,
  roundVolume,
  sellVolumeForPercent,
  tickSize,
  type InstrumentTicks,
} from '../../src/trading/money.js';

const RUNS = { numRuns: 2000 };

/** A decimal string `mantissa / 10^scale`. */
function decimalString(maxMantissa: bigint, maxScale: number): fc.Arbitrary<string> {
  return fc.tuple(fc.bigInt({ min: 0n, max: maxMantissa }), fc.integer({ min: 0, max: maxScale })).map(([m, scale]) => new Money(m.toString()).div(new Money(10).pow(scale)).toFixed());
}

const BAND_FLOORS = ['2000000', '1000000', '500000', '100000', '50000', '10000', '5000', '1000', '100', '10', '1', '0.1', '0.01', '0.001', '0.0001', '0.00001'];

/** KRW prices from 1e-8 to ~1e11, with a good share just either side of a band floor. */
const krwPrice: fc.Arbitrary<string> = fc.oneof(
  decimalString(10n ** 14n, 10).filter((p) => new Money(p).gte('0.00000001')),
  fc
    .tuple(fc.constantFrom(...BAND_FLOORS), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 9 }), fc.boolean())
    .map(([floor, exp, digit, below]) => {
      const eps = new Money(digit).div(new Money(10).pow(exp));
      const f = new Money(floor);
      return (below ? f.minus(eps.mul(f)) : f.plus(eps.mul(f))).toFixed();
    }),
  fc.constantFrom(...BAND_FLOORS),
);

/** No instrument tick, or one from the ticks Upbit uses. */
const instruments: fc.Arbitrary<InstrumentTicks | undefined> = fc.option(
  fc.constantFrom('1000', '500', '100', '50', '10', '5', '1', '0.5', '0.1', '0.01', '0.001').map((t) => new Map([['KRW-TEST', t]])),
  { nil: undefined },
);

const fee = fc.integer({ min: 0, max: 300 }).map((bp) => new Money(bp).div(10000).toFixed());
/** Balances up to 10^12 with up to 8 decimals. */
const balance = decimalString(10n ** 20n, 8);
const percent = fc.oneof(fc.integer({ min: 0, max: 100 }).map(String), decimalString(10000n, 2).filter((p) => new Money(p).lte(100)));
/** Prices on the KRW grid (what reaches the sizing functions). */
const gridPrice = krwPrice.map((p) => roundSellPrice('KRW-TEST', p).toFixed());

/** A step far below the price's tick, but within the 40 digits the arithmetic keeps. */
function nudge(price: Decimal): Decimal {
  return tickSize('KRW-TEST', price).mul('1e-9');
}

function isPlainDecimal(d: unknown): boolean {
  // A decimal, not a number; plain notation; and exactly what its string says.
  return Decimal.isDecimal(d) && /^-?\d+(\.\d+)?$/.test(d.toFixed()) && new Money(d.toFixed()).eq(d);
}

describe('price rounding (property)', () => {
  it('a buy price rounds down onto the grid, idempotently', () => {
    fc.assert(
      fc.property(krwPrice, instruments, (price, inst) => {
        const r = roundBuyPrice('KRW-TEST', price, inst);
        expect(r.lte(price)).toBe(true);
        expect(isPlainDecimal(r)).toBe(true);
        if (!r.isZero()) expect(isOnTick('KRW-TEST', r, inst)).toBe(true);
        expect(roundBuyPrice('KRW-TEST', r, inst).eq(r)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a sell price rounds up onto the grid, idempotently', () => {
    fc.assert(
      fc.property(krwPrice, instruments, (price, inst) => {
        const r = roundSellPrice('KRW-TEST', price, inst);
        expect(r.gte(price)).toBe(true);
        expect(isPlainDecimal(r)).toBe(true);
        expect(isOnTick('KRW-TEST', r, inst)).toBe(true);
        expect(roundSellPrice('KRW-TEST', r, inst).eq(r)).toBe(true);
      }),
      RUNS,
    );
  });

  it('with the table alone, the rounding is the nearest valid price on the user-favouring side', () => {
    fc.assert(
      fc.property(krwPrice, (price) => {
        const down = roundBuyPrice('KRW-TEST', price);
        const up = roundSellPrice('KRW-TEST', price);
        // Nothing valid lies strictly between the rounded price and the input. `nudge` is far
        // smaller than any step next to the price (neighbouring bands differ at most 10×).
        if (!down.isZero()) expect(roundSellPrice('KRW-TEST', down.plus(nudge(down))).gt(price)).toBe(true);
        expect(roundBuyPrice('KRW-TEST', up.minus(nudge(up))).lt(price)).toBe(true);
        // A price on the grid is left alone by both.
        if (isOnTick('KRW-TEST', price)) {
          expect(down.eq(price)).toBe(true);
          expect(up.eq(price)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the tick of a price is the tick of its band: never coarser than the tick just above, never finer than the one below', () => {
    fc.assert(
      fc.property(krwPrice, (price) => {
        const t = tickSize('KRW-TEST', price);
        const p = new Money(price);
        // Ticks are monotone in price.
        expect(tickSize('KRW-TEST', p.plus(nudge(p))).gte(t)).toBe(true);
        expect(tickSize('KRW-TEST', p.minus(nudge(p))).lte(t)).toBe(true);
      }),
      RUNS,
    );
  });

  it('volumes round down to 8 decimals', () => {
    fc.assert(
      fc.property(decimalString(10n ** 22n, 12), (v) => {
        const r = roundVolume(v);
        expect(r.lte(v)).toBe(true);
        expect(r.decimalPlaces()).toBeLessThanOrEqual(8);
        expect(r.plus(VOLUME_STEP).gt(v)).toBe(true);
        expect(isPlainDecimal(r)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('sizing (property)', () => {
  it('maxBuyVolume costs at most the balance, and one more step would not fit', () => {
    fc.assert(
      fc.property(balance, gridPrice, fee, (available, price, f) => {
        const v = maxBuyVolume(available, price, f);
        expect(isPlainDecimal(v)).toBe(true);
        expect(v.isNegative()).toBe(false);
        expect(v.decimalPlaces()).toBeLessThanOrEqual(8);
        expect(bidCost(price, v, f).lte(available)).toBe(true);
        expect(bidCost(price, v.plus(VOLUME_STEP), f).gt(available)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a market buy for a percentage never spends more than that share, fee included, and leaves less than one won', () => {
    fc.assert(
      fc.property(balance, percent, fee, (available, pct, f) => {
        const total = buyTotalForPercent(available, pct, f);
        const share = new Money(available).mul(pct);
        const onePlusFee = new Money(1).plus(f);
        expect(isPlainDecimal(total)).toBe(true);
        expect(total.isInteger()).toBe(true);
        expect(total.isNegative()).toBe(false);
        expect(total.mul(onePlusFee).mul(100).lte(share)).toBe(true);
        expect(total.plus(1).mul(onePlusFee).mul(100).gt(share)).toBe(true);
        expect(total.mul(onePlusFee).lte(available)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a limit buy for a percentage never costs more than that share, fee included', () => {
    fc.assert(
      fc.property(balance, percent, gridPrice, fee, (available, pct, price, f) => {
        const v = buyVolumeForPercent(available, pct, price, f);
        expect(bidCost(price, v, f).mul(100).lte(new Money(available).mul(pct))).toBe(true);
        expect(bidCost(price, v, f).lte(available)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a sell for a percentage never exceeds the balance', () => {
    fc.assert(
      fc.property(balance, percent, (available, pct) => {
        const v = sellVolumeForPercent(available, pct);
        expect(isPlainDecimal(v)).toBe(true);
        expect(v.decimalPlaces()).toBeLessThanOrEqual(8);
        expect(v.mul(100).lte(new Money(available).mul(pct))).toBe(true);
        expect(v.plus(VOLUME_STEP).mul(100).gt(new Money(available).mul(pct))).toBe(true);
        expect(v.lte(available)).toBe(true);
      }),
      RUNS,
    );
  });
});
