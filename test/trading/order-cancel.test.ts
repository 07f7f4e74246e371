/**
 * `OrderService.cancel` says what the order is when the DELETE fails (issue 7 §4): a cancel
 * whose answer is lost (the retry then gets 404) is a cancelled order, not a failure; an order
 * that had already finished is refused with what it is; only a uuid the exchange does not
 * know is "no such order".
 */
import { afterEach, describe, expect, it } from 'vitest';

import { Money } from '../../src/trading/money.js';
import { OrderAlreadyFinishedError, type OrderIntent } from '../../src/trading/order-service.js';
import { OrderNotFoundError } from '../../src/upbit/rest/errors.js';
import { ACCOUNT, MARKET, RESTING_BUY, startSim, startStack, type Stack } from '../fixtures/trading/order-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DELETE_ORDER = { method: 'DELETE', path: '/v1/order' };
/** A limit buy above the market (95,000,000): it fills at once, ending `done`. */
const CROSSING_BUY: OrderIntent = { market: MARKET, side: 'bid', ordType: 'limit', price: new Money('100000000'), volume: new Money('0.0001') };

async function setUp() {
  const server = await startSim();
  cleanups.push(() => server.close());
  const s: Stack = startStack(server);
  cleanups.push(() => s.stop());
  await s.service.recover();
  return { server, s };
}

async function placed(s: Stack, intent: OrderIntent): Promise<{ uuid: string; identifier: string }> {
  const r = await s.service.place(intent, { source: 'cli' });
  if (r.status !== 'acked') throw new Error(`not acked: ${r.reason}`);
  return { uuid: r.order.uuid, identifier: r.identifier };
}

describe('OrderService.cancel when the DELETE fails', () => {
  it('a cancel whose answer was lost (the retry gets 404) is reported cancelled, from a lookup', { timeout: 20_000 }, async () => {
    const { server, s } = await setUp();
    const { uuid, identifier } = await placed(s, RESTING_BUY);
    // The first DELETE cancels the order but its answer is lost; the client's retry arrives
    // after the cancel completed (the exchange completes it 20 ms after accepting it) and gets 404.
    server.faults.nextHttp.push({ kind: 'dropAfter', match: DELETE_ORDER }, { kind: 'latency', latencyMs: 150, match: DELETE_ORDER });
    const order = await s.service.cancel({ uuid });
    expect(server.faults.nextHttp).toEqual([]);
    expect(order).toMatchObject({ uuid, state: 'cancel' });
    expect(server.exchange.list(ACCOUNT.accessKey, {}).find((o) => o.uuid === uuid)?.state).toBe('cancel');
    expect(s.journal.attemptByIdentifier(identifier)?.state).toBe('cancel');
  });

  it('an order that had already filled is refused with what it is: done, how much, at what average', { timeout: 20_000 }, async () => {
    const { server, s } = await setUp();
    const { uuid, identifier } = await placed(s, CROSSING_BUY);
    await waitFor(() => server.exchange.list(ACCOUNT.accessKey, {}).find((o) => o.uuid === uuid)?.state === 'done', 'the crossing buy to fill');
    const error = await s.service.cancel({ uuid }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderAlreadyFinishedError);
    expect((error as Error).message).toMatch(new RegExp(`^Order ${uuid} \\(identifier ${identifier}\\) is already done \\(filled 0\\.0001 KRW-BTC at an average [\\d,.]+ KRW\\); nothing to cancel\\.$`));
    expect((error as OrderAlreadyFinishedError).order).toMatchObject({ uuid, state: 'done' });
  });

  it('an order cancelled before is refused as already cancelled, by identifier too', { timeout: 20_000 }, async () => {
    const { server, s } = await setUp();
    const { uuid, identifier } = await placed(s, RESTING_BUY);
    await s.service.cancel({ uuid });
    await waitFor(() => server.exchange.list(ACCOUNT.accessKey, {}).find((o) => o.uuid === uuid)?.state === 'cancel', 'the cancel to complete');
    await expect(s.service.cancel({ identifier })).rejects.toThrow(`Order ${uuid} (identifier ${identifier}) is already cancelled (nothing filled); nothing to cancel.`);
  });

  it('a uuid the exchange does not know is still "not found"', { timeout: 20_000 }, async () => {
    const { s } = await setUp();
    await expect(s.service.cancel({ uuid: '00000000-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(OrderNotFoundError);
  });
});
