/**
 * A tiny market for the exchange tests: fixed books on the KRW tick grid that a test sets
 * level by level, an injected clock, a manual scheduler for cancel completions, and the
 * exchange's events recorded in order.
 */
import { Decimal } from 'decimal.js';

import type { ExchangeOptions } from '../../src/exchange/index.js';
import { Exchange, ExchangeError } from '../../src/exchange/index.js';
import type { BookLevel, ExchangeEvent, MarketView, OrderRequest } from '../../src/exchange/index.js';
import { krwTickSize } from '../../src/upbit/tick-size.js';

/** 2026-03-22T21:42:22+09:00, the time of the recorded limit bid (docs/upbit-protocol.md#exchange-endpoints). */
export const T0 = Date.UTC(2026, 2, 22, 12, 42, 22);

export const AK = 'access-key-1';
export const SK = 'secret-key-1';

type Level = readonly [price: Decimal.Value, size: Decimal.Value];

export class TestMarket implements MarketView {
  private readonly books = new Map<string, { asks: BookLevel[]; bids: BookLevel[] }>();
  private readonly last = new Map<string, Decimal>();

  /** Set a market's book (best first) and last price (default: the best bid, else the best ask). */
  set(market: string, asks: readonly Level[], bids: readonly Level[], last?: Decimal.Value): this {
    const toLevels = (ls: readonly Level[]): BookLevel[] => ls.map(([p, s]) => ({ price: new Decimal(p), size: new Decimal(s) }));
    this.books.set(market, { asks: toLevels(asks), bids: toLevels(bids) });
    const fallback = bids[0]?.[0] ?? asks[0]?.[0] ?? 1;
    this.last.set(market, new Decimal(last ?? fallback));
    return this;
  }

  /** A 30-level book around `mid` (which must be on the grid): one tick apart, `size` each. */
  ladder(market: string, mid: Decimal.Value, size: Decimal.Value, levels = 30): this {
    const m = new Decimal(mid);
    const asks: Level[] = [];
    const bids: Level[] = [];
    let a = m;
    let b = m;
    for (let i = 0; i < levels; i++) {
      a = a.plus(krwTickSize(a.toNumber()));
      asks.push([a, size]);
      b = b.minus(krwTickSize(b.minus(krwTickSize(b.toNumber())).toNumber()));
      bids.push([b, size]);
    }
    return this.set(market, asks, bids, m);
  }

  has(market: string): boolean {
    return this.books.has(market);
  }

  book(market: string): { asks: readonly BookLevel[]; bids: readonly BookLevel[] } {
    return this.books.get(market) ?? { asks: [], bids: [] };
  }

  lastPrice(market: string): Decimal {
    return this.last.get(market) ?? new Decimal(0);
  }

  setLast(market: string, price: Decimal.Value): void {
    this.last.set(market, new Decimal(price));
  }

  tickSize(_market: string, price: Decimal): Decimal {
    return new Decimal(krwTickSize(price.toNumber()));
  }
}

/** Timers run only when the test advances the clock. */
export class ManualClock {
  now: number;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;

  constructor(start = T0) {
    this.now = start;
  }

  schedule = (fn: () => void, ms: number): (() => void) => {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  };

  pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

/** Deterministic ids: `prefix-1`, `prefix-2`, … */
export function sequentialUuids(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

export interface Harness {
  ex: Exchange;
  market: TestMarket;
  clock: ManualClock;
  events: ExchangeEvent[];
}

export function harness(opts: Partial<ExchangeOptions> & { krw?: Decimal.Value; market?: TestMarket } = {}): Harness {
  const market = opts.market ?? new TestMarket().ladder('KRW-BTC', '100000000', '1');
  const clock = new ManualClock();
  const ex = new Exchange({ now: () => clock.now, schedule: clock.schedule, uuid: sequentialUuids(), ...opts, market });
  ex.createAccount(AK, SK, opts.krw ?? '10000000');
  const events: ExchangeEvent[] = [];
  ex.on((e) => events.push(e));
  return { ex, market, clock, events };
}

export const limit = (side: 'bid' | 'ask', price: string, volume: string, extra: OrderRequest = {}): OrderRequest => ({
  market: 'KRW-BTC',
  side,
  ord_type: 'limit',
  price,
  volume,
  ...extra,
});

/** Upbit's amount string of a balance field, for short assertions. */
export function krw(h: Harness, key = AK): { balance: string; locked: string } {
  const b = h.ex.balances(key).find((x) => x.currency === 'KRW');
  return { balance: b?.balance.toFixed() ?? 'none', locked: b?.locked.toFixed() ?? 'none' };
}

export function holding(h: Harness, currency: string, key = AK): { balance: string; locked: string; avg: string } | undefined {
  const b = h.ex.balances(key).find((x) => x.currency === currency);
  return b === undefined ? undefined : { balance: b.balance.toFixed(), locked: b.locked.toFixed(), avg: b.avgBuyPrice.toFixed() };
}

/** The Upbit error name an exchange call fails with, or 'ok'. */
export function errorName(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof ExchangeError) return error.upbitName;
    throw error;
  }
}
