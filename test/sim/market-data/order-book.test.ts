import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import { SIM_CATALOG } from '../../../src/sim/catalog.js';
import { createSimEngine } from '../../../src/sim/engine.js';
import { isOnGrid, stepDown, stepUp, stepsBetween, tickAt } from '../../../src/sim/market-data/grid.js';
import type { SimMarketData } from '../../../src/sim/market-data/index.js';
import { createMarketData, createSimMarketView } from '../../../src/sim/market-data/index.js';
import type { BookSides } from '../../../src/sim/market-data/order-book.js';
import { SimOrderBook, bookProfile } from '../../../src/sim/market-data/order-book.js';
import { orderbookFigures } from '../../../src/sim/market-data/wire-build.js';
import { Dec } from '../../../src/sim/price-grid.js';
import { createRng } from '../../../src/sim/random.js';
import { manualClock } from '../helpers.js';

const d = (v: Decimal.Value): Decimal => new Dec(v);

/** Every invariant a book must keep; returns what is wrong. */
function bookProblems(book: BookSides, depth = 30): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  check(book.asks.length === depth && book.bids.length === depth, `depth ${book.asks.length}/${book.bids.length}`);
  for (const [side, levels, ascending] of [
    ['ask', book.asks, true],
    ['bid', book.bids, false],
  ] as const) {
    levels.forEach((level, i) => {
      check(isOnGrid(level.price), `${side}[${i}] ${level.price.toFixed()} off the grid`);
      check(level.size.gt(0) && level.size.decimalPlaces() <= 8, `${side}[${i}] size ${level.size.toFixed()}`);
      const prev = levels[i - 1];
      if (prev !== undefined) check(ascending ? level.price.gt(prev.price) : level.price.lt(prev.price), `${side}[${i}] out of order`);
    });
  }
  const ask = book.asks[0];
  const bid = book.bids[0];
  if (ask !== undefined && bid !== undefined) check(ask.price.gt(bid.price), `crossed: ask ${ask.price.toFixed()} ≤ bid ${bid.price.toFixed()}`);
  return problems;
}

describe('the KRW tick grid across band edges', () => {
  it.each([
    ['10000', '9995', '10010'],
    ['9995', '9990', '10000'],
    ['100', '99.9', '101'],
    ['1000000', '999500', '1001000'],
    ['2000000', '1999000', '2001000'],
    ['5000', '4999', '5005'],
    ['0.01', '0.00999', '0.0101'],
  ])('%s: one step down is %s, one step up is %s', (price, down, up) => {
    expect(stepDown(d(price))?.toFixed()).toBe(down);
    expect(stepUp(d(price)).toFixed()).toBe(up);
    expect(stepUp(d(down)).toFixed()).toBe(price);
  });

  it('stops above zero', () => {
    expect(stepDown(d('0.00000001'))).toBeUndefined();
  });

  it('round-trips any number of steps from any grid price (property)', () => {
    const edges = [0.001, 0.1, 1, 10, 100, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 2_000_000];
    fc.assert(
      fc.property(fc.constantFrom(...edges), fc.integer({ min: -40, max: 40 }), fc.integer({ min: 1, max: 60 }), (edge, offset, n) => {
        let p = d(edge);
        p = offset >= 0 ? stepUp(p, offset) : (stepDown(p, -offset) ?? p);
        const up = stepUp(p, n);
        expect(isOnGrid(up)).toBe(true);
        expect(stepDown(up, n)?.toFixed()).toBe(p.toFixed());
        expect(stepsBetween(p, up, 1_000)).toBe(n);
      }),
    );
  });
});

describe('SimOrderBook', () => {
  const prices = [130_000_000, 1_000_000, 999_500, 10_000, 9_995, 3_200, 100, 99.9, 0.0185, 0.0013];

  it('keeps 30 levels a side on the grid, ordered, uncrossed, through any trades and reshuffles (property)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(...prices),
        fc.array(fc.tuple(fc.integer({ min: -12, max: 12 }), fc.boolean(), fc.double({ min: 0.01, max: 50, noNaN: true }), fc.nat(3)), { maxLength: 60 }),
        (seed, start, events) => {
          const spec = SIM_CATALOG.find((s) => Math.abs(Math.log(s.startPrice / start)) < 1) ?? SIM_CATALOG[0];
          if (spec === undefined) throw new Error('empty catalog');
          const book = new SimOrderBook(bookProfile(spec), createRng(seed), d(start), 'BID');
          expect(bookProblems(book.sides())).toEqual([]);
          let last = d(start);
          for (const [move, buy, scale, shuffles] of events) {
            for (let i = 0; i < shuffles; i++) book.shuffle();
            const price = move >= 0 ? stepUp(last, move) : (stepDown(last, -move) ?? last);
            const volume = d(book.sides().asks[0]?.size ?? 1)
              .mul(scale)
              .toDecimalPlaces(8);
            book.applyTrade(price, Dec.max(volume, d('0.00000001')), buy ? 'BID' : 'ASK');
            const after = book.sides();
            expect(bookProblems(after)).toEqual([]);
            // A buy took the asks up to the price; a sell the bids down to it.
            const ask = after.asks[0]?.price ?? d(Infinity);
            const bid = after.bids[0]?.price ?? d(0);
            if (buy) expect(ask.gte(price) && bid.lt(price)).toBe(true);
            else expect(bid.lte(price) && ask.gt(price)).toBe(true);
            last = price;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('usually has a spread of one or two ticks', () => {
    const spec = SIM_CATALOG[0];
    if (spec === undefined) throw new Error('empty catalog');
    const book = new SimOrderBook(bookProfile(spec), createRng(5), d(spec.startPrice), 'ASK');
    const counts = new Map<number, number>();
    for (let i = 0; i < 2_000; i++) {
      book.shuffle();
      const { asks, bids } = book.sides();
      const spread = stepsBetween(bids[0]?.price ?? d(0), asks[0]?.price ?? d(0), 10);
      counts.set(spread, (counts.get(spread) ?? 0) + 1);
    }
    expect([...counts.keys()].every((s) => s >= 1)).toBe(true);
    expect((counts.get(1) ?? 0) + (counts.get(2) ?? 0)).toBeGreaterThan(1_900);
  });

  it('is heavier near the touch on a busy market', () => {
    const spec = SIM_CATALOG.find((s) => s.code === 'KRW-BTC');
    if (spec === undefined) throw new Error('no KRW-BTC');
    const book = new SimOrderBook(bookProfile(spec), createRng(9), d(spec.startPrice), 'BID');
    let near = d(0);
    let deep = d(0);
    for (let i = 0; i < 500; i++) {
      book.shuffle();
      const { asks, bids } = book.sides();
      for (const levels of [asks, bids]) {
        for (const level of levels.slice(0, 5)) near = near.plus(level.size);
        for (const level of levels.slice(25)) deep = deep.plus(level.size);
      }
    }
    expect(near.gt(deep.mul(1.5))).toBe(true);
  });
});

describe('createSimMarketView', () => {
  let data: SimMarketData | undefined;
  afterEach(() => data?.close());

  it('walks the same book the REST and WebSocket answers show, as exact Decimals', () => {
    const clock = manualClock();
    const engine = createSimEngine({ seed: 4, now: clock.now, markets: ['KRW-BTC', 'KRW-XRP'] });
    data = createMarketData({ engine, now: clock.now });
    for (let i = 0; i < 30; i++) {
      clock.advance(1_000);
      engine.catchUp();
    }
    const view = createSimMarketView(data);
    for (const code of ['KRW-BTC', 'KRW-XRP']) {
      expect(view.has(code)).toBe(true);
      const book = view.book(code);
      const sides = data.book(code);
      if (sides === undefined) throw new Error(`no book for ${code}`);
      const { orderbook_units: units } = orderbookFigures(sides, 30);
      expect(book.asks).toHaveLength(30);
      expect(book.bids).toHaveLength(30);
      units.forEach((unit, i) => {
        const ask = book.asks[i];
        const bid = book.bids[i];
        expect(ask !== undefined && Decimal.isDecimal(ask.price) && ask.price.eq(unit.ask_price) && ask.size.eq(unit.ask_size)).toBe(true);
        expect(bid !== undefined && bid.price.eq(unit.bid_price) && bid.size.eq(unit.bid_size)).toBe(true);
      });
      expect(view.lastPrice(code).eq(data.lastTrade(code)?.price ?? NaN)).toBe(true);
      expect(view.tickSize(code, book.asks[0]?.price ?? d(1)).eq(tickAt(book.asks[0]?.price ?? d(1)))).toBe(true);
    }
    expect(view.tickSize('KRW-XRP', d(9_995)).toFixed()).toBe('5');
    expect(view.has('KRW-NOPE')).toBe(false);
    expect(() => view.book('KRW-NOPE')).toThrow(/no market KRW-NOPE/);
  });
});
