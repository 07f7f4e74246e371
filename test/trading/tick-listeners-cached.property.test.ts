// MarketStore.applyTicker looks a tick's market up once: the row it finds also caches the
// market's own every-tick listeners (TickListeners.tellCached, docs/performance.md "After K").
// This property pins down that the cache changes nothing a listener sees: for any sequence of
// subscriptions, releases, market-set changes and ticks (of markets on the table and off it),
// including listeners that subscribe or release others while a tick is being told and listeners
// that throw, and with a market's only listener called without walking its set ("After L"), the store
// calls exactly the listeners, in exactly the order, that the uncached `TickListeners.tell`
// calls for the same sequence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/runtime/logger.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { TickListeners, type OnTickOptions, type TickListener } from '../../src/trading/tick-listeners.js';
import type { Ticker } from '../../src/upbit/types.js';
import { makeTicker } from './ticker-fixture.js';

const MARKETS = ['KRW-A', 'KRW-B', 'KRW-C', 'KRW-D'];
const market = fc.constantFrom(...MARKETS);
const markets = fc.uniqueArray(market, { minLength: 1, maxLength: 3 });

/** What a listener does the first time it is told a tick, besides logging it. */
const nested = fc.oneof(
  fc.constant<Nested>({ kind: 'none' }),
  markets.map((ms): Nested => ({ kind: 'add', markets: ms })),
  fc.constant<Nested>({ kind: 'addEvery' }),
  fc.nat(20).map((n): Nested => ({ kind: 'release', n })),
  fc.constant<Nested>({ kind: 'throw' }),
  market.map((m): Nested => ({ kind: 'tick', market: m })),
);
/**
 * `throw`: the listener throws on every tick (after logging it): the others still get it, in order.
 * `tick`: the first time, it applies another tick (of any market) from inside the listener.
 */
type Nested = { kind: 'none' } | { kind: 'add'; markets: string[] } | { kind: 'addEvery' } | { kind: 'release'; n: number } | { kind: 'throw' } | { kind: 'tick'; market: string };

type Op =
  | { op: 'addEvery'; then: Nested }
  | { op: 'add'; markets: string[]; then: Nested }
  | { op: 'release'; n: number }
  | { op: 'setMarkets'; markets: string[] }
  | { op: 'tick'; market: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  nested.map((then): Op => ({ op: 'addEvery', then })),
  fc.tuple(markets, nested).map(([ms, then]): Op => ({ op: 'add', markets: ms, then })),
  fc.nat(20).map((n): Op => ({ op: 'release', n })),
  fc.uniqueArray(market, { maxLength: 4 }).map((ms): Op => ({ op: 'setMarkets', markets: ms })),
  market.map((m): Op => ({ op: 'tick', market: m })),
  market.map((m): Op => ({ op: 'tick', market: m })),
  market.map((m): Op => ({ op: 'tick', market: m })),
);

/** One side of the comparison: subscribe with owner + options, apply a tick, change the table. */
interface Side {
  add(owner: string, listener: TickListener, options?: OnTickOptions): () => void;
  tick(t: Ticker): void;
  setMarkets(ms: string[]): void;
}

/** Runs the ops on one side; returns every call a listener got, as "listener@market#tick". */
function run(side: Side, ops: readonly Op[]): string[] {
  const log: string[] = [];
  const releases: Array<() => void> = [];
  let ids = 0;
  let ticks = 0;
  const subscribe = (markets: string[] | undefined, then: Nested): void => {
    const id = ids++;
    let fired = false;
    const listener: TickListener = (t) => {
      log.push(`${id}@${t.market}#${ticks}`);
      if (then.kind === 'throw') throw new Error(`listener ${id} throws`);
      if (fired) return;
      fired = true;
      if (then.kind === 'add') subscribe(then.markets, { kind: 'none' });
      else if (then.kind === 'addEvery') subscribe(undefined, { kind: 'none' });
      else if (then.kind === 'release' && releases.length > 0) releases[then.n % releases.length]?.();
      else if (then.kind === 'tick') {
        ticks += 1;
        side.tick(makeTicker(then.market, 1000 + ticks));
      }
    };
    releases.push(side.add(`l${id}`, listener, markets === undefined ? {} : { markets }));
  };
  for (const o of ops) {
    if (o.op === 'addEvery') subscribe(undefined, o.then);
    else if (o.op === 'add') subscribe(o.markets, o.then);
    else if (o.op === 'release') {
      if (releases.length > 0) releases[o.n % releases.length]?.();
    } else if (o.op === 'setMarkets') side.setMarkets(o.markets);
    else {
      ticks += 1;
      side.tick(makeTicker(o.market, 1000 + ticks));
    }
  }
  return log;
}

describe('the store’s per-row cache of a market’s own tick listeners', () => {
  it('calls the same listeners in the same order as the uncached registry, whatever is subscribed, released or shown', () => {
    fc.assert(
      fc.property(fc.uniqueArray(market, { maxLength: 4 }), fc.array(op, { maxLength: 60 }), (shown, ops) => {
        const store = new MarketStore({ markets: shown, now: () => 0 });
        const cached = run(
          {
            add: (owner, listener, options) => store.onTick(owner, listener, options),
            tick: (t) => store.applyTicker(t, 0),
            setMarkets: (ms) => store.setMarkets(ms),
          },
          ops,
        );
        const registry = new TickListeners(silentLogger);
        const uncached = run(
          {
            add: (owner, listener, options) => registry.add(owner, listener, options),
            tick: (t) => registry.tell(t, 0),
            setMarkets: () => undefined,
          },
          ops,
        );
        expect(cached).toEqual(uncached);
        expect(store.listenerErrorCount()).toBe(registry.errorCount());
      }),
      { numRuns: 3_000 },
    );
  });
});
