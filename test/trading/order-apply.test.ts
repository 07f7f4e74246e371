/**
 * Fees of fills learned over REST: Upbit's `trades[]` have no fee, so the order's `paid_fee`
 * is split over its trades in proportion to their funds, adding up to it exactly.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import { Money, ZERO } from '../../src/trading/decimal.js';
import { feesOfTrades } from '../../src/trading/order-apply.js';
import { ACCOUNT, MARKET, startSim, startStack } from '../fixtures/trading/order-harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('feesOfTrades', () => {
  it('gives each trade its share of the paid fee (0.05 % of 5,000 and of 7,000.5 KRW)', () => {
    const fees = feesOfTrades(new Money('6.00025'), [{ funds: new Money('5000') }, { funds: new Money('7000.5') }]);
    expect(fees.map((f) => f.toFixed())).toEqual(['2.5', '3.50025']);
  });

  it('gives a single trade the whole fee, and no trades nothing', () => {
    expect(feesOfTrades(new Money('4.999523925'), [{ funds: new Money('9999.04785') }]).map((f) => f.toFixed())).toEqual(['4.999523925']);
    expect(feesOfTrades(new Money('1'), [])).toEqual([]);
    expect(feesOfTrades(ZERO, [{ funds: new Money('5000') }]).map((f) => f.toFixed())).toEqual(['0']);
  });

  it('always adds up to the paid fee exactly, never negative, each share within 1e-15 of proportional', () => {
    const amount = fc.bigInt({ min: 1n, max: 10n ** 14n }).map((n) => new Money(n.toString()).div(1e4));
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 250 }), (funds, bps) => {
        const total = funds.reduce((s, f) => s.plus(f), ZERO);
        const paid = total.mul(bps).div(100_000).toDecimalPlaces(8);
        const fees = feesOfTrades(paid, funds.map((f) => ({ funds: f })));
        expect(fees.reduce((s, f) => s.plus(f), ZERO).eq(paid)).toBe(true);
        for (const [i, fee] of fees.entries()) {
          expect(fee.isNegative()).toBe(false);
          const exact = paid.mul(funds[i] ?? ZERO).div(total);
          expect(fee.minus(exact).abs().lte(new Money('1e-15').mul(funds.length))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('fills reconciled over REST', () => {
  it('carry fees that add up to the order\'s paid fee (a market buy meant to take two book levels)', async () => {
    const server = await startSim();
    cleanups.push(() => server.close());
    const s = startStack(server); // no private stream: fills are learned from GET /v1/order
    cleanups.push(() => s.stop());
    await s.service.recover();
    // The whole first ask level and half the second: more than one trade, within the book.
    const [book] = await s.client.orderbook([MARKET], 2);
    const [first, second] = book?.units ?? [];
    if (first === undefined || second === undefined) throw new Error('the simulated book has fewer than two ask levels');
    const total = first.askPrice.mul(first.askSize).plus(second.askPrice.mul(second.askSize).div(2)).ceil();
    const placed = await s.service.place({ market: MARKET, side: 'bid', ordType: 'price', total: new Money(total.toFixed()) }, { source: 'cli' });
    await s.service.reconcile();
    const intent = s.journal.intents().find((i) => i.attempts.some((a) => a.identifier === placed.identifier));
    const attempt = intent?.attempts.find((a) => a.identifier === placed.identifier);
    // Usually two trades; one if the book moved between the read and the order.
    expect(attempt?.fills.length).toBeGreaterThanOrEqual(1);
    const order = server.exchange.get(ACCOUNT.accessKey, { identifier: placed.identifier });
    const sum = (attempt?.fills ?? []).reduce((acc, f) => acc.plus(f.fee), ZERO);
    expect(sum.toFixed()).toBe(order.paidFee.toFixed());
    expect((attempt?.fills ?? []).every((f) => new Money(f.fee).gt(0))).toBe(true);
  });
});
