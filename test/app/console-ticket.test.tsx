/**
 * The order ticket from the keyboard against the built-in exchange (test/fixtures/app/
 * console-harness.tsx): b on the watchlist, the price prefilled from the live book, an off-tick
 * price snapped in the buyer's favour, a total below the minimum refused in words, a market
 * buy's estimate walked against the book, Enter's confirmation, y to send, and the order on
 * the exchange and in the session's orders store; `q` typed into a field is a q.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { selectOpenOrders } from '../../src/trading/session/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { frameWhere } from '../ui/ink-helpers.js';
import { KEYS, openConsole, type ConsoleHarness } from '../fixtures/app/console-harness.js';

let c: ConsoleHarness | null = null;
afterEach(async () => {
  cleanup();
  await c?.close();
  c = null;
});

describe('the order ticket, against the embedded exchange', () => {
  it('b opens a buy prefilled at the best ask; an off-tick price is snapped down; y places it and it rests on the exchange', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, (f) => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f), 'prices of KRW-BTC');
    await c.type('b');
    const opened = await frameWhere(c.app.lastFrame, (f) => f.includes('BUY BTC/KRW') && /Price +\d{1,3}(,\d{3})+|Price +\d+/.test(f), 'the ticket, prefilled');
    expect(opened).toContain('SIM');
    // A resting bid far under the market: 1,000,001 KRW is off the 1,000 KRW grid there.
    await c.type(`${KEYS.ctrlU}1000001${KEYS.tab}0.01`);
    const snapped = await frameWhere(c.app.lastFrame, (f) => f.includes('1,000,000') && f.includes('0.01'), 'the snapped price');
    expect(snapped).toMatch(/1,000,000/);
    await c.type(KEYS.enter);
    const review = await frameWhere(c.app.lastFrame, (f) => f.includes('Press y to send'), 'the confirmation');
    expect(review).toMatch(/Buy 0\.01 BTC at 1,000,000 KRW/);
    await c.type('y');
    await frameWhere(c.app.lastFrame, (f) => /placed|accepted|resting|open/i.test(f) && !f.includes('Sending'), 'the result');
    const open = await waitFor(() => selectOpenOrders(c!.trading.orders.getSnapshot(), 'KRW-BTC')[0], 'the order in the session');
    expect(open.price?.toFixed()).toBe('1000000');
    expect(open.side).toBe('bid');
  });

  it('refuses a total below the minimum in words, before anything is sent', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, (f) => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f), 'prices of KRW-BTC');
    await c.type(`b${KEYS.ctrlU}1000000${KEYS.tab}0.001`);
    const frame = await frameWhere(c.app.lastFrame, (f) => /minimum|at least 5,000/i.test(f), 'the minimum problem');
    expect(frame).toMatch(/5,000/);
    await c.type(KEYS.enter);
    await frameWhere(c.app.lastFrame, (f) => !f.includes('Press y to send'), 'no confirmation');
    expect(selectOpenOrders(c.trading.orders.getSnapshot())).toEqual([]);
  });

  it('keys that come in one chunk (fast typing over a slow link) are each taken, in order; text in a field goes in whole', async () => {
    c = await openConsole(['KRW-BTC', 'KRW-ETH']);
    await frameWhere(c.app.lastFrame, (f) => /^ETH\/KRW.*\d{1,3}(,\d{3})+/m.test(f), 'prices of KRW-ETH');
    // j moves to KRW-ETH, b opens its ticket: one chunk.
    c.app.stdin.write('jb');
    await frameWhere(c.app.lastFrame, (f) => f.includes('BUY ETH/KRW'), 'the KRW-ETH ticket');
    await c.type(KEYS.ctrlU);
    c.app.stdin.write('1000000');
    await frameWhere(c.app.lastFrame, (f) => /Price +1000000_/.test(f), 'the pasted price');
    // Control keys among them too (tmux send-keys, a slow link): clear, a price, Tab, a volume, Enter.
    c.app.stdin.write(`${KEYS.ctrlU}2000000${KEYS.tab}0.01${KEYS.enter}`);
    const review = await frameWhere(c.app.lastFrame, (f) => f.includes('Press y to send'), 'the confirmation');
    expect(review).toMatch(/Buy 0\.01 ETH at 2,000,000 KRW/);
  });

  it('q typed into a field is a q, not quit; Esc leaves the ticket for the watchlist', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, (f) => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f), 'prices of KRW-BTC');
    await c.type(`b${KEYS.ctrlU}q`);
    await frameWhere(c.app.lastFrame, (f) => /Price +q_/.test(f), 'q in the price');
    await c.type(KEYS.esc);
    await frameWhere(c.app.lastFrame, (f) => !f.includes('BUY BTC/KRW') && f.includes('enter focus'), 'the watchlist again');
  });

  it('a market buy shows the average fill price and slippage walked against the exchange\'s book', async () => {
    c = await openConsole(['KRW-BTC']);
    await frameWhere(c.app.lastFrame, (f) => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f), 'prices of KRW-BTC');
    await c.type('b');
    await frameWhere(c.app.lastFrame, (f) => f.includes('BUY BTC/KRW'), 'the ticket');
    // Up to the type field, → to the market order (Upbit's `price`: a total in KRW).
    await c.type(`${KEYS.up}${KEYS.up}${KEYS.right}`);
    await frameWhere(c.app.lastFrame, (f) => /Total/.test(f) && /market/i.test(f), 'a market buy');
    await c.type(`${KEYS.down}50000000`);
    const frame = await frameWhere(c.app.lastFrame, (f) => /slippage/i.test(f), 'the estimate');
    expect(frame).toMatch(/average|avg/i);
  });
});

describe('the exchange refusing an order, against a simulator that answers 429 to it', () => {
  it('says so in plain words in the ticket, then in the log pane; nothing is open', async () => {
    c = await openConsole(['KRW-BTC'], { sim: { seed: 17 } });
    await frameWhere(c.app.lastFrame, (f) => /^BTC\/KRW.*\d{1,3}(,\d{3}){2}/m.test(f), 'prices of KRW-BTC');
    // Only the exchange decides this one: the pre-trade check passes, Upbit's limiter says no.
    c.sim?.faults.nextHttp.push({ kind: 'status429', match: { method: 'POST', path: '/v1/orders' } });
    await c.type(`b${KEYS.ctrlU}1000000${KEYS.tab}0.01${KEYS.enter}`);
    await frameWhere(c.app.lastFrame, (f) => f.includes('Press y to send'), 'the confirmation');
    await c.type('y');
    const refused = await frameWhere(c.app.lastFrame, (f) => f.includes('Not sent: rate limited (too many requests to Upbit).'), 'the refusal in the ticket');
    expect(refused).toContain('BUY BTC/KRW');
    expect(c.sim?.faults.nextHttp).toEqual([]);
    await c.type(`${KEYS.esc}l`);
    const log = await frameWhere(c.app.lastFrame, (f) => /Not sent: rate limited \(too many requests to Upbit\)\. Upbit refused/.test(f), 'the refusal in the log pane');
    expect(log).not.toContain('BUY BTC/KRW');
    expect(selectOpenOrders(c.trading.orders.getSnapshot())).toEqual([]);
    expect(await c.other.openOrders()).toEqual([]);
  });
});
