/**
 * The short read-back after placing: stops as soon as the order is finished or a limit rests
 * unchanged, never outlasts its deadline, and survives failed reads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { awaitFills } from '../../src/trading/await-fills.js';
import { Money } from '../../src/trading/decimal.js';
import { parseOrder, parseOrderWithTrades } from '../../src/upbit/rest/parse.js';
import { ConnectionError } from '../../src/upbit/rest/errors.js';
import type { OrderWithTrades } from '../../src/upbit/rest/types.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rest/v1');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

function venue(answers: Array<OrderWithTrades | Error>) {
  const calls: string[] = [];
  return {
    calls,
    getOrder: (ref: { uuid: string } | { identifier: string }): Promise<OrderWithTrades> => {
      calls.push('uuid' in ref ? ref.uuid : ref.identifier);
      const next = answers.length > 1 ? answers.shift() : answers[0];
      if (next === undefined) throw new Error('no answer scripted');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
}

describe('awaitFills', () => {
  it('a market buy answered "wait" is read back once it is finished (cancel, with its trade)', async () => {
    const posted = parseOrder(fixture('orders/POST-201-price.json'));
    const filled = parseOrderWithTrades(fixture('order/GET-200-price-cancel.json'));
    const still = { ...filled, state: 'wait' as const, executedVolume: new Money(0), trades: [] };
    const v = venue([still, filled]);
    const r = await awaitFills(v, posted, { pollMs: 5 });
    expect(r).toMatchObject({ refreshed: true, problem: null });
    expect(r.order.state).toBe('cancel');
    expect(r.order.executedVolume.toFixed()).toBe('0.00009713');
    expect(v.calls).toEqual([posted.uuid, posted.uuid]);
  });

  it('a limit that rests stops after two equal reads, long before the deadline', async () => {
    const resting = { ...parseOrder(fixture('orders/POST-201.json')), trades: [] };
    const v = venue([resting]);
    const r = await awaitFills(v, resting, { pollMs: 5, timeoutMs: 60_000 });
    expect(r.order.state).toBe('wait');
    expect(v.calls).toHaveLength(2);
    expect(r.waitedMs).toBeLessThan(10_000);
  });

  it('a limit still filling is read until its fills stop changing', async () => {
    const base = { ...parseOrder(fixture('orders/POST-201.json')), trades: [] };
    const part = (v: string, n: number) => ({ ...base, executedVolume: new Money(v), tradesCount: n });
    const v = venue([part('0', 0), part('0.0002', 1), part('0.0002', 1)]);
    const r = await awaitFills(v, base, { pollMs: 5 });
    expect(r.order.executedVolume.toFixed()).toBe('0.0002');
    expect(v.calls).toHaveLength(3);
  });

  it('a market order that does not finish ends at the deadline with what was read', async () => {
    const still = { ...parseOrderWithTrades(fixture('order/GET-200-price-cancel.json')), state: 'wait' as const };
    const v = venue([still]);
    const r = await awaitFills(v, still, { pollMs: 5, timeoutMs: 100 });
    expect(r.refreshed).toBe(true);
    expect(r.order.state).toBe('wait');
    expect(r.waitedMs).toBeGreaterThanOrEqual(100);
    expect(r.waitedMs).toBeLessThan(5_000);
  });

  it('failed reads are retried; when none succeeds the POST answer is kept with the reason', async () => {
    const posted = parseOrder(fixture('orders/POST-201-price.json'));
    const down = new ConnectionError('Upbit closed the connection before answering', { upbitName: null, status: null, retryable: true });
    const v = venue([down]);
    const r = await awaitFills(v, posted, { pollMs: 5, timeoutMs: 100 });
    expect(r).toMatchObject({ refreshed: false, problem: 'Upbit closed the connection before answering' });
    expect(r.order).toBe(posted);
    expect(v.calls.length).toBeGreaterThan(1);
  });

  it('an interrupt ends the wait at once', async () => {
    const still = { ...parseOrderWithTrades(fixture('order/GET-200-price-cancel.json')), state: 'wait' as const };
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const r = await awaitFills(venue([still]), still, { signal: controller.signal, timeoutMs: 60_000 });
    expect(r.refreshed).toBe(false);
    expect(r.waitedMs).toBeLessThan(5_000);
  });
});
