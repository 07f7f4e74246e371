import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { SimTrade } from '../../src/sim/index.js';
import { SIM_CATALOG, createSimEngine } from '../../src/sim/index.js';
import { snapToKrwGrid } from '../../src/sim/price-grid.js';
import { PriceProcess } from '../../src/sim/price-process.js';
import { createRng } from '../../src/sim/random.js';
import { krwTickSize, tickDecimals } from '../../src/upbit/tick-size.js';
import type { TickerWire } from '../../src/upbit/wire.js';

const START = Date.UTC(2026, 10, 20, 6, 30, 0);

/** Exactly on the grid of its band, with no more decimals than the tick has. */
function onGrid(price: number): boolean {
  const tick = krwTickSize(price);
  const exact = new Decimal(String(price));
  return (
    exact.mod(tick).isZero() &&
    exact.decimalPlaces() <= tickDecimals(tick) &&
    Number.isInteger(Math.round((price / Number(tick)) * 1e8) / 1e8)
  );
}

/** The ticker invariants after `trade`, as a list of what is broken. */
function violations(trade: SimTrade, t: TickerWire, previousAccVolume: number): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) out.push(what);
  };
  check(onGrid(trade.price), 'trade price off the grid');
  check(trade.volume > 0, 'volume not positive');
  check(t.trade_price === trade.price && t.ask_bid === trade.askBid && t.trade_timestamp === trade.timestamp, 'ticker is not the trade');
  check(t.high_price >= t.trade_price && t.trade_price >= t.low_price, 'high >= price >= low');
  check(t.high_price >= t.opening_price && t.opening_price >= t.low_price, 'high >= open >= low');
  check(t.highest_52_week_price >= t.high_price && t.lowest_52_week_price <= t.low_price, '52-week range covers the day');
  check([t.opening_price, t.high_price, t.low_price, t.prev_closing_price].every(onGrid), 'daily prices off the grid');

  const diff = new Decimal(String(t.trade_price)).minus(String(t.prev_closing_price));
  check(t.change === (diff.isZero() ? 'EVEN' : diff.isPositive() ? 'RISE' : 'FALL'), 'change vs prev close');
  check(t.change_price === diff.abs().toNumber() && t.signed_change_price === diff.toNumber(), 'change price');
  check(Math.abs(t.change_rate - diff.abs().div(t.prev_closing_price).toNumber()) < 1e-9, 'change rate');
  check(t.signed_change_rate === (t.change === 'FALL' ? -t.change_rate : t.change_rate), 'signed change rate');

  // Exact as decimals; the JSON numbers agree to a few ulps.
  check(Math.abs(t.acc_ask_volume + t.acc_bid_volume - t.acc_trade_volume) <= t.acc_trade_volume * 1e-12, 'ask + bid volume');
  check(t.acc_trade_volume_24h >= t.acc_trade_volume && t.acc_trade_price_24h >= t.acc_trade_price, '24h >= daily');
  check(t.acc_trade_volume > previousAccVolume, 'acc volume grows');
  const iso = new Date(trade.timestamp).toISOString();
  check(t.trade_date === iso.slice(0, 10).replaceAll('-', '') && t.trade_time === iso.slice(11, 19).replaceAll(':', ''), 'trade date/time');
  return out;
}

function firstTrades(seed: number, n: number, markets?: string[]): SimTrade[] {
  const engine = createSimEngine({ seed, markets, now: () => START });
  return Array.from({ length: n }, () => engine.step());
}

describe('catalog', () => {
  it('lists at least 12 distinct KRW markets with grid start prices and differing activity', () => {
    expect(SIM_CATALOG.length).toBeGreaterThanOrEqual(12);
    expect(new Set(SIM_CATALOG.map((m) => m.code)).size).toBe(SIM_CATALOG.length);
    for (const m of SIM_CATALOG) {
      expect(m.code).toMatch(/^KRW-[A-Z0-9]+$/);
      expect(m.koreanName.length).toBeGreaterThan(0);
      expect(onGrid(m.startPrice), m.code).toBe(true);
    }
    const rate = (code: string): number => SIM_CATALOG.find((m) => m.code === code)?.tradesPerSecond ?? 0;
    expect(rate('KRW-BTC')).toBeGreaterThan(3 * rate('KRW-DOT'));
  });
});

describe('price process', () => {
  it('keeps every trade on the tick grid and the ticker consistent', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const engine = createSimEngine({ seed, now: () => START });
        const accVolume = new Map<string, number>();
        for (let i = 0; i < 300; i++) {
          const trade = engine.step();
          const t = engine.ticker(trade.code);
          if (t === undefined) throw new Error(`no ticker for ${trade.code}`);
          // Plain checks (not expect) keep 7,500 steps fast; the failure names what broke.
          const broken = violations(trade, t, accVolume.get(t.code) ?? 0);
          if (broken.length > 0) throw new Error(`${trade.code} trade #${i}: ${broken.join('; ')}\n${JSON.stringify(t)}`);
          accVolume.set(t.code, t.acc_trade_volume);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('snaps to the grid in every price band, across band boundaries', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: Math.log(0.00002), max: Math.log(3e8), noNaN: true }), (seed, logStart) => {
        // Snap the start price the way the catalog would state it, then let it swing hard.
        const spec = { startPrice: Math.exp(logStart), tradesPerSecond: 5, turnover24h: 1e10, hourlyVolatility: 2 };
        const process = new PriceProcess(spec, createRng(seed));
        for (let i = 0; i < 200; i++) {
          const { price, volume, dtMs } = process.next();
          if (!onGrid(price.toNumber())) throw new Error(`off the grid: ${price.toString()}`);
          if (!(volume.isPositive() && volume.decimalPlaces() <= 8 && dtMs >= 0)) throw new Error(`bad volume or delay: ${volume.toString()} ${dtMs}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    [99.95, 'up', '100'],
    [99.95, 'down', '99.9'],
    [4999.5, 'up', '5000'],
    [9999.9, 'up', '10000'],
    [10_004, 'down', '10000'],
    [10_006, 'nearest', '10010'],
    [1_999_999, 'up', '2000000'],
    [0.018549999999999997, 'nearest', '0.0185'],
    [1e-9, 'down', '0.00000001'],
  ] as const)('snaps %d %s to %s', (price, mode, expected) => {
    expect(snapToKrwGrid(price, mode).toString()).toBe(new Decimal(expected).toString());
  });

  it('gives the same trades for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(firstTrades(seed, 200)).toEqual(firstTrades(seed, 200));
      }),
      { numRuns: 10 },
    );
    expect(firstTrades(1, 50)).not.toEqual(firstTrades(2, 50));
  });

  it('gives a market the same prices whichever other markets run', () => {
    const btc = (markets?: string[]): number[] =>
      firstTrades(3, 600, markets)
        .filter((t) => t.code === 'KRW-BTC')
        .slice(0, 20)
        .map((t) => t.price);
    expect(btc(['KRW-BTC', 'KRW-ETH'])).toEqual(btc());
  });

  it('trades busy markets more often than quiet ones and moves BTC by a few ticks', () => {
    const trades = firstTrades(11, 5_000);
    const count = (code: string): number => trades.filter((t) => t.code === code).length;
    expect(count('KRW-BTC') + count('KRW-ETH') + count('KRW-XRP')).toBeGreaterThan(4 * (count('KRW-DOT') + count('KRW-ETC') + count('KRW-BTT')));
    const btc = trades.filter((t) => t.code === 'KRW-BTC').map((t) => t.price);
    const moves = btc.slice(1).map((p, i) => Math.abs(p - (btc[i] ?? p)) / 1000);
    const meanTicks = moves.reduce((a, b) => a + b, 0) / moves.length;
    expect(meanTicks).toBeGreaterThan(1);
    expect(meanTicks).toBeLessThan(30);
  });

  it('runs trades on its own timer and stops cleanly', async () => {
    const engine = createSimEngine({ seed: 5, markets: ['KRW-BTC', 'KRW-XRP'] });
    const seen: SimTrade[] = [];
    const off = engine.onTrade((t) => seen.push(t));
    engine.start();
    engine.start();
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    engine.stop();
    engine.stop();
    off();
    const timestamps = seen.map((t) => t.timestamp);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(seen.map((t) => t.sequentialId)).toEqual(seen.map((_, i) => i + 1));
  });

  it('rolls the trading day over at 00:00 UTC', () => {
    let now = Date.UTC(2026, 10, 20, 23, 59, 0);
    const engine = createSimEngine({ seed: 9, markets: ['KRW-BTC'], now: () => now });
    const before = engine.ticker('KRW-BTC');
    let previous: SimTrade | undefined;
    let last = engine.step();
    while (last.timestamp < Date.UTC(2026, 10, 21)) {
      previous = last;
      last = engine.step();
    }
    now = last.timestamp;
    const after = engine.ticker('KRW-BTC');
    expect(before?.trade_date).toBe('20261120');
    expect(after?.trade_date).toBe('20261121');
    expect(after?.opening_price).toBe(last.price);
    expect(after?.prev_closing_price).toBe(previous?.price);
    expect([after?.high_price, after?.low_price]).toEqual([last.price, last.price]);
    expect(after?.acc_trade_volume).toBe(last.volume);
    expect(after?.acc_trade_volume_24h).toBeGreaterThan(last.volume);
  });
});
