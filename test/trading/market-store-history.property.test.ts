// The store keeps each market's recent prices in a ring (written without a division per tick)
// and copies it out at every flush (in its two runs, see PriceRings.history in
// src/trading/price-rings.ts). Whatever the ring's size and wherever its head stands at a
// flush, the published history must be the last prices in arrival order, and a history once
// published never changes. Since "After L" (docs/performance.md) every row's ring is a run of
// one shared array, taken and given back as markets join and leave the table: the second
// property pins down that no market ever sees another's prices, whatever the changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/trading/market-store.js';
import { makeTicker } from './ticker-fixture.js';

describe('MarketStore history', () => {
  it('is the last historyLength prices, oldest first, at every flush, and never changes once published', () => {
    const step = fc.oneof(fc.record({ tick: fc.integer({ min: 1, max: 1_000_000 }) }), fc.constant({ flush: true as const }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(step, { maxLength: 60 }), (historyLength, steps) => {
        const store = new MarketStore({ markets: ['KRW-BTC'], historyLength });
        const prices: number[] = [];
        const published: Array<[readonly number[], number[]]> = [];
        for (const s of [...steps, { flush: true as const }]) {
          if ('tick' in s) {
            store.applyTicker(makeTicker('KRW-BTC', s.tick));
            prices.push(s.tick);
            continue;
          }
          store.flush();
          const history = store.getSnapshot().rows.get('KRW-BTC')?.history ?? [];
          expect(history).toEqual(prices.slice(-historyLength));
          published.push([history, [...history]]);
        }
        for (const [history, copy] of published) expect(history).toEqual(copy);
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps each market its own prices while markets join, leave and come back (shared array, runs reused)', () => {
    const markets = ['KRW-A', 'KRW-B', 'KRW-C', 'KRW-D', 'KRW-E'];
    const market = fc.constantFrom(...markets);
    const step = fc.oneof(
      fc.record({ tick: market, price: fc.integer({ min: 1, max: 1_000_000 }) }),
      fc.record({ tick: market, price: fc.integer({ min: 1, max: 1_000_000 }) }),
      fc.record({ show: fc.array(market, { maxLength: 6 }) }),
      fc.constant({ flush: true as const }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(market, { maxLength: 6 }), fc.array(step, { maxLength: 80 }), (historyLength, first, steps) => {
        const store = new MarketStore({ markets: first, historyLength });
        // The model: the prices of each market since it last joined the table.
        const kept = new Map<string, number[]>(first.map((m) => [m, []]));
        for (const s of [...steps, { flush: true as const }]) {
          if ('tick' in s) {
            store.applyTicker(makeTicker(s.tick, s.price));
            kept.get(s.tick)?.push(s.price);
          } else if ('show' in s) {
            store.setMarkets(s.show);
            for (const m of [...kept.keys()]) if (!s.show.includes(m)) kept.delete(m);
            for (const m of s.show) if (!kept.has(m)) kept.set(m, []);
          } else {
            store.flush();
            const rows = store.getSnapshot().rows;
            expect([...rows.keys()].sort()).toEqual([...kept.keys()].sort());
            for (const [m, prices] of kept) expect(rows.get(m)?.history).toEqual(prices.slice(-historyLength));
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
