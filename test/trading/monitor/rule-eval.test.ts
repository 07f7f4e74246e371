/**
 * The monitor's decision on a tick (src/trading/monitor/rule-eval.ts): examples of each trigger,
 * and properties over random price paths (fast-check): a rule fires on the first tick that
 * crosses its level and never on one that does not, a trailing stop's level is the high since
 * activation less the trail, a confirmation needs its whole run of crossing ticks, and an OCO
 * group fires one rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Money, type Decimal } from '../../../src/trading/decimal.js';
import {
  FRESH_WATCH,
  RuleSpecError,
  evaluate,
  evaluateMarket,
  resolveRule,
  trailingStop,
  type ResolvedRule,
  type RuleSpec,
  type RuleWatch,
  type Tick,
} from '../../../src/trading/monitor/rule-eval.js';

const d = (v: number | string): Decimal => new Money(v);
const price = (p: number | string) => ({ kind: 'price' as const, price: d(p) });
const percent = (p: number | string) => ({ kind: 'percent' as const, percent: d(p) });
const spec = (trigger: RuleSpec['trigger'], over: Partial<RuleSpec> = {}): RuleSpec => ({ id: 'r1', market: 'KRW-BTC', trigger, ...over });

/** Feed `prices` (one a second) to `rule`; the index of each tick it fired on. */
function firings(rule: ResolvedRule, prices: readonly number[]): number[] {
  let watch: RuleWatch = FRESH_WATCH;
  const out: number[] = [];
  prices.forEach((p, i) => {
    const decision = evaluate(rule, watch, { price: d(p), at: 1_000 * i });
    watch = decision.watch;
    if (decision.fire) out.push(i);
  });
  return out;
}

/** The first index at which a one-shot rule fires (the monitor stops evaluating it then), or -1. */
const first = (rule: ResolvedRule, prices: readonly number[]): number => firings(rule, prices)[0] ?? -1;

describe('resolveRule', () => {
  it('turns percents of the average buy price into prices, and keeps prices', () => {
    const avg = d(100_000_000);
    expect(resolveRule(spec({ kind: 'stop-loss', at: percent(-3) }), avg).trigger).toEqual({ kind: 'stop-loss', price: d(97_000_000) });
    expect(resolveRule(spec({ kind: 'take-profit', at: percent(5) }), avg).trigger).toEqual({ kind: 'take-profit', price: d(105_000_000) });
    expect(resolveRule(spec({ kind: 'take-profit', at: price(95_000_000) }), null).trigger).toEqual({ kind: 'take-profit', price: d(95_000_000) });
    expect(resolveRule(spec({ kind: 'trailing', trail: percent(2), activation: percent(1) }), avg).trigger).toEqual({ kind: 'trailing', trail: percent(2), activation: d(101_000_000) });
    expect(resolveRule(spec({ kind: 'stop-loss', at: price(1) }, { confirm: { ticks: 0, ms: -5 } }), null).confirm).toEqual({ ticks: 1, ms: 0 });
  });

  it('refuses what cannot be a level, saying what to give instead', () => {
    expect(() => resolveRule(spec({ kind: 'stop-loss', at: percent(-3) }), null)).toThrow(/average buy price.*give a price instead/);
    expect(() => resolveRule(spec({ kind: 'stop-loss', at: percent(-100) }), d(1000))).toThrow(RuleSpecError);
    expect(() => resolveRule(spec({ kind: 'stop-loss', at: price(0) }), null)).toThrow(/above 0/);
    expect(() => resolveRule(spec({ kind: 'trailing', trail: percent(100) }), null)).toThrow(/under 100 %/);
    expect(() => resolveRule(spec({ kind: 'trailing', trail: { kind: 'krw', amount: d(0) } }), null)).toThrow(/above 0 KRW/);
  });
});

describe('evaluate', () => {
  it('a stop-loss fires on the first tick at or under its price, not before', () => {
    const rule = resolveRule(spec({ kind: 'stop-loss', at: price(95) }), null);
    expect(first(rule, [100, 97, 95.01, 95, 90])).toBe(3);
    expect(first(rule, [100, 96, 99])).toBe(-1);
  });

  it('a take-profit fires on the first tick at or over its price', () => {
    const rule = resolveRule(spec({ kind: 'take-profit', at: price(110) }), null);
    expect(first(rule, [100, 109.99, 111, 120])).toBe(2);
  });

  it('a trailing stop follows the high and fires the trail under it; with an activation, only once that was reached', () => {
    const plain = resolveRule(spec({ kind: 'trailing', trail: percent(10) }), null);
    // High 120 → stop 108; 109 holds, 108 fires.
    expect(first(plain, [100, 120, 109, 108])).toBe(3);
    const activated = resolveRule(spec({ kind: 'trailing', trail: { kind: 'krw', amount: d(5) }, activation: price(110) }), null);
    // Under 110 nothing is followed (95 is 5 under 100, but not activated); from 112 the stop is 107.
    expect(first(activated, [100, 95, 112, 108, 107])).toBe(4);
    let watch: RuleWatch = FRESH_WATCH;
    for (const [i, p] of [100, 112, 115, 111].entries()) watch = evaluate(activated, watch, { price: d(p), at: i }).watch;
    expect(watch.highWater?.toString()).toBe('115');
  });

  it('a confirmation needs the condition on N ticks in a row and T ms since it first held; a recovery resets it', () => {
    const ticks = resolveRule(spec({ kind: 'stop-loss', at: price(95) }, { confirm: { ticks: 3 } }), null);
    expect(first(ticks, [94, 94, 96, 94, 93, 92])).toBe(5);
    const ms = resolveRule(spec({ kind: 'stop-loss', at: price(95) }, { confirm: { ms: 2_000 } }), null);
    // One tick a second: crossing at 1 and 2, up at 3, crossing from 4: fires at 6 (2 s after 4).
    expect(first(ms, [100, 94, 94, 96, 94, 94, 94])).toBe(6);
  });
});

describe('evaluateMarket', () => {
  it('fires one rule of an OCO group and disarms its siblings on the same tick; other rules go on', () => {
    const stop = resolveRule(spec({ kind: 'stop-loss', at: price(95) }, { id: 'stop', oco: 'pos' }), null);
    const take = resolveRule(spec({ kind: 'take-profit', at: price(90) }, { id: 'take', oco: 'pos' }), null);
    const lone = resolveRule(spec({ kind: 'stop-loss', at: price(94) }, { id: 'lone' }), null);
    const out = evaluateMarket([stop, take, lone], new Map(), { price: d(93), at: 0 });
    expect(out.fired.map((f) => f.rule.id)).toEqual(['stop', 'lone']);
    expect(out.disarmed).toEqual([{ rule: take, because: 'rule stop of its OCO group pos fired' }]);
    expect([...out.watches.keys()]).toEqual(['stop', 'take', 'lone']);
  });
});

// --- properties over random paths -------------------------------------------------------

/** Prices on a coarse grid (whole won from 1 to 60), so paths cross levels often and land on them exactly. */
const path = fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 200 });
const level = fc.integer({ min: 1, max: 60 });

describe('properties', () => {
  it('a stop-loss (take-profit) fires exactly at the first price at or under (over) its level, and never on a price that did not cross', () => {
    fc.assert(
      fc.property(path, level, fc.boolean(), (prices, at, loss) => {
        const rule = resolveRule(spec(loss ? { kind: 'stop-loss', at: price(at) } : { kind: 'take-profit', at: price(at) }), null);
        const crossed = (p: number) => (loss ? p <= at : p >= at);
        const fired = firings(rule, prices);
        for (const i of fired) expect(crossed(prices[i] ?? Number.NaN)).toBe(true);
        expect(fired[0] ?? -1).toBe(prices.findIndex(crossed));
      }),
    );
  });

  it('a trailing stop fires first where the price is at or under the high since activation less the trail', () => {
    fc.assert(
      fc.property(path, fc.integer({ min: 1, max: 50 }), fc.option(level, { nil: undefined }), (prices, trailPct, activation) => {
        const rule = resolveRule(spec({ kind: 'trailing', trail: percent(trailPct), ...(activation === undefined ? {} : { activation: price(activation) }) }), null);
        // The model: the high since activation, recomputed from the path.
        let high: Decimal | null = null;
        let expected = -1;
        for (const [i, p] of prices.entries()) {
          if (high === null && (activation === undefined || p >= activation)) high = d(p);
          else if (high !== null && d(p).gt(high)) high = d(p);
          if (high !== null && d(p).lte(trailingStop(high, { kind: 'percent', percent: d(trailPct) }))) {
            expected = i;
            break;
          }
        }
        expect(first(rule, prices)).toBe(expected);
      }),
    );
  });

  it('with a confirmation of N ticks, a firing follows N crossing ticks in a row, never fewer', () => {
    fc.assert(
      fc.property(path, level, fc.integer({ min: 1, max: 5 }), (prices, at, n) => {
        const rule = resolveRule(spec({ kind: 'stop-loss', at: price(at) }, { confirm: { ticks: n } }), null);
        for (const i of firings(rule, prices)) {
          expect(i + 1).toBeGreaterThanOrEqual(n);
          for (let k = i - n + 1; k <= i; k++) expect(prices[k] ?? Number.NaN).toBeLessThanOrEqual(at);
        }
      }),
    );
  });

  it('an OCO group never fires more than one rule on a tick, and every sibling of the one that fired is disarmed', () => {
    const trigger = fc.oneof(
      level.map((at) => ({ kind: 'stop-loss' as const, at: price(at) })),
      level.map((at) => ({ kind: 'take-profit' as const, at: price(at) })),
      fc.integer({ min: 1, max: 50 }).map((p) => ({ kind: 'trailing' as const, trail: percent(p) })),
    );
    const rules = fc.array(fc.tuple(trigger, fc.constantFrom('a', 'b', undefined)), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(rules, path, (specs, prices) => {
        const resolved = specs.map(([t, oco], i) => resolveRule(spec(t, { id: `r${i}`, ...(oco === undefined ? {} : { oco }) }), null));
        let watches: ReadonlyMap<string, RuleWatch> = new Map();
        for (const [i, p] of prices.entries()) {
          const tick: Tick = { price: d(p), at: i * 1_000 };
          const out = evaluateMarket(resolved, watches, tick);
          watches = out.watches;
          for (const group of ['a', 'b']) {
            const fired = out.fired.filter((f) => f.rule.oco === group);
            expect(fired.length).toBeLessThanOrEqual(1);
            const winner = fired[0];
            if (winner !== undefined) {
              const siblings = resolved.filter((r) => r.oco === group && r.id !== winner.rule.id).map((r) => r.id);
              expect(out.disarmed.filter((x) => x.rule.oco === group).map((x) => x.rule.id)).toEqual(siblings);
            }
          }
        }
      }),
    );
  });
});
