import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../src/runtime/logger.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { makeTicker } from './ticker-fixture.js';

const MARKETS = ['KRW-BTC', 'KRW-ETH'];

describe('MarketStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Run the flush loop for the test; returns the stop. */
  function start(store: MarketStore): { stop: () => Promise<void> } {
    const ac = new AbortController();
    const done = store.run(ac.signal);
    return {
      stop: async () => {
        ac.abort();
        await done;
      },
    };
  }

  it('hands every applied tick to onTick synchronously and in order', () => {
    const store = new MarketStore({ markets: MARKETS });
    const seen: number[] = [];
    const off = store.onTick('test', (t) => seen.push(t.tradePrice));
    for (let i = 0; i < 100; i += 1) {
      store.applyTicker(makeTicker(i % 2 === 0 ? 'KRW-BTC' : 'KRW-ETH', 1000 + i));
      expect(seen.at(-1)).toBe(1000 + i);
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    off();
    store.applyTicker(makeTicker('KRW-BTC', 1));
    expect(seen).toHaveLength(100);
  });

  it('a throwing tick listener is logged with its owner, counted and told; the others get the same tick', () => {
    const log = memoryLogger();
    const store = new MarketStore({ markets: MARKETS, logger: log });
    const seen: number[] = [];
    const told: Array<[unknown, number]> = [];
    const bug = new Error('listener bug');
    store.onTick('before', (t) => seen.push(t.tradePrice));
    store.onTick(
      'stop-loss KRW-BTC',
      () => {
        throw bug;
      },
      { onError: (error, t) => told.push([error, t.tradePrice]) },
    );
    store.onTick('after', (t) => seen.push(-t.tradePrice));
    expect(() => store.applyTicker(makeTicker('KRW-BTC', 5))).not.toThrow();
    expect(() => store.applyTicker(makeTicker('KRW-ETH', 6))).not.toThrow();
    expect(seen).toEqual([5, -5, 6, -6]);
    expect(told).toEqual([
      [bug, 5],
      [bug, 6],
    ]);
    expect(store.listenerErrorCount()).toBe(2);
    // The table still took both ticks.
    store.flush();
    expect(store.getSnapshot().rows.get('KRW-ETH')?.ticker?.tradePrice).toBe(6);
    const lines = log.records.filter((r) => r.level === 'error');
    // At most one line a second per listener, however often it throws (fake clock: same ms).
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields).toMatchObject({ owner: 'stop-loss KRW-BTC', market: 'KRW-BTC', err: bug });
    expect(lines[0]?.msg).toContain('stop-loss KRW-BTC');
  });

  it('an onError that throws is logged too and stops nothing', () => {
    const log = memoryLogger();
    const store = new MarketStore({ markets: MARKETS, logger: log });
    const seen: number[] = [];
    store.onTick(
      'bad',
      () => {
        throw new Error('listener bug');
      },
      {
        onError: () => {
          throw new Error('handler bug');
        },
      },
    );
    store.onTick('good', (t) => seen.push(t.tradePrice));
    expect(() => store.applyTicker(makeTicker('KRW-BTC', 7))).not.toThrow();
    expect(seen).toEqual([7]);
    expect(log.records.some((r) => r.fields['err'] instanceof Error && (r.fields['err']).message === 'handler bug' && r.fields['owner'] === 'bad')).toBe(true);
  });

  it('keeps the listener after it throws, and its release (idempotent) ends it', () => {
    const store = new MarketStore({ markets: MARKETS });
    let calls = 0;
    const off = store.onTick('flaky', () => {
      calls += 1;
      if (calls === 1) throw new Error('once');
    });
    store.applyTicker(makeTicker('KRW-BTC', 1));
    store.applyTicker(makeTicker('KRW-BTC', 2));
    expect(calls).toBe(2);
    off();
    off();
    store.applyTicker(makeTicker('KRW-BTC', 3));
    expect(calls).toBe(2);
    expect(store.listenerErrorCount()).toBe(1);
  });

  it('notifies subscribers once for 1,000 ticks inside one flush interval', async () => {
    const store = new MarketStore({ markets: MARKETS, flushHz: 12 });
    const notify = vi.fn();
    store.subscribe(notify);
    const loop = start(store);
    for (let i = 0; i < 1000; i += 1) store.applyTicker(makeTicker('KRW-BTC', 100_000_000 + i * 1000));
    expect(notify).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(Math.ceil(1000 / 12));
    expect(notify).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot().rows.get('KRW-BTC')?.ticker?.tradePrice).toBe(100_000_000 + 999 * 1000);
    await loop.stop();
  });

  it('keeps the same snapshot object between flushes and publishes a new one after', async () => {
    const store = new MarketStore({ markets: MARKETS });
    const loop = start(store);
    const first = store.getSnapshot();
    store.applyTicker(makeTicker('KRW-ETH', 4_812_000));
    expect(store.getSnapshot()).toBe(first);
    expect(first.rows.get('KRW-ETH')?.ticker).toBeNull();
    await vi.advanceTimersByTimeAsync(100);
    const second = store.getSnapshot();
    expect(second).not.toBe(first);
    expect(second.version).toBe(first.version + 1);
    expect(second.rows.get('KRW-ETH')?.ticker?.tradePrice).toBe(4_812_000);
    // An untouched row keeps its identity across snapshots (memoised table rows rely on it).
    expect(second.rows.get('KRW-BTC')).toBe(first.rows.get('KRW-BTC'));
    expect(store.getSnapshot()).toBe(second);
    await loop.stop();
  });

  it('does not notify when nothing changed', async () => {
    const store = new MarketStore({ markets: MARKETS });
    const notify = vi.fn();
    store.subscribe(notify);
    const loop = start(store);
    await vi.advanceTimersByTimeAsync(5000);
    expect(notify).not.toHaveBeenCalled();
    await loop.stop();
  });

  it('never notifies more than flushHz times in any second at 10,000 ticks/s', async () => {
    const flushHz = 12;
    const store = new MarketStore({ markets: MARKETS, flushHz });
    const at: number[] = [];
    store.subscribe(() => at.push(Date.now()));
    const loop = start(store);
    let price = 100_000_000;
    // 10 ticks every millisecond for 5 s.
    const feed = setInterval(() => {
      for (let i = 0; i < 10; i += 1) store.applyTicker(makeTicker(i % 2 === 0 ? 'KRW-BTC' : 'KRW-ETH', (price += 1000)));
    }, 1);
    await vi.advanceTimersByTimeAsync(5000);
    clearInterval(feed);
    expect(at.length).toBeGreaterThanOrEqual(5 * flushHz - 1);
    for (let i = 0; i + flushHz < at.length; i += 1) {
      // The (flushHz+1)-th notification after any one is at least a second later.
      expect((at[i + flushHz] ?? 0) - (at[i] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    expect(store.getSnapshot().msgPerSec).toBeGreaterThanOrEqual(9000);
    expect(store.getSnapshot().msgPerSec).toBeLessThanOrEqual(11_000);
    await loop.stop();
  });

  it('bounds history, oldest first, and never mutates a published history', () => {
    const store = new MarketStore({ markets: MARKETS, historyLength: 5 });
    for (let p = 1; p <= 3; p += 1) store.applyTicker(makeTicker('KRW-BTC', p));
    store.flush();
    const early = store.getSnapshot().rows.get('KRW-BTC')?.history;
    expect(early).toEqual([1, 2, 3]);
    for (let p = 4; p <= 12; p += 1) store.applyTicker(makeTicker('KRW-BTC', p));
    store.flush();
    expect(store.getSnapshot().rows.get('KRW-BTC')?.history).toEqual([8, 9, 10, 11, 12]);
    expect(early).toEqual([1, 2, 3]);
  });

  it('hands ticks of markets outside the table to every-tick listeners, in order, without touching the table', () => {
    const store = new MarketStore({ markets: MARKETS });
    const seen: string[] = [];
    store.onTick('stop-loss KRW-XRP', (t) => seen.push(`${t.market} ${t.tradePrice}`));
    store.applyTicker(makeTicker('KRW-XRP', 3000));
    store.applyTicker(makeTicker('KRW-BTC', 1));
    store.applyTicker(makeTicker('KRW-XRP', 2990));
    expect(seen).toEqual(['KRW-XRP 3000', 'KRW-BTC 1', 'KRW-XRP 2990']);
    expect(store.flush()).toBe(true);
    expect(store.getSnapshot().rows.has('KRW-XRP')).toBe(false);
    expect(store.getSnapshot().markets).toEqual(MARKETS);
  });

  it('a listener of some markets gets exactly their ticks, on or off the table, after the every-market ones', () => {
    const store = new MarketStore({ markets: MARKETS });
    const calls: string[] = [];
    const offRule = store.onTick('stop-loss', (t) => calls.push(`rule ${t.market} ${t.tradePrice}`), { markets: ['KRW-XRP', 'KRW-BTC', 'KRW-XRP'] });
    store.onTick('all', (t) => calls.push(`all ${t.market}`));
    const bug = new Error('rule bug');
    const told: unknown[] = [];
    store.onTick(
      'broken',
      () => {
        throw bug;
      },
      { markets: ['KRW-ETH'], onError: (error) => told.push(error) },
    );
    store.applyTicker(makeTicker('KRW-XRP', 3000));
    store.applyTicker(makeTicker('KRW-ETH', 4));
    store.applyTicker(makeTicker('KRW-BTC', 1));
    store.applyTicker(makeTicker('KRW-XRP', 2990));
    expect(calls).toEqual(['all KRW-XRP', 'rule KRW-XRP 3000', 'all KRW-ETH', 'all KRW-BTC', 'rule KRW-BTC 1', 'all KRW-XRP', 'rule KRW-XRP 2990']);
    expect(told).toEqual([bug]);
    expect(store.listenerErrorCount()).toBe(1);
    offRule();
    offRule();
    calls.length = 0;
    store.applyTicker(makeTicker('KRW-XRP', 2980));
    store.applyTicker(makeTicker('KRW-BTC', 2));
    expect(calls).toEqual(['all KRW-XRP', 'all KRW-BTC']);
  });

  it('does not publish for a tick of a market outside the table', () => {
    const store = new MarketStore({ markets: MARKETS });
    const onTick = vi.fn();
    store.onTick('monitor', onTick);
    store.applyTicker(makeTicker('KRW-XRP', 3000));
    expect(onTick).toHaveBeenCalledTimes(1);
    expect(store.flush()).toBe(false);
    expect(store.getSnapshot().rows.has('KRW-XRP')).toBe(false);
    expect(store.getSnapshot().lastMessageAt).toBeNull();
  });

  it('follows setMarkets: new markets start empty, kept ones keep their data, removed ones go', () => {
    const store = new MarketStore({ markets: MARKETS });
    store.applyTicker(makeTicker('KRW-BTC', 130_512_000));
    store.applyTicker(makeTicker('KRW-ETH', 4_812_000));
    store.setMarkets(['KRW-XRP', 'KRW-BTC']);
    store.applyTicker(makeTicker('KRW-ETH', 4_900_000));
    store.flush();
    const s = store.getSnapshot();
    expect(s.markets).toEqual(['KRW-XRP', 'KRW-BTC']);
    expect(s.rows.get('KRW-BTC')?.ticker?.tradePrice).toBe(130_512_000);
    expect(s.rows.get('KRW-XRP')?.ticker).toBeNull();
    expect(s.rows.has('KRW-ETH')).toBe(false);
  });

  it('publishes connection, lag, invalid count and notice at the next flush', () => {
    const store = new MarketStore({ markets: MARKETS });
    const before = store.getSnapshot();
    expect(before.connection).toEqual({ state: 'connecting', attempt: 1 });
    store.setConnection({ state: 'live', since: 1 });
    store.setLagP99(3.2);
    store.noteInvalid();
    store.setNotice('api.upbit.com unreachable — try --sim');
    expect(store.getSnapshot()).toBe(before);
    expect(store.flush()).toBe(true);
    expect(store.getSnapshot()).toMatchObject({
      connection: { state: 'live', since: 1 },
      lagP99Ms: 3.2,
      invalidCount: 1,
      notice: 'api.upbit.com unreachable — try --sim',
      shuttingDown: false,
    });
  });

  it('publishes shutting down at once, without waiting for the loop', () => {
    const store = new MarketStore({ markets: MARKETS });
    const notify = vi.fn();
    store.subscribe(notify);
    store.setShuttingDown();
    expect(notify).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot().shuttingDown).toBe(true);
  });

  it('republishes about once a second while a message age is on screen, and lets msg/s decay', () => {
    const store = new MarketStore({ markets: MARKETS });
    store.applyTicker(makeTicker('KRW-BTC', 1));
    store.flush();
    expect(store.getSnapshot().msgPerSec).toBe(1);
    vi.advanceTimersByTime(500);
    expect(store.flush()).toBe(false);
    vi.advanceTimersByTime(600);
    expect(store.flush()).toBe(true);
    expect(store.getSnapshot().msgPerSec).toBe(0);
    expect(store.getSnapshot().publishedAt - (store.getSnapshot().lastMessageAt ?? 0)).toBe(1100);
  });

  it('run resolves and clears its timer on abort, and resolves at once if already aborted', async () => {
    const store = new MarketStore({ markets: MARKETS });
    const ac = new AbortController();
    const done = store.run(ac.signal);
    expect(vi.getTimerCount()).toBe(1);
    ac.abort(new Error('stop'));
    await expect(done).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    await expect(store.run(AbortSignal.abort())).resolves.toBeUndefined();
  });

  it('run rejects, with the cause, when a subscriber throws', async () => {
    const store = new MarketStore({ markets: MARKETS });
    store.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const done = store.run(new AbortController().signal);
    const settled = expect(done).rejects.toMatchObject({ cause: { message: 'subscriber bug' } });
    store.applyTicker(makeTicker('KRW-BTC', 1));
    await vi.advanceTimersByTimeAsync(100);
    await settled;
    expect(vi.getTimerCount()).toBe(0);
  });

  describe('staleness, judged by the flush loop on an injected clock', () => {
    let now = 0;
    const clock = (): number => now;
    function liveStore(over: { silentAfterMs?: number; marketStaleAfterMs?: number } = {}): MarketStore {
      now = 100_000;
      const store = new MarketStore({ markets: MARKETS, now: clock, ...over });
      store.setConnection({ state: 'live', since: now });
      store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
      store.applyTicker(makeTicker('KRW-ETH', 4_800_000));
      store.flush();
      return store;
    }
    const stale = (store: MarketStore, market: string): boolean | undefined => store.getSnapshot().rows.get(market)?.stale;

    it('marks every row stale within one flush of the link going silent (no tick, no pong), with no message arriving', () => {
      const store = liveStore();
      const notify = vi.fn();
      store.subscribe(notify);
      const { stop } = start(store);
      expect(stale(store, 'KRW-BTC')).toBe(false);
      // Pongs keep a link whose markets do not trade alive.
      for (let t = 1_000; t <= 4_000; t += 1_000) {
        now += 1_000;
        store.noteActivity();
        vi.advanceTimersByTime(1_000);
      }
      expect(store.getSnapshot()).toMatchObject({ silent: false });
      expect(stale(store, 'KRW-BTC')).toBe(false);
      // Then nothing at all: 5 s after the last pong the flush loop, on its own, says so.
      now += 4_999;
      vi.advanceTimersByTime(84);
      expect(store.getSnapshot().silent).toBe(false);
      now += 1;
      const before = notify.mock.calls.length;
      vi.advanceTimersByTime(84);
      expect(notify.mock.calls.length).toBe(before + 1);
      expect(store.getSnapshot().silent).toBe(true);
      expect([stale(store, 'KRW-BTC'), stale(store, 'KRW-ETH')]).toEqual([true, true]);
      // A tick revives its own row and the link; the other row's price is still as old.
      now += 500;
      store.applyTicker(makeTicker('KRW-BTC', 130_001_000));
      vi.advanceTimersByTime(84);
      expect(store.getSnapshot().silent).toBe(false);
      expect([stale(store, 'KRW-BTC'), stale(store, 'KRW-ETH')]).toEqual([false, false]);
      return stop();
    });

    it('marks rows stale as soon as the connection is down, and keeps a price from before a reconnect stale until a new tick', () => {
      const store = liveStore();
      now += 200;
      store.setConnection({ state: 'reconnecting', attempt: 1, retryInMs: 400, retryAt: now + 400, reason: 'connection dropped' });
      store.flush();
      expect([stale(store, 'KRW-BTC'), stale(store, 'KRW-ETH')]).toEqual([true, true]);
      now += 400;
      store.setConnection({ state: 'live', since: now });
      store.flush();
      expect(stale(store, 'KRW-BTC')).toBe(true);
      store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
      store.flush();
      expect([stale(store, 'KRW-BTC'), stale(store, 'KRW-ETH')]).toEqual([false, true]);
    });

    it('on a live link, marks one quiet market stale only after marketStaleAfterMs', () => {
      const store = liveStore({ marketStaleAfterMs: 60_000 });
      const { stop } = start(store);
      for (let s = 1; s <= 59; s += 1) {
        now += 1_000;
        store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
        vi.advanceTimersByTime(1_000);
      }
      expect(stale(store, 'KRW-ETH')).toBe(false);
      now += 1_000;
      store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
      vi.advanceTimersByTime(84);
      expect([stale(store, 'KRW-BTC'), stale(store, 'KRW-ETH')]).toEqual([false, true]);
      return stop();
    });

    it('republishes once a second while a retry countdown is on screen, with no tick ever received', () => {
      now = 0;
      const store = new MarketStore({ markets: MARKETS, now: clock });
      store.setConnection({ state: 'reconnecting', attempt: 1, retryInMs: 3_000, retryAt: 3_000, reason: 'connection refused by api.upbit.com' });
      store.flush();
      const published: number[] = [];
      store.subscribe(() => published.push(store.getSnapshot().publishedAt));
      for (let t = 100; t <= 3_000; t += 100) {
        now = t;
        store.flush();
      }
      expect(published).toEqual([1_000, 2_000, 3_000]);
    });
  });

  it('rejects option values it cannot honour', () => {
    expect(() => new MarketStore({ markets: [], flushHz: 0 })).toThrow(RangeError);
    expect(() => new MarketStore({ markets: [], historyLength: 0 })).toThrow(RangeError);
  });
});
