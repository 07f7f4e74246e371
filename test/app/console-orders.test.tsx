/**
 * Keys that act on open orders, against the built-in exchange (test/fixtures/app/console-harness.tsx):
 * `d` on a watchlist market with open orders asks first; `C` in Orders cancels every open order
 * this app placed, and none that another client of the same account placed. What happened is
 * read back from the exchange over REST, not only from the screen.
 */
import { randomUUID } from 'node:crypto';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Money } from '../../src/trading/decimal.js';
import { selectMyOpenOrders, selectOpenOrders } from '../../src/trading/session/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { frameWhere } from '../ui/ink-helpers.js';
import { KEYS, openConsole, type ConsoleHarness } from '../fixtures/app/console-harness.js';

let c: ConsoleHarness | null = null;
afterEach(async () => {
  cleanup();
  await c?.close();
  c = null;
});

const priced = (market: string) => (f: string): boolean => new RegExp(`^${market.slice(4)}/KRW.*\\d{1,3}(,\\d{3}){2}`, 'm').test(f);

/** A limit buy far under the market, so it rests: through the session, as the ticket sends it. */
async function restingBuy(h: ConsoleHarness, market: string, price: string): Promise<string> {
  const session = h.trading.session;
  if (session === undefined) throw new Error('no trading session');
  const result = await session.place({ market, side: 'bid', ordType: 'limit', price: new Money(price), volume: new Money('0.01') });
  if (result.status !== 'acked') throw new Error(`not placed: ${result.status}`);
  return result.order.uuid;
}

describe('d with open orders, against the embedded exchange', () => {
  it('asks first, over the watchlist; n keeps the market, d then y removes it (its order stays open on the exchange)', async () => {
    // Wide enough for the whole question.
    c = await openConsole(['KRW-BTC', 'KRW-ETH'], { columns: 140, rows: 24 });
    await frameWhere(c.app.lastFrame, priced('KRW-ETH'), 'prices of KRW-ETH');
    const uuid = await restingBuy(c, 'KRW-ETH', '1000000');
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot(), 'KRW-ETH').length === 1, 'the order in the orders store');
    await c.type(KEYS.down);
    await frameWhere(c.app.lastFrame, (f) => f.includes('ETH/KRW   <'), 'KRW-ETH selected');
    const question = 'Remove KRW-ETH from the watchlist? It has 1 open order, which stays open on the exchange. y: remove  n/Esc: keep';
    await c.type('d');
    const asking = await frameWhere(c.app.lastFrame, (f) => f.includes(question), 'the question');
    // The question is on the bottom line; the watchlist stays drawn above it.
    expect(asking).toMatch(/^BTC\/KRW .*\d{1,3}(,\d{3}){2}/m);
    expect(asking).toMatch(/^ETH\/KRW {3}< .*\d{1,3}(,\d{3}){2}/m);
    expect(asking).not.toMatch(/more \(enlarge the terminal/);
    expect(c.watchlist.markets).toEqual(['KRW-BTC', 'KRW-ETH']);
    await c.type('n');
    const kept = await frameWhere(c.app.lastFrame, (f) => !f.includes(question), 'the question answered');
    expect(kept).toContain('ETH/KRW   <');
    expect(c.watchlist.markets).toEqual(['KRW-BTC', 'KRW-ETH']);
    await c.type('d');
    await frameWhere(c.app.lastFrame, (f) => f.includes(question), 'the question again');
    await c.type('y');
    await frameWhere(c.app.lastFrame, (f) => !f.includes('ETH/KRW') && priced('KRW-BTC')(f), 'KRW-ETH gone');
    expect(c.watchlist.markets).toEqual(['KRW-BTC']);
    expect((await c.other.getOrder({ uuid })).state).toBe('wait');
  });

  it('without open orders d removes the market at once', async () => {
    c = await openConsole(['KRW-BTC', 'KRW-ETH']);
    await frameWhere(c.app.lastFrame, priced('KRW-ETH'), 'prices of KRW-ETH');
    // An order on the other market does not make this one ask.
    await restingBuy(c, 'KRW-BTC', '1000000');
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot(), 'KRW-BTC').length === 1, 'the order in the orders store');
    await c.type(`${KEYS.down}d`);
    const frame = await frameWhere(c.app.lastFrame, (f) => !f.includes('ETH/KRW'), 'KRW-ETH gone');
    expect(frame).not.toContain('Remove KRW-ETH');
    expect(c.watchlist.markets).toEqual(['KRW-BTC']);
  });
});

describe('C in Orders, against the embedded exchange', () => {
  it("asks, then cancels both of this app's open orders at the exchange and not another client's", async () => {
    c = await openConsole(['KRW-BTC', 'KRW-ETH']);
    await frameWhere(c.app.lastFrame, priced('KRW-ETH'), 'prices of KRW-ETH');
    const mine = [await restingBuy(c, 'KRW-BTC', '1000000'), await restingBuy(c, 'KRW-ETH', '1000000')];
    // The same account from elsewhere (the CLI of another install, Upbit's own app): not in this app's journal.
    const theirs = await c.other.placeOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: new Money('2000000'), volume: new Money('0.01'), identifier: `elsewhere-${randomUUID()}` });
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot()).length === 3, "all three open orders in the orders store (the other client's from the private stream)");
    await waitFor(() => selectMyOpenOrders(c!.trading.orders.getSnapshot()).length === 2, "two of them this app's (the journal read in)");
    await c.type('o');
    await frameWhere(c.app.lastFrame, (f) => /2,000,000/.test(f) && /1,000,000/.test(f), 'the three orders in Orders');
    const question = 'Cancel all 2 open orders this app placed? y: cancel them  n/Esc: keep them';
    await c.type('C');
    await frameWhere(c.app.lastFrame, (f) => f.includes(question), 'the question');
    await c.type('y');
    await waitFor(async () => (await Promise.all(mine.map((uuid) => c!.other.getOrder({ uuid })))).every((o) => o.state === 'cancel'), 'both of ours cancelled at the exchange');
    expect((await c.other.getOrder({ uuid: theirs.uuid })).state).toBe('wait');
    expect((await c.other.openOrders()).map((o) => o.uuid)).toEqual([theirs.uuid]);
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot()).length === 1, 'one open order left in the store');
    await c.type('l');
    await frameWhere(c.app.lastFrame, (f) => f.includes('Cancelled 2 open orders this app placed.'), 'the log pane');
  });
});

describe('C right after placing, against a simulator that holds the account read', () => {
  it("counts an order placed a moment ago as this app's, before the orders store has read the journal again", async () => {
    c = await openConsole(['KRW-BTC'], { sim: { seed: 13 } });
    await frameWhere(c.app.lastFrame, priced('KRW-BTC'), 'prices of KRW-BTC');
    await waitFor(() => c!.trading.orders.getSnapshot().loaded, 'the first read of the orders');
    // The session reads the journal into the store after its REST reads: the exchange sits on
    // the next account read, so the store cannot know yet that the order is this app's.
    c.sim?.faults.nextHttp.push({ kind: 'latency', latencyMs: 60_000, match: { method: 'GET', path: '/v1/accounts' } });
    const uuid = await restingBuy(c, 'KRW-BTC', '1000000');
    await c.type('o');
    await frameWhere(c.app.lastFrame, (f) => /1,000,000/.test(f), 'the order in Orders');
    expect(selectMyOpenOrders(c.trading.orders.getSnapshot())).toEqual([]);
    await c.type('C');
    await frameWhere(c.app.lastFrame, (f) => f.includes('Cancel all 1 open order this app placed?'), 'the question');
    await c.type('y');
    await waitFor(async () => (await c!.other.getOrder({ uuid })).state === 'cancel', 'the order cancelled at the exchange');
  });
});
