/**
 * What the trading commands report, as real processes: a buy says what it filled (not the
 * POST answer's `wait`), `orders` shows average prices and identifiers and explains where
 * filled market buys are, balances are not printed to 12 decimals, and live mode says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { arrayOf, jsonOf, runCli } from './trade-helpers.js';

const TIMEOUT = 60_000;
const dirs: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-report-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('buy on the built-in exchange reports its fills', () => {
  const dir = home();

  it('a market buy by KRW says what it bought, at what average, for how much, and why it is "cancel"', async () => {
    const r = await runCli(['buy', 'KRW-BTC', '--total', '10000', '--sim'], dir);
    expect(r.code).toBe(0);
    const first = r.stdout.split('\n')[0] ?? '';
    expect(first).toMatch(/^Placed market buy 10,000 KRW of KRW-BTC: bought 0\.\d{1,8} BTC at an average [\d,]+ KRW for [\d,]+(\.\d{1,2})? KRW \+ [\d.]+ KRW fee\./);
    expect(first).toMatch(/under "cancel"/);
    expect(first).not.toMatch(/\(wait\)/);
  }, TIMEOUT);

  it('--json keeps the documented shape and adds the fills: final state, funds, average price', async () => {
    const r = await runCli(['buy', 'KRW-BTC', '--total', '10000', '--sim', '--json'], dir);
    expect(r.code).toBe(0);
    const doc = jsonOf(r);
    expect(doc).toMatchObject({ mode: 'sim', status: 'acked', refreshed: true });
    const order = doc['order'] as Record<string, unknown>;
    expect(order['state']).toBe('cancel');
    expect(Number(order['executedVolume'])).toBeGreaterThan(0);
    expect(Number(order['funds'])).toBeGreaterThan(9_990);
    expect(Number(order['funds'])).toBeLessThanOrEqual(10_000);
    const avg = Number(order['avgPrice']);
    expect(avg).toBeCloseTo(Number(order['funds']) / Number(order['executedVolume']), 0);
    expect(Number(order['paidFee'])).toBeGreaterThan(0);
  }, TIMEOUT);

  it('orders --state done explains that filled market buys are under cancel; the table has average and identifier', async () => {
    const done = await runCli(['orders', '--sim', '--state', 'done'], dir);
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/^upbit-tui: market buys by KRW \(--total\) are not listed as done even when filled: Upbit ends them "cancel".*upbit-tui orders --state cancel\.$/m);

    const cancelled = await runCli(['orders', '--sim', '--state', 'cancel', '--json'], dir);
    const orders = arrayOf(jsonOf(cancelled)['orders']);
    expect(orders).toHaveLength(2);
    for (const o of orders) expect(Number(o['avgPrice'])).toBeGreaterThan(0);
    const table = await runCli(['orders', '--sim', '--state', 'cancel'], dir);
    expect(table.stdout).toMatch(/Executed\s+Avg price\s+UUID\s+Identifier/);
    expect(table.stdout).toContain(String(orders[0]?.['identifier']));
  }, TIMEOUT);

  it('balance shows KRW to the won, coins to at most 8 decimals', async () => {
    const r = await runCli(['balance', '--sim'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KRW\s+9,9\d\d,\d{3}\s+0\s+-$/m);
    expect(r.stdout).toMatch(/^BTC\s+0\.\d{1,8}\s+0\s+[\d,]+ KRW$/m);
  }, TIMEOUT);
});

describe('live mode', () => {
  const ACCESS = 'report-test-access-key-0123456789abcdef';
  const SECRET = 'report-test-secret-key-0123456789abcdef';
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
  });
  afterAll(() => sim.close());

  it('says LIVE on stderr, as paper and sim say theirs', async () => {
    const r = await runCli(['balance', '--live', '--api-url', sim.restUrl], home(), { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`upbit-tui: LIVE trading on ${new URL(sim.restUrl).host} with real money.`);
  }, TIMEOUT);
});
