/**
 * The trading session's account and orders stores against the real simulator: they follow
 * placements and fills over the private stream (also while REST is failing), over REST
 * reconciliation while the stream has a gap, and from the paper venue's own engine; the
 * orders store shows open orders, fills and the journal's attempts.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { Money } from '../../../src/trading/money.js';
import { selectBalance, selectFills, selectKrw, selectMyOpenOrders, selectOpenOrders, selectTotalValue } from '../../../src/trading/session/index.js';
import { TRADING_TASKS } from '../../../src/trading/under-kernel.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ACCOUNT, MARKET, PRICE, paperRig, simRig, stopAll } from './session-harness.js';

afterEach(stopAll);

const RESTING = { market: MARKET, side: 'bid', ordType: 'limit', price: new Money('50000000'), volume: new Money('0.0002') } as const;
const MARKET_BUY = { market: MARKET, side: 'bid', ordType: 'price', total: new Money('6000') } as const;

describe('trading session: the account store', () => {
  it('loads the balances over REST, then follows an order and a fill from the private stream alone (REST failing)', async () => {
    const r = await simRig();
    expect(r.tasks.map((t) => t.name)).toEqual([TRADING_TASKS.stream, TRADING_TASKS.orders, TRADING_TASKS.sync]);
    await waitFor(() => r.session.account.getSnapshot().loaded && r.session.orders.getSnapshot().loaded, 'the first REST read');
    const krw0 = selectKrw(r.session.account.getSnapshot());
    expect([krw0.available.toFixed(), krw0.locked.toFixed()]).toEqual([ACCOUNT.krw, '0']);
    await waitFor(() => r.venue.privateStream?.status().state === 'live', 'the private stream');

    // From now on every REST request fails: what the stores learn comes over the stream.
    r.server.faults.status5xxRate = 1;
    // Another front end (or Upbit's website) places on the account: a resting bid, then a market buy.
    const resting = r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '50000000', volume: '0.0002' });
    await waitFor(() => selectKrw(r.session.account.getSnapshot()).locked.eq('10005'), 'the bid (10,000 KRW + 0.05 % fee) locked, from myAsset');
    // Each store publishes on its own clock: the order may show a frame after the lock.
    await waitFor(() => selectOpenOrders(r.session.orders.getSnapshot()).map((o) => o.uuid).join() === resting.uuid, 'the bid open, from myOrder');
    const filled = r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'price', price: '6000' });
    await waitFor(() => selectBalance(r.session.account.getSnapshot(), 'BTC').balance.gt(0), 'the bought BTC, from myAsset');
    await waitFor(() => selectFills(r.session.orders.getSnapshot()).some((f) => f.uuid === filled.uuid), 'the fill, from myOrder');
    // The buy's last fill and its refund of the dust: the store ends where the exchange did.
    const onExchange = (currency: string): string | undefined => r.server.exchange.balances(ACCOUNT.accessKey).find((b) => b.currency === currency)?.balance.toFixed();
    await waitFor(() => {
      const a = r.session.account.getSnapshot();
      return selectKrw(a).available.toFixed() === onExchange('KRW') && selectBalance(a, 'BTC').balance.toFixed() === onExchange('BTC');
    }, 'the balances the exchange has, from myAsset');
    const account = r.session.account.getSnapshot();
    // The market buy is over: not among the open orders.
    await waitFor(() => !selectOpenOrders(r.session.orders.getSnapshot()).some((o) => o.uuid === filled.uuid), 'the market buy gone from the open orders');
    await waitFor(() => r.session.account.getSnapshot().syncError !== null, 'the failing REST read shown');
    // Worth: KRW plus the BTC at the price given.
    const value = selectTotalValue(account, new Map([[MARKET, PRICE]]));
    expect(value.unpriced).toEqual([]);
    expect(value.total.toFixed()).toBe(selectKrw(account).total.plus(selectBalance(account, 'BTC').balance.mul(PRICE)).toFixed());
    expect(selectTotalValue(account, () => undefined).unpriced).toEqual(['BTC']);
  });

  it('catches up over REST what the private stream missed during a gap (a silent stream, then a reconnect)', async () => {
    const r = await simRig({ privateTuning: { probeAfterMs: 100, livenessTimeoutMs: 300 } });
    await waitFor(() => r.session.account.getSnapshot().loaded && r.venue.privateStream?.status().state === 'live', 'the first read and the stream');
    // The stream plays dead: every event from now on is dropped, never delivered.
    r.server.faults.silent = true;
    const before = r.requests.filter((q) => q === 'GET /v1/accounts').length;
    const resting = r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '50000000', volume: '0.0002' });
    // Only a REST read can tell it: the stream's frames about it were dropped.
    await waitFor(() => selectKrw(r.session.account.getSnapshot()).locked.eq('10005'), 'the lock, read over REST after the gap', 10_000);
    await waitFor(() => selectOpenOrders(r.session.orders.getSnapshot()).some((o) => o.uuid === resting.uuid), 'the order, read over REST after the gap', 10_000);
    expect(r.requests.filter((q) => q === 'GET /v1/accounts').length).toBeGreaterThan(before);
  });

  it('without a private stream (a REST-only venue), polls REST', async () => {
    const r = await simRig({ stream: false, session: { pollMs: 100 } });
    await waitFor(() => r.session.account.getSnapshot().loaded, 'the first REST read');
    r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '50000000', volume: '0.0002' });
    await waitFor(() => selectKrw(r.session.account.getSnapshot()).locked.eq('10005'), 'the lock, from a poll');
  });

  it('backs off while REST reads fail, instead of retrying at the pace of the reasons to read', async () => {
    const r = await simRig({ stream: false, session: { pollMs: 10, coalesceMs: 10 } });
    await waitFor(() => r.session.account.getSnapshot().loaded, 'the first REST read');
    r.server.faults.status5xxRate = 1;
    const from = r.requests.length;
    const failedReads = (): number[] => r.requests.flatMap((q, i) => (i >= from && q === 'GET /v1/accounts' ? [r.requestTimes[i] ?? 0] : []));
    await waitFor(() => failedReads().length >= 3, 'three failed reads', 10_000);
    await waitFor(() => r.session.account.getSnapshot().syncError !== null, 'the failure shown');
    const [first = 0, , third = 0] = failedReads();
    // Two retries, each at least 250 ms after the last failure: not every 10 ms.
    expect(third - first).toBeGreaterThanOrEqual(2 * 250 - 20);
  });

  it('in paper mode follows the paper engine: a market buy fills into the stores at once, with no private stream', async () => {
    const r = await paperRig();
    expect(r.session.mode).toBe('paper');
    expect(r.tasks.map((t) => t.name)).toContain(TRADING_TASKS.paper);
    await waitFor(() => r.session.account.getSnapshot().loaded, 'the wallet read');
    const placed = await r.session.place(MARKET_BUY);
    expect(placed.status).toBe('acked');
    await waitFor(() => selectBalance(r.session.account.getSnapshot(), 'BTC').balance.gt(0), 'the bought BTC');
    await waitFor(() => selectFills(r.session.orders.getSnapshot()).length > 0, 'the paper fill');
    const wallet = (await r.venue.accounts()).find((b) => b.currency === 'KRW')?.balance.toFixed();
    await waitFor(() => selectKrw(r.session.account.getSnapshot()).available.toFixed() === wallet, "the wallet's KRW");
  });

  it("in paper mode follows the paper fill loop: a resting bid the market trades through fills into the stores", async () => {
    const r = await paperRig();
    await waitFor(() => r.session.account.getSnapshot().loaded, 'the wallet read');
    const bid = { market: MARKET, side: 'bid', ordType: 'limit', price: new Money(PRICE - 1_000_000), volume: new Money('0.001') } as const;
    const placed = await r.session.place(bid);
    if (placed.status !== 'acked') throw new Error('not acked');
    await waitFor(() => selectOpenOrders(r.session.orders.getSnapshot()).some((o) => o.uuid === placed.order.uuid), 'the resting bid');
    expect(selectBalance(r.session.account.getSnapshot(), 'BTC').balance.isZero()).toBe(true);
    // The market trades through the bid; the paper venue's poll of the ticker fills it.
    r.server.engine.scriptTrade(MARKET, PRICE - 2_000_000);
    await waitFor(() => selectBalance(r.session.account.getSnapshot(), 'BTC').balance.eq('0.001'), 'the filled BTC');
    await waitFor(() => selectFills(r.session.orders.getSnapshot()).some((f) => f.uuid === placed.order.uuid), 'the maker fill');
    await waitFor(() => !selectOpenOrders(r.session.orders.getSnapshot()).some((o) => o.uuid === placed.order.uuid), 'the bid no longer open');
  });
});

describe('trading session: the orders store', () => {
  it("shows open orders (mine and others'), fills, and this app's attempts from the journal", async () => {
    const r = await simRig();
    await waitFor(() => r.session.orders.getSnapshot().loaded, 'the first read');
    const other = r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '40000000', volume: '0.0002' });
    const resting = await r.session.place(RESTING);
    const bought = await r.session.place(MARKET_BUY);
    if (resting.status !== 'acked' || bought.status !== 'acked') throw new Error('not acked');

    await waitFor(() => {
      const s = r.session.orders.getSnapshot();
      return s.attempts.length === 2 && s.attempts.every((a) => a.state !== 'pending') && s.fills.some((f) => f.identifier === bought.identifier);
    }, 'both attempts and the market buy fill');
    await waitFor(() => r.session.orders.getSnapshot().attempts.find((a) => a.identifier === bought.identifier)?.state !== 'acked', 'the market buy finished');
    const s = r.session.orders.getSnapshot();
    expect(selectOpenOrders(s).map((o) => o.uuid).sort()).toEqual([other.uuid, resting.order.uuid].sort());
    expect(selectMyOpenOrders(s).map((o) => o.uuid)).toEqual([resting.order.uuid]);
    const open = selectOpenOrders(s).find((o) => o.uuid === resting.order.uuid);
    expect([open?.identifier, open?.ordType, open?.price?.toFixed(), open?.total, open?.volume?.toFixed()]).toEqual([resting.identifier, 'limit', '50000000', null, '0.0002']);
    // Newest first; the market buy journalled with its total, not a price.
    expect(s.attempts.map((a) => [a.identifier, a.ordType, a.price, a.total, a.source])).toEqual([
      [bought.identifier, 'price', null, '6000', 'ui'],
      [resting.identifier, 'limit', '50000000', null, 'ui'],
    ]);
    expect(s.attempts[0]?.state).toMatch(/^(done|cancel)$/);
    expect(s.attempts[1]?.state).toBe('acked');
    const fills = selectFills(s, MARKET).filter((f) => f.uuid === bought.order.uuid);
    expect(fills.length).toBeGreaterThan(0);
    const journalled = r.journal.attemptByIdentifier(bought.identifier)?.fills.map((f) => f.tradeUuid).sort();
    expect(fills.map((f) => f.tradeUuid).sort()).toEqual(journalled);

    // Cancel all mine: only this app's resting order goes; the other stays.
    const { cancelled, failed } = await r.session.cancelAllMine(MARKET);
    expect([cancelled.map((o) => o.uuid), failed]).toEqual([[resting.order.uuid], []]);
    await waitFor(() => selectOpenOrders(r.session.orders.getSnapshot()).map((o) => o.uuid).join() === other.uuid, "only the other app's order left open");
  });

  it('publishes a burst of 1,000 private events in a handful of snapshots, not one per event', async () => {
    const r = await simRig({ krw: '1000000000' });
    await waitFor(() => r.session.orders.getSnapshot().loaded && r.venue.privateStream?.status().state === 'live', 'the first read and the stream');
    let orderPublications = 0;
    let accountPublications = 0;
    r.session.orders.subscribe(() => orderPublications++);
    r.session.account.subscribe(() => accountPublications++);
    const started = performance.now();
    // 500 orders: a myOrder and a myAsset event each, 1,000 events in one burst.
    for (let i = 0; i < 500; i++) r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: String(50_000_000 + i * 1000), volume: '0.0001' });
    await waitFor(() => r.session.orders.getSnapshot().open.length === 500, 'the 500 orders in the store');
    await waitFor(() => selectKrw(r.session.account.getSnapshot()).locked.gt(0) && r.session.account.getSnapshot().balances.get('KRW')?.locked.eq(lockedOnExchange(r)), 'the last lock in the store');
    const elapsed = performance.now() - started;
    // 12 a second at most: one per 83 ms of the burst, and one to start.
    const bound = Math.ceil(elapsed / (1000 / 12)) + 1;
    expect(orderPublications).toBeLessThanOrEqual(bound);
    expect(accountPublications).toBeLessThanOrEqual(bound);
    expect(orderPublications + accountPublications).toBeLessThan(40);
  });
});

function lockedOnExchange(r: Awaited<ReturnType<typeof simRig>>): string {
  return r.server.exchange.balances(ACCOUNT.accessKey).find((b) => b.currency === 'KRW')?.locked.toFixed() ?? '0';
}
