/**
 * The order path against the embedded exchange on port 0 with its HTTP fault injection: every
 * fault mode ends with 0 duplicate and 0 untracked orders, nothing left pending, and the
 * journal agreeing with the exchange.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../src/sim/index.js';
import type { HttpFaultOnce } from '../../src/sim/faults.js';
import { Money } from '../../src/trading/money.js';
import { InvalidOrderError, NotReadyError, OrderNotPlacedError, ShuttingDownError, type PlaceResult } from '../../src/trading/order-service.js';
import { accountIdOf } from '../../src/trading/rest-venue.js';
import type { Venue } from '../../src/trading/venue.js';
import { RateLimitError, UserActionError } from '../../src/upbit/rest/errors.js';
import { ACCOUNT, CLEAN, HEADERS_TIMEOUT_MS, MARKET, MARKET_BUY, RESTING_BUY, audit, delegate, startSim, startStack, type Stack } from '../fixtures/trading/order-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(): Promise<SimServer> {
  const server = await startSim();
  cleanups.push(() => server.close());
  return server;
}

function stack(server: SimServer, opts: Parameters<typeof startStack>[1] = {}): Stack {
  const s = startStack(server, opts);
  cleanups.push(() => s.stop());
  return s;
}

async function ready(server: SimServer, opts: Parameters<typeof startStack>[1] = {}): Promise<Stack> {
  const s = stack(server, opts);
  await s.service.recover();
  return s;
}

const POST_ORDERS = { method: 'POST', path: '/v1/orders' };

/** Place and report what happened, without throwing. */
async function attempt(s: Stack, intent = RESTING_BUY): Promise<PlaceResult | Error> {
  try {
    return await s.service.place(intent, { source: 'cli' });
  } catch (error) {
    return error as Error;
  }
}

/** Subscribe-confirmation by effect: place direct (non-journal) orders until the stream delivers one. */
async function streamLive(server: SimServer, s: Stack): Promise<Set<string>> {
  const heard = new Set<string>();
  const off = s.venue.onOrderEvent((e) => heard.add(e.uuid));
  const placed = new Set<string>();
  try {
    await waitFor(() => {
      placed.add(server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '40000000', volume: '0.0002' }).uuid);
      return [...placed].some((u) => heard.has(u));
    }, 'the private stream to deliver an order event');
  } finally {
    off();
  }
  return placed;
}

/** Wait until the exchange has finished the order and the journal holds its terminal state; returns the exchange's order. */
async function finished(server: SimServer, s: Stack, identifier: string) {
  return waitFor(() => {
    const order = server.exchange.list(ACCOUNT.accessKey, {}).find((o) => o.identifier === identifier);
    if (order === undefined || (order.state !== 'done' && order.state !== 'cancel')) return undefined;
    return s.journal.attemptByIdentifier(identifier)?.state === order.state ? order : undefined;
  }, 'the order to finish and be journalled');
}

describe('OrderService basics', () => {
  it('refuses to place before recover(), then places and journals an ack', async () => {
    const server = await sim();
    const s = stack(server);
    expect(s.service.ready).toBe(false);
    await expect(s.service.place(RESTING_BUY, { source: 'cli' })).rejects.toBeInstanceOf(NotReadyError);
    expect(s.journal.intents()).toEqual([]);
    expect(await s.service.recover()).toEqual({ resolved: 0, stillUnknown: [], orders: [] });
    expect(s.service.ready).toBe(true);
    const result = await s.service.place(RESTING_BUY, { source: 'cli' });
    expect(result.status).toBe('acked');
    const a = s.journal.attemptByIdentifier(result.identifier);
    expect(a).toMatchObject({ state: 'acked', uuid: result.status === 'acked' ? result.order.uuid : null });
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: 1 });
  });

  it('uses a hash of the access key as the account id, never the key', async () => {
    const server = await sim();
    const s = stack(server, { run: false });
    expect(s.venue.accountId).toBe(accountIdOf(ACCOUNT.accessKey));
    expect(s.venue.accountId).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(s.journal.meta())).not.toContain(ACCOUNT.accessKey);
  });

  it('rejects an order that breaks the rules before journalling anything', async () => {
    const server = await sim();
    const s = await ready(server);
    await expect(s.service.place({ ...RESTING_BUY, price: new Money('50000001') }, { source: 'ui' })).rejects.toBeInstanceOf(InvalidOrderError);
    expect(s.journal.intents()).toEqual([]);
  });

  it('journals an exchange refusal as rejected and throws it', async () => {
    const server = await sim();
    const s = await ready(server);
    const sell = { market: MARKET, side: 'ask' as const, ordType: 'limit' as const, price: new Money('200000000'), volume: new Money('0.001') };
    const error = await attempt(s, sell);
    expect(error).toBeInstanceOf(UserActionError);
    const [intent] = s.journal.intents();
    expect(intent?.attempts.map((a) => [a.state, a.error?.name])).toEqual([['rejected', 'insufficient_funds_ask']]);
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: 0 });
  });

  it('cancelAllMine cancels only the journal’s open orders and reconcile journals the cancels', async () => {
    const server = await sim();
    const s = await ready(server);
    const mine = [await s.service.place(RESTING_BUY, { source: 'ui' }), await s.service.place(RESTING_BUY, { source: 'ui' })];
    const foreign = server.exchange.place(ACCOUNT.accessKey, { market: MARKET, side: 'bid', ord_type: 'limit', price: '40000000', volume: '0.0002' });
    const { cancelled, failed } = await s.service.cancelAllMine({ market: MARKET });
    expect(failed).toEqual([]);
    expect(cancelled.map((o) => o.identifier).sort()).toEqual(mine.map((r) => r.identifier).sort());
    await waitFor(() => server.exchange.list(ACCOUNT.accessKey, { states: ['wait'] }).length === 1, 'the exchange to finish the cancels');
    expect(server.exchange.list(ACCOUNT.accessKey, { states: ['wait'] }).map((o) => o.uuid)).toEqual([foreign.uuid]);
    await waitFor(async () => {
      await s.service.reconcile();
      return s.journal.openAttempts().length === 0;
    }, 'the cancels to be journalled');
    expect(mine.map((r) => s.journal.attemptByIdentifier(r.identifier)?.state)).toEqual(['cancel', 'cancel']);
    expect(audit(server, s.journal, new Set([foreign.uuid]))).toMatchObject(CLEAN);
  });
});

describe('recover() refreshes acked orders', () => {
  it('fills and the terminal state that happened while the app was down are journalled at start-up', async () => {
    const server = await sim();
    const first = await ready(server);
    const placed = await first.service.place(RESTING_BUY, { source: 'ui' });
    const file = first.journal.file;
    await first.stop();
    // While nobody watches, the market trades through the bid.
    server.engine.scriptTrade(MARKET, 49_000_000, { volume: 1, askBid: 'ASK' });
    const order = await waitFor(() => server.exchange.list(ACCOUNT.accessKey, {}).find((o) => o.identifier === placed.identifier && o.state === 'done'), 'the bid to fill');
    const s = stack(server, { file });
    expect(s.journal.attemptByIdentifier(placed.identifier)?.state).toBe('acked');
    expect(await s.service.recover()).toEqual({ resolved: 0, stillUnknown: [], orders: [] });
    const attempt = s.journal.attemptByIdentifier(placed.identifier);
    expect(attempt?.state).toBe('done');
    expect(attempt?.fills.map((f) => f.tradeUuid)).toEqual(order.trades.map((t) => t.uuid));
    expect(attempt?.executed?.volume).toBe(order.executedVolume.toFixed());
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: 1 });
  });
});

describe('every HTTP fault on POST /v1/orders: 0 duplicates, 0 untracked', () => {
  type Expected = 'acked' | 'not_placed' | 'rate_limited';
  const cases: Array<[string, HttpFaultOnce, Expected, string]> = [
    ['drop before processing', { kind: 'dropBefore', match: POST_ORDERS }, 'not_placed', 'not_found'],
    ['drop after commit', { kind: 'dropAfter', match: POST_ORDERS }, 'acked', 'acked'],
    ['delayed past the client deadline', { kind: 'latency', latencyMs: HEADERS_TIMEOUT_MS * 3, match: POST_ORDERS }, 'not_placed', 'not_found'],
    ['connection reset', { kind: 'reset', match: POST_ORDERS }, 'not_placed', 'not_found'],
    ['429', { kind: 'status429', match: POST_ORDERS }, 'rate_limited', 'rejected'],
    ['418', { kind: 'status418', match: POST_ORDERS }, 'rate_limited', 'rejected'],
    ['500', { kind: 'status5xx', status: 500, match: POST_ORDERS }, 'not_placed', 'not_found'],
    ['503', { kind: 'status5xx', status: 503, match: POST_ORDERS }, 'not_placed', 'not_found'],
  ];

  it.each(cases)('%s', async (_name, fault, expected, state) => {
    const server = await sim();
    const s = await ready(server);
    server.faults.nextHttp.push(fault);
    const result = await attempt(s);
    if (expected === 'acked') expect(result).toMatchObject({ status: 'acked' });
    if (expected === 'not_placed') expect(result).toBeInstanceOf(OrderNotPlacedError);
    if (expected === 'rate_limited') expect(result).toBeInstanceOf(RateLimitError);
    const [intent] = s.journal.intents();
    expect(intent?.attempts.map((a) => a.state)).toEqual([state]);
    expect(server.faults.nextHttp).toEqual([]);
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: expected === 'acked' ? 1 : 0 });
    if (fault.kind !== 'status418') {
      // The service still works after the fault.
      expect(await attempt(s)).toMatchObject({ status: 'acked' });
      expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: expected === 'acked' ? 2 : 1 });
    }
  });
});

describe('myOrder events racing the POST answer', () => {
  it('an event before the POST response acks the attempt; the answer duplicates nothing', async () => {
    const server = await sim();
    // The POST's answer is held back until the stream's event has acked the attempt.
    const wrapVenue = (v: Venue, journal: Stack['journal']): Venue =>
      delegate(v, {
        placeOrder: async (order, options) => {
          const answer = await v.placeOrder(order, options);
          await waitFor(() => journal.attemptByIdentifier(order.identifier)?.state !== 'pending', 'the myOrder event to ack the attempt');
          return answer;
        },
      });
    const s = await ready(server, { stream: true, wrapVenue });
    const warmUp = await streamLive(server, s);
    const result = await s.service.place(MARKET_BUY, { source: 'ui' });
    expect(result.status).toBe('acked');
    const events = s.journal.events(result.identifier);
    expect(events.filter((e) => e.to === 'acked')).toHaveLength(1);
    const exchangeOrder = await finished(server, s, result.identifier);
    expect(exchangeOrder?.trades.length).toBeGreaterThan(0);
    expect(s.journal.attemptByIdentifier(result.identifier)?.fills.map((f) => f.tradeUuid).sort()).toEqual(exchangeOrder?.trades.map((t) => t.uuid).sort());
    expect(audit(server, s.journal, warmUp)).toMatchObject({ ...CLEAN, orders: 1 });
  });

  it('drop after commit with the stream up: acked once, fills once', async () => {
    const server = await sim();
    const s = await ready(server, { stream: true });
    const warmUp = await streamLive(server, s);
    server.faults.nextHttp.push({ kind: 'dropAfter', match: POST_ORDERS });
    const result = await s.service.place(MARKET_BUY, { source: 'ui' });
    expect(result.status).toBe('acked');
    const exchangeOrder = await finished(server, s, result.identifier);
    const fills = s.journal.attemptByIdentifier(result.identifier)?.fills ?? [];
    expect(fills.map((f) => f.tradeUuid).sort()).toEqual(exchangeOrder?.trades.map((t) => t.uuid).sort());
    // Whether the stream's event or the dropped connection is noticed first is a race; either way one ack.
    const path = s.journal.events(result.identifier).map((e) => e.to);
    expect([
      ['pending', 'acked', exchangeOrder.state],
      ['pending', 'unknown', 'acked', exchangeOrder.state],
    ]).toContainEqual(path);
    expect(audit(server, s.journal, warmUp)).toMatchObject({ ...CLEAN, orders: 1 });
  });
});

describe('shutdown', () => {
  it('beginShutdown during an in-flight placement: no second order, the ack is journalled', async () => {
    const server = await sim();
    const s = await ready(server);
    server.faults.nextHttp.push({ kind: 'latency', latencyMs: HEADERS_TIMEOUT_MS / 2, match: POST_ORDERS });
    const first = s.service.place(RESTING_BUY, { source: 'monitor' });
    await waitFor(() => s.journal.intents()[0]?.attempts[0]?.state === 'pending', 'the attempt to be journalled pending');
    s.service.beginShutdown();
    expect(s.service.ready).toBe(false);
    await expect(s.service.place(RESTING_BUY, { source: 'monitor' })).rejects.toBeInstanceOf(ShuttingDownError);
    await s.service.drain(2_000);
    await expect(first).resolves.toMatchObject({ status: 'acked' });
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: 1 });
  });

  it('an answer later than the drain deadline is journalled unknown, and the next start resolves it', async () => {
    const server = await sim();
    const s = await ready(server);
    server.faults.nextHttp.push({ kind: 'latency', latencyMs: HEADERS_TIMEOUT_MS / 2, match: POST_ORDERS });
    const first = s.service.place(RESTING_BUY, { source: 'monitor' });
    await waitFor(() => s.journal.intents()[0]?.attempts[0]?.state === 'pending', 'the attempt to be journalled pending');
    s.service.beginShutdown();
    await s.service.drain(20);
    const [a] = s.journal.intents()[0]?.attempts ?? [];
    expect(a?.state).toBe('unknown');
    await expect(first).resolves.toMatchObject({ status: 'unknown', identifier: a?.identifier });
    const file = s.journal.file;
    await s.stop();
    const restarted = stack(server, { file });
    expect(await restarted.service.recover()).toEqual({
      resolved: 1,
      stillUnknown: [],
      // What the command then tells the user: the order it had lost track of was never placed.
      orders: [{ identifier: a?.identifier, uuid: null, market: MARKET, side: 'bid', ordType: 'limit', price: '50000000', volume: '0.0002', total: null, outcome: 'not_placed', state: null, executedVolume: null }],
    });
    expect(audit(server, restarted.journal)).toMatchObject(CLEAN);
    expect(server.exchange.list(ACCOUNT.accessKey, {})).toHaveLength(0);
  });
});
