/**
 * Property tests: random sequences of orders, cancels, market trades, book moves and time
 * steps, with the engine's invariants checked after every step and at the end.
 */
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Balance, ExchangeEvent, Order } from '../../src/exchange/index.js';
import { Exchange, ExchangeError } from '../../src/exchange/index.js';
import { krwTickSize } from '../../src/upbit/tick-size.js';
import { ManualClock, TestMarket, sequentialUuids } from './helpers.js';

const KEYS = ['alice', 'bob'] as const;
const START_KRW = '3000000';
const FEE = new Decimal('0.0005');

/** Two markets: BTC far from any band edge, XRP straddling the 10,000 KRW band edge (ticks 10 above, 5 below). */
const MARKETS = [
  { code: 'KRW-BTC', base: 'BTC', mid: '100000000', unit: '0.00001', min: 5, max: 300 },
  { code: 'KRW-XRP', base: 'XRP', mid: '10000', unit: '0.01', min: 50, max: 3000 },
] as const;

type Side = 'bid' | 'ask';
type Cmd =
  | { kind: 'limit'; acct: number; m: number; side: Side; level: number; units: number; dust: number; tif: null | 'ioc' | 'fok' | 'post_only'; id: boolean }
  | { kind: 'buy'; acct: number; m: number; total: number }
  | { kind: 'sell'; acct: number; m: number; percent: number }
  | { kind: 'best'; acct: number; m: number; side: Side; tif: 'ioc' | 'fok'; units: number; total: number }
  | { kind: 'cancel'; acct: number; pick: number }
  | { kind: 'replace'; acct: number; pick: number; level: number }
  | { kind: 'trade'; m: number; level: number; units: number }
  | { kind: 'move'; m: number; level: number; size: number }
  | { kind: 'advance'; ms: number };

const acct = fc.integer({ min: 0, max: 1 });
const m = fc.integer({ min: 0, max: 1 });
const side = fc.constantFrom<Side>('bid', 'ask');
const level = fc.integer({ min: -8, max: 8 });
const units = fc.integer({ min: 1, max: 400 });

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('limit' as const), acct, m, side, level, units, dust: fc.integer({ min: 0, max: 99 }), tif: fc.constantFrom(null, null, 'ioc' as const, 'fok' as const, 'post_only' as const), id: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('buy' as const), acct, m, total: fc.integer({ min: 4000, max: 400000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sell' as const), acct, m, percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('best' as const), acct, m, side, tif: fc.constantFrom('ioc' as const, 'fok' as const), units, total: fc.integer({ min: 5000, max: 300000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), acct, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), acct, pick: fc.nat(), level }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('trade' as const), m, level, units }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), m, level, size: fc.integer({ min: 1, max: 50 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
);

class World {
  readonly market = new TestMarket();
  readonly clock = new ManualClock();
  readonly ex: Exchange;
  /** The last balance each account heard about per currency, from asset events. */
  readonly heard = new Map<string, Map<string, Balance>>();
  readonly rejections: string[] = [];
  private nextId = 0;

  constructor() {
    for (const spec of MARKETS) this.market.ladder(spec.code, spec.mid, new Decimal(spec.unit).mul(100));
    this.ex = new Exchange({ market: this.market, now: () => this.clock.now, schedule: this.clock.schedule, uuid: sequentialUuids() });
    for (const key of KEYS) {
      this.ex.createAccount(key, `${key}-secret`, START_KRW);
      this.heard.set(key, new Map());
    }
    this.ex.on((e: ExchangeEvent) => {
      if (e.type === 'asset') for (const b of e.balances) this.heard.get(e.accessKey)?.set(b.currency, b);
    });
  }

  /** A price on the grid: the mid, or the n-th ask (n > 0) / bid (n < 0) of the current book. */
  price(mi: number, n: number): string {
    const code = MARKETS[mi]?.code ?? '';
    const book = this.market.book(code);
    const levelAt = n > 0 ? book.asks[n - 1] : n < 0 ? book.bids[-n - 1] : undefined;
    return (levelAt?.price ?? this.market.lastPrice(code)).toFixed();
  }

  /** A volume worth roughly 5,000–300,000 KRW near the mid (`n` picks where in that range). */
  volume(mi: number, n: number, dust = 0): string {
    const spec = MARKETS[mi] ?? MARKETS[0];
    const units = spec.min + (n % (spec.max - spec.min + 1));
    return new Decimal(spec.unit).mul(units).plus(new Decimal(dust).div(1e8)).toFixed();
  }

  run(c: Cmd): void {
    const key = 'acct' in c ? (KEYS[c.acct] ?? 'alice') : 'alice';
    const spec = MARKETS['m' in c ? c.m : 0] ?? MARKETS[0];
    try {
      switch (c.kind) {
        case 'limit':
          this.ex.place(key, {
            market: spec.code,
            side: c.side,
            ord_type: 'limit',
            price: this.price(c.m, c.level),
            volume: this.volume(c.m, c.units, c.dust),
            ...(c.tif === null ? {} : { time_in_force: c.tif }),
            ...(c.id ? { identifier: `o${this.nextId++ % 7}` } : {}),
          });
          break;
        case 'buy':
          this.ex.place(key, { market: spec.code, side: 'bid', ord_type: 'price', price: String(c.total) });
          break;
        case 'sell': {
          const held = this.ex.balances(key).find((b) => b.currency === spec.base)?.balance ?? new Decimal(0);
          this.ex.place(key, { market: spec.code, side: 'ask', ord_type: 'market', volume: held.mul(c.percent).div(100).toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed() });
          break;
        }
        case 'best':
          this.ex.place(key, {
            market: spec.code,
            side: c.side,
            ord_type: 'best',
            time_in_force: c.tif,
            ...(c.side === 'bid' ? { price: String(c.total) } : { volume: this.volume(c.m, c.units) }),
          });
          break;
        case 'cancel':
        case 'replace': {
          const open = this.ex.list(key, { states: ['wait'], limit: 1000 });
          const target = open[c.pick % Math.max(open.length, 1)];
          if (target === undefined) return;
          if (c.kind === 'cancel') this.ex.cancel(key, { uuid: target.uuid });
          else {
            const mi = MARKETS.findIndex((x) => x.code === target.market);
            this.ex.cancelAndNew(key, { prev_order_uuid: target.uuid, new_ord_type: 'limit', new_price: this.price(mi, c.level), new_volume: 'remain_only' });
          }
          break;
        }
        case 'trade':
          this.ex.onMarketTrade(spec.code, new Decimal(this.price(c.m, c.level)), new Decimal(this.volume(c.m, c.units)));
          break;
        case 'move':
          this.market.ladder(spec.code, this.price(c.m, c.level), new Decimal(spec.unit).mul(c.size * 10));
          break;
        case 'advance':
          this.clock.advance(c.ms);
          break;
      }
    } catch (error) {
      // Rejections are part of the game; anything else is a bug.
      if (!(error instanceof ExchangeError)) throw error;
      this.rejections.push(error.upbitName);
    }
  }

  orders(key: string): Order[] {
    return this.ex.list(key, { limit: 100_000, orderBy: 'asc' });
  }
}

const sum = (xs: Decimal[]): Decimal => xs.reduce((a, b) => a.plus(b), new Decimal(0));
const onGrid = (price: Decimal): boolean => price.mod(krwTickSize(price.toNumber())).isZero();

/** Every invariant, as a list of what is broken (empty when all hold). */
function violations(w: World): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) out.push(what);
  };
  for (const key of KEYS) {
    const balances = w.ex.balances(key);
    const orders = w.orders(key);
    const open = orders.filter((o) => o.state === 'wait');
    // An order is in exactly one state: the open list and the finished list do not overlap.
    const finished = new Set(w.ex.list(key, { states: ['done', 'cancel'], limit: 100_000 }).map((o) => o.uuid));
    check(open.every((o) => !finished.has(o.uuid)) && open.length + finished.size === orders.length, `${key} order both open and finished`);

    for (const b of balances) check(!b.balance.isNegative() && !b.locked.isNegative(), `${key} ${b.currency} negative`);

    // Locked funds are exactly what open orders lock.
    const currencies = new Set([...balances.map((b) => b.currency), ...MARKETS.map((x) => x.base), 'KRW']);
    for (const c of currencies) {
      const locked = balances.find((b) => b.currency === c)?.locked ?? new Decimal(0);
      const byOrders = sum(open.filter((o) => (o.side === 'bid' ? 'KRW' : o.market.slice(4)) === c).map((o) => o.locked));
      check(locked.eq(byOrders), `${key} ${c} locked ${locked.toFixed()} ≠ open orders ${byOrders.toFixed()}`);
    }

    // Value conserved minus fees, exactly; base holdings are exactly the executed volumes.
    const trades = orders.flatMap((o) => o.trades);
    const krwFlow = sum(trades.map((t) => (t.side === 'bid' ? t.funds.plus(t.fee).neg() : t.funds.minus(t.fee))));
    const krw = balances.find((b) => b.currency === 'KRW');
    check(krw !== undefined && krw.balance.plus(krw.locked).eq(new Decimal(START_KRW).plus(krwFlow)), `${key} KRW not conserved`);
    for (const spec of MARKETS) {
      const held = balances.find((b) => b.currency === spec.base);
      const net = sum(trades.filter((t) => t.market === spec.code).map((t) => (t.side === 'bid' ? t.volume : t.volume.neg())));
      check((held === undefined ? new Decimal(0) : held.balance.plus(held.locked)).eq(net), `${key} ${spec.base} ≠ executed volume`);
      if (held !== undefined && net.isZero()) check(held.avgBuyPrice.isZero(), `${key} ${spec.base} avg not reset`);
    }

    for (const o of orders) {
      const id = `${key} ${o.uuid} (${o.ordType} ${o.side} ${o.state})`;
      check(o.state === 'wait' || o.state === 'done' || o.state === 'cancel', `${id} state`);
      check(o.tradesCount === o.trades.length, `${id} trades_count`);
      check(o.executedVolume.eq(sum(o.trades.map((t) => t.volume))) && o.executedFunds.eq(sum(o.trades.map((t) => t.funds))), `${id} executed`);
      check(o.paidFee.eq(sum(o.trades.map((t) => t.fee))), `${id} paid fee`);
      for (const t of o.trades) {
        check(onGrid(t.price), `${id} fill at ${t.price.toFixed()} off the grid`);
        check(t.volume.isPositive() && t.volume.decimalPlaces() <= 8, `${id} fill volume ${t.volume.toFixed()}`);
        check(t.fee.eq(t.funds.mul(FEE)) && t.funds.eq(t.price.mul(t.volume)), `${id} fill arithmetic`);
        if (o.ordType === 'limit') check(o.side === 'bid' ? t.price.lte(o.price ?? 0) : t.price.gte(o.price ?? 0), `${id} filled beyond its limit`);
      }
      if (o.state === 'wait') check(o.ordType === 'limit' && o.remainingVolume !== null && o.remainingVolume.isPositive() && !o.remainingVolume.isZero(), `${id} open but finished`);
      if (o.remainingVolume !== null) check(o.remainingVolume.plus(o.executedVolume).eq(o.volume ?? 0) && !o.remainingVolume.isNegative(), `${id} remaining`);
      if (o.state === 'done') check(o.remainingVolume === null ? o.executedFunds.eq(o.price ?? 0) : o.remainingVolume.isZero(), `${id} done but not filled`);
      if (o.ordType === 'price' || (o.ordType === 'best' && o.side === 'bid')) check(o.executedFunds.lte(o.price ?? 0), `${id} spent more than its total`);
      if (o.timeInForce === 'fok') {
        // A budget (best bid) is filled when what is left cannot buy another 0.00000001 at its price.
        const last = o.trades.at(-1);
        const filled = o.remainingVolume === null ? last !== undefined && (o.price ?? new Decimal(0)).minus(o.executedFunds).lt(last.price.mul('0.00000001')) : o.state === 'done';
        check(filled || o.tradesCount === 0, `${id} FOK partly filled`);
      }
      if (o.timeInForce === 'post_only') check(o.trades.every((t) => t.isMaker), `${id} post_only took liquidity`);
    }
  }
  return out;
}

describe('matching engine properties', () => {
  it('keeps balances, locks, fees, grid and states consistent over random command sequences', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 60, size: 'max' }), (cmds) => {
        const w = new World();
        for (const c of cmds) {
          w.run(c);
          const broken = violations(w);
          if (broken.length > 0) throw new Error(`after ${JSON.stringify(c)}: ${broken.join('; ')}`);
        }
        // Ending every order releases every lock.
        for (const key of KEYS) w.ex.cancelOpen(key, { count: 300 });
        w.clock.advance(1000);
        expect(violations(w)).toEqual([]);
        for (const key of KEYS) {
          expect(w.orders(key).filter((o) => o.state === 'wait')).toEqual([]);
          for (const b of w.ex.balances(key)) expect(b.locked.isZero()).toBe(true);
          // What the asset events said last is what the account holds.
          for (const [currency, heard] of w.heard.get(key) ?? []) {
            const now = w.ex.balances(key).find((b) => b.currency === currency);
            expect([heard.balance.toFixed(), heard.locked.toFixed()]).toEqual([now?.balance.toFixed() ?? '0', now?.locked.toFixed() ?? '0']);
          }
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  it('restores a snapshot taken at any point to an identical exchange', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 40, size: 'max' }), (cmds) => {
        const w = new World();
        for (const c of cmds) w.run(c);
        const snap = w.ex.snapshot();
        const restored = Exchange.fromSnapshot(JSON.parse(JSON.stringify(snap)) as unknown, { market: w.market, now: () => w.clock.now, schedule: w.clock.schedule });
        expect(restored.snapshot()).toEqual(snap);
        for (const key of KEYS) {
          expect(restored.balances(key)).toEqual(w.ex.balances(key));
          expect(restored.list(key, { limit: 100_000 })).toEqual(w.ex.list(key, { limit: 100_000 }));
        }
        restored.close();
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
