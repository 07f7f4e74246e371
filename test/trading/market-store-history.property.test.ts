// The store keeps each market's recent prices in a ring (written without a division per tick)
// and copies it out at every flush (in its two runs, see ringHistory in
// src/trading/market-store.ts). Whatever the ring's size and wherever its head stands at a
// flush, the published history must be the last prices in arrival order, and a history once
// published never changes.
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
});
