/**
 * The session's pre-trade check runs from cached and streamed state, with no REST call (the
 * simulator's requests are counted), and says what to do; the one order intent's market-buy
 * total reaches the wire as Upbit's `price` with `ord_type=price`, and only there.
 */
import diagnostics from 'node:diagnostics_channel';

import { afterEach, describe, expect, it } from 'vitest';

import { Money, checkOrder, type OrderDraft } from '../../../src/trading/money.js';
import { toRequest, type OrderIntent } from '../../../src/trading/order-request.js';
import { InvalidOrderError } from '../../../src/trading/order-service.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ACCOUNT, MARKET, PRICE, simRig, stopAll } from './session-harness.js';

afterEach(stopAll);

/** A session whose first read and the read after the stream connected are done: nothing more is read unless asked. */
async function readyRig() {
  const r = await simRig();
  let connected = false;
  r.venue.onReconnected(() => (connected = true));
  await waitFor(() => connected, 'the private stream');
  await r.session.synced();
  await r.session.prepare(MARKET);
  return r;
}

describe('trading session: the pre-trade check', () => {
  it('refuses, saying what to do, a total below the minimum, more than the available KRW and an off-tick price, and accepts a valid order: all without a REST call', async () => {
    const r = await readyRig();
    r.session.setQuotes({ lastPrice: () => PRICE });
    const before = r.requests.length;
    const check = (d: OrderDraft) => r.session.check(d);

    const below = check({ market: MARKET, side: 'bid', ordType: 'price', total: '4000' });
    expect(below.ok).toBe(false);
    expect(below.problems.map((p) => [p.code, p.message])).toEqual([
      ['below_min_total', "Total 4,000 KRW is below Upbit's 5,000 KRW minimum; raise the total to at least 5,000 KRW."],
    ]);

    // 1,000,000 KRW available: 999,500 KRW plus the 0.05 % fee is the most a market buy can spend.
    const tooMuch = check({ market: MARKET, side: 'bid', ordType: 'price', total: '1000000' });
    expect(tooMuch.problems.map((p) => p.code)).toEqual(['insufficient_funds']);
    expect(tooMuch.problems[0]?.message).toContain('only 1,000,000 KRW is available; lower the total to at most 999,500 KRW.');

    const offTick = check({ market: MARKET, side: 'bid', ordType: 'limit', price: '95000500', volume: '0.0001' });
    expect(offTick.problems.map((p) => p.code)).toEqual(['off_tick']);
    expect(offTick.problems[0]?.message).toContain('use 95,000,000 KRW (rounded down for a buy)');

    const valid = check({ market: MARKET, side: 'bid', ordType: 'limit', price: '95000000', volume: '0.0001' });
    expect(valid).toEqual({ ok: true, problems: [], caveats: [] });

    // Every keystroke of a ticket: still no request.
    for (let i = 0; i < 1_000; i++) check({ market: MARKET, side: 'bid', ordType: 'price', total: String(5_000 + i) });
    // Anything a check had sent would reach the simulator before a request sent after it.
    await r.venue.tickers([MARKET]);
    expect(r.requests.slice(before)).toEqual(['GET /v1/ticker']);
  });

  it("uses the balances the stream just told, and the exchange's rules once prepared", async () => {
    const r = await readyRig();
    const affordable: OrderDraft = { market: MARKET, side: 'bid', ordType: 'price', total: '600000' };
    expect(r.session.check(affordable).ok).toBe(true);
    // Another front end spends most of the KRW: the stream says so, the next check knows it.
    r.server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '50000000', volume: '0.01' });
    await waitFor(() => !r.session.check(affordable).ok, 'the check to see the locked KRW');
    expect(r.session.check(affordable).problems.map((p) => p.code)).toEqual(['insufficient_funds']);
  });

  it('says what it could not vouch for before the balances and the market were read', async () => {
    const r = await simRig({ session: {} });
    // Synchronously after construction: nothing read yet.
    const early = r.session.check({ market: 'KRW-ETH', side: 'bid', ordType: 'price', total: '10000' });
    expect(early.ok).toBe(true);
    expect(early.caveats.join(' ')).toMatch(/KRW-ETH's fees, minimum and price step were not read .*Balances were not read yet/);
  });

  it('place() refuses what the check refuses: nothing journalled, nothing sent', async () => {
    const r = await readyRig();
    const before = r.requests.filter((q) => q === 'POST /v1/orders').length;
    await expect(r.session.place({ market: MARKET, side: 'bid', ordType: 'price', total: new Money('2000000') })).rejects.toBeInstanceOf(InvalidOrderError);
    expect(r.journal.intents()).toEqual([]);
    expect(r.requests.filter((q) => q === 'POST /v1/orders').length).toBe(before);
  });
});

describe('the order intent at the wire', () => {
  it("sends a market buy's total as Upbit's price with ord_type price, and keeps it a total everywhere else", async () => {
    const r = await readyRig();
    const bodies: string[] = [];
    const onCreate = (message: unknown): void => {
      const { request } = message as { request: { method: string; path: string; body: unknown } };
      if (request.method === 'POST' && request.path.startsWith('/v1/orders')) bodies.push(String(request.body));
    };
    diagnostics.subscribe('undici:request:create', onCreate);
    let placed;
    try {
      placed = await r.session.place({ market: MARKET, side: 'bid', ordType: 'price', total: new Money('7000') });
    } finally {
      diagnostics.unsubscribe('undici:request:create', onCreate);
    }
    expect(bodies.map((b) => JSON.parse(b) as Record<string, unknown>)).toEqual([{ market: MARKET, side: 'bid', ord_type: 'price', price: '7000', identifier: placed.identifier }]);
    // The journal, the orders store and the exchange's record: a total of 7,000 KRW, no unit price.
    const attempt = r.journal.attemptByIdentifier(placed.identifier);
    expect([attempt?.intent.price, attempt?.intent.total, attempt?.intent.volume]).toEqual([null, '7000', null]);
    await waitFor(() => r.session.orders.getSnapshot().attempts.some((a) => a.identifier === placed.identifier), 'the attempt in the store');
    expect(r.session.orders.getSnapshot().attempts.find((a) => a.identifier === placed.identifier)).toMatchObject({ ordType: 'price', price: null, total: '7000' });
    const onExchange = r.server.exchange.get(ACCOUNT.accessKey, { identifier: placed.identifier });
    expect([onExchange.ordType, onExchange.price?.toFixed()]).toEqual(['price', '7000']);
  });

  it('maps each order type to the wire fields it takes, and only a buy by total uses price for the spend', () => {
    const d = (v: string) => new Money(v);
    const cases: Array<[OrderIntent, Record<string, string | undefined>]> = [
      [{ market: MARKET, side: 'bid', ordType: 'price', total: d('10000') }, { price: '10000', volume: undefined, timeInForce: undefined }],
      [{ market: MARKET, side: 'bid', ordType: 'best', total: d('10000'), timeInForce: 'ioc' }, { price: '10000', volume: undefined, timeInForce: 'ioc' }],
      [{ market: MARKET, side: 'ask', ordType: 'best', volume: d('0.1'), timeInForce: 'fok' }, { price: undefined, volume: '0.1', timeInForce: 'fok' }],
      [{ market: MARKET, side: 'ask', ordType: 'market', volume: d('0.1') }, { price: undefined, volume: '0.1', timeInForce: undefined }],
      [{ market: MARKET, side: 'ask', ordType: 'limit', price: d('95000000'), volume: d('0.1') }, { price: '95000000', volume: '0.1', timeInForce: undefined }],
    ];
    for (const [intent, wire] of cases) {
      const request = toRequest(intent, 'id-1');
      expect({ price: request.price?.toFixed(), volume: request.volume?.toFixed(), timeInForce: request.timeInForce }).toEqual(wire);
    }
    // A draft that puts the spend in `price` is refused by the check, not silently sent.
    const misnamed = { market: MARKET, side: 'bid', ordType: 'price', price: '10000' } as const;
    expect(new Set(checkOrder(misnamed).map((p) => p.code))).toEqual(new Set(['missing', 'not_allowed']));
  });
});
