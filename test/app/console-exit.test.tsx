/**
 * Quitting with orders (test/fixtures/app/console-harness.tsx, against the built-in exchange):
 * Ctrl+C refuses new orders at once; with this app's orders open it asks whether to leave them
 * (Enter, or after the timeout) or cancel them (c), and a second Ctrl+C quits at once; q while
 * an order is being sent asks first, from the help overlay too. What the UI asks of the kernel
 * is recorded by the harness (`calls`); the kernel's own exit paths are the pty tests'.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { selectOpenOrders } from '../../src/trading/session/index.js';
import { ShuttingDownError } from '../../src/trading/order-service.js';
import { Money } from '../../src/trading/decimal.js';
import { waitFor } from '../helpers/wait-for.js';
import { frameWhere } from '../ui/ink-helpers.js';
import { KEYS, openConsole, type ConsoleHarness } from '../fixtures/app/console-harness.js';

let c: ConsoleHarness | null = null;
afterEach(async () => {
  cleanup();
  await c?.close();
  c = null;
});

const priced = (f: string): boolean => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f);

async function withRestingBuy(opts: Parameters<typeof openConsole>[1] = {}): Promise<ConsoleHarness> {
  const h = await openConsole(['KRW-BTC'], opts);
  await frameWhere(h.app.lastFrame, priced, 'prices');
  await h.type(`b${KEYS.ctrlU}1000000${KEYS.tab}0.01${KEYS.enter}`);
  await frameWhere(h.app.lastFrame, (f) => f.includes('Press y to send'), 'the confirmation');
  await h.type('y');
  await waitFor(() => selectOpenOrders(h.trading.orders.getSnapshot())[0], 'the order open');
  await h.type(KEYS.esc);
  return h;
}

describe('Ctrl+C with open orders, against the embedded exchange', () => {
  it('without open orders of this app, Ctrl+C quits at once', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, priced, 'prices');
    c.app.stdin.write(KEYS.ctrlC);
    await waitFor(() => c!.calls.length > 0, 'the interrupt');
    expect(c.calls).toEqual(['interrupt']);
  });

  it('refuses new orders at once and asks; Enter leaves the order open and quits', async () => {
    c = await withRestingBuy();
    c.app.stdin.write(KEYS.ctrlC);
    await frameWhere(c.app.lastFrame, (f) => /Quitting: 1 open order\. Enter leave it \(\ds\) {2}c cancel it {2}ctrl\+c now/.test(f), 'the exit question');
    expect(c.calls).toEqual([]);
    await expect(c.trading.session?.place({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: new Money('1000000'), volume: new Money('0.01') })).rejects.toBeInstanceOf(ShuttingDownError);
    await c.type(KEYS.enter);
    await waitFor(() => c!.calls.length > 0, 'the interrupt');
    expect(c.calls).toEqual(['interrupt']);
    expect(selectOpenOrders(c.trading.orders.getSnapshot())).toHaveLength(1);
  });

  it('c cancels this app\'s open orders, then quits', async () => {
    c = await withRestingBuy();
    c.app.stdin.write(KEYS.ctrlC);
    await frameWhere(c.app.lastFrame, (f) => f.includes('Quitting: '), 'the exit question');
    await c.type('c');
    await waitFor(() => c!.calls.length > 0, 'the interrupt', 8000);
    expect(c.calls).toEqual(['interrupt']);
    await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot()).length === 0, 'the order cancelled');
    expect(c.audit.getSnapshot().entries.map((e) => e.text)).toContain('Quitting: cancelled 1 open order this app placed.');
  });

  it('the question leaves the view under it drawn: the task list stays on screen while it asks', async () => {
    c = await withRestingBuy({ tasks: true });
    await c.type('t');
    await frameWhere(c.app.lastFrame, (f) => f.includes('order-service'), 'the task list');
    c.app.stdin.write(KEYS.ctrlC);
    const asking = await frameWhere(c.app.lastFrame, (f) => f.includes('Quitting: '), 'the exit question');
    expect(asking).toContain('order-service');
    expect(asking).toContain('trading-session');
  });

  it('a second Ctrl+C while it asks quits at once', async () => {
    c = await withRestingBuy();
    c.app.stdin.write(KEYS.ctrlC);
    await frameWhere(c.app.lastFrame, (f) => f.includes('Quitting: '), 'the exit question');
    c.app.stdin.write(KEYS.ctrlC);
    await waitFor(() => c!.calls.length >= 2, 'the forced exit');
    // The kernel's interrupt twice: a graceful start, then the forced exit.
    expect(c.calls).toEqual(['interrupt', 'interrupt']);
  });

  it('with no answer the question takes its default (leave, quit) after 5 s', async () => {
    c = await withRestingBuy();
    const at = Date.now();
    c.app.stdin.write(KEYS.ctrlC);
    await frameWhere(c.app.lastFrame, (f) => f.includes('Quitting: '), 'the exit question');
    await waitFor(() => c!.calls.length > 0, 'the default', 8000);
    expect(c.calls).toEqual(['interrupt']);
    expect(Date.now() - at).toBeGreaterThanOrEqual(4500);
    expect(selectOpenOrders(c.trading.orders.getSnapshot())).toHaveLength(1);
  });
});

describe('q while an order is being sent, against a simulator that holds the order request', () => {
  it('asks first, and so does q on the help overlay; y then quits', async () => {
    c = await openConsole(['KRW-BTC'], { sim: { seed: 11 } });
    await frameWhere(c.app.lastFrame, priced, 'prices');
    // The exchange sits on the next order request well past the test: the order stays in flight
    // until it is answered, and the test decides when it looks, not a timer.
    c.sim?.faults.nextHttp.push({ kind: 'latency', latencyMs: 60_000, match: { method: 'POST', path: '/v1/orders' } });
    await c.type(`b${KEYS.ctrlU}1000000${KEYS.tab}0.01${KEYS.enter}`);
    await frameWhere(c.app.lastFrame, (f) => f.includes('Press y to send'), 'the confirmation');
    await c.type('y');
    await waitFor(() => c!.trading.session?.inFlight() === 1, 'the order in flight');
    const asked = (f: string): boolean => f.includes('An order is being sent; its answer is journalled either way. Quit now? y: quit  n/Esc: stay');
    await c.type('q');
    await frameWhere(c.app.lastFrame, asked, 'the question');
    expect(c.calls).toEqual([]);
    await c.type('n');
    await frameWhere(c.app.lastFrame, (f) => !asked(f) && f.includes('BUY BTC/KRW'), 'the ticket again');
    await c.type('?');
    await frameWhere(c.app.lastFrame, (f) => f.includes('Keys on the order ticket'), 'help');
    await c.type('q');
    await frameWhere(c.app.lastFrame, asked, 'the question, from help');
    expect(c.calls).toEqual([]);
    expect(c.trading.session?.inFlight()).toBe(1);
    await c.type('y');
    await waitFor(() => c!.calls.length > 0, 'the quit');
    expect(c.calls).toEqual(['quit']);
  });
});
