/**
 * The trading commands as real processes against the built-in exchange: output, `--json`
 * keys, exit codes, and balances that persist from one command to the next.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { arrayOf, jsonOf, runCli } from './trade-helpers.js';

const dirs: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const TIMEOUT = 60_000;

/** The balance of `currency` from `balance --json`, as a number for comparisons only. */
function balanceOf(doc: Record<string, unknown>, currency: string): number {
  const line = arrayOf(doc['balances']).find((b) => b['currency'] === currency);
  return line === undefined ? 0 : Number(line['balance']);
}

describe('upbit-tui --sim (built-in exchange, state in the data dir)', () => {
  const dir = home();

  it('balance shows the new account\'s 10,000,000 KRW and says it uses the built-in exchange', async () => {
    const r = await runCli(['--sim', 'balance'], dir);
    expect(r.stderr).toContain('using the built-in exchange; state in');
    expect(r.stderr).toContain(path.join(dir, 'data', 'upbit-tui', 'sim'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Currency\s+Available\s+Locked\s+Avg buy price$/m);
    expect(r.stdout).toMatch(/^KRW\s+10,000,000\s+0\s+-$/m);
  }, TIMEOUT);

  it('a market buy by total persists: the next command sees the BTC', async () => {
    const buy = await runCli(['--sim', 'buy', 'KRW-BTC', '--total', '10000'], dir);
    expect(buy.stderr).not.toMatch(/error/i);
    expect(buy.code).toBe(0);
    expect(buy.stdout).toMatch(/^Placed market buy 10,000 KRW of KRW-BTC/m);

    const balance = await runCli(['balance', '--sim', '--json'], dir);
    expect(balance.code).toBe(0);
    const doc = jsonOf(balance);
    expect(doc['mode']).toBe('sim');
    expect(balanceOf(doc, 'BTC')).toBeGreaterThan(0);
    expect(balanceOf(doc, 'KRW')).toBeLessThan(10_000_000);
    for (const b of arrayOf(doc['balances'])) {
      expect(Object.keys(b).sort()).toEqual(['avgBuyPrice', 'balance', 'currency', 'locked', 'unitCurrency']);
      expect(typeof b['balance']).toBe('string');
    }
  }, TIMEOUT);

  it('limit buy → orders --state wait lists it → cancel <uuid> → orders --state cancel lists it', async () => {
    // Far below the market, so it rests: 1,000,000 × 0.01 = 10,000 KRW.
    const buy = await runCli(['buy', 'KRW-BTC', '--sim', '--price', '1,000,000', '--volume', '0.01', '--json'], dir);
    expect(buy.code).toBe(0);
    const placed = jsonOf(buy);
    expect(Object.keys(placed).sort()).toEqual(['identifier', 'mode', 'order', 'recovered', 'refreshed', 'status']);
    expect(placed['status']).toBe('acked');
    const order = placed['order'] as Record<string, unknown>;
    expect(order).toMatchObject({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '1000000', volume: '0.01', state: 'wait' });
    const uuid = String(order['uuid']);

    const open = await runCli(['orders', '--sim', '--state', 'wait', '--json'], dir);
    expect(open.code).toBe(0);
    expect(arrayOf(jsonOf(open)['orders']).map((o) => o['uuid'])).toContain(uuid);
    const table = await runCli(['orders', '--sim', '--market', 'KRW-BTC'], dir);
    expect(table.stdout).toContain(uuid);
    expect(table.stdout).toMatch(/KRW-BTC\s+buy\s+limit\s+wait\s+1,000,000\s+0.01/);

    const cancel = await runCli(['cancel', uuid, '--sim'], dir);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(uuid);

    const cancelled = await runCli(['orders', '--sim', '--state', 'cancel', '--json'], dir);
    expect(cancelled.code).toBe(0);
    const listed = arrayOf(jsonOf(cancelled)['orders']).find((o) => o['uuid'] === uuid);
    expect(listed).toMatchObject({ state: 'cancel', identifier: placed['identifier'] });
  }, TIMEOUT);

  it('an off-grid limit price is rounded in the buyer\'s favour, and the rounding is said', async () => {
    const r = await runCli(['--sim', 'buy', 'KRW-BTC', '--price', '1000400', '--volume', '0.01', '--json'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('rounded down to 1,000,000');
    expect((jsonOf(r)['order'] as Record<string, unknown>)['price']).toBe('1000000');
    const all = await runCli(['--sim', 'cancel', '--all-mine', '--json'], dir);
    expect(all.code).toBe(0);
    expect(arrayOf(jsonOf(all)['cancelled']).length).toBeGreaterThanOrEqual(1);
  }, TIMEOUT);
});

describe('bad input: exit 2 and one line naming the fix, before anything is sent', () => {
  const dir = home();
  const cases: Array<[string, string[], RegExp]> = [
    ['bad market', ['buy', 'BTC', '--total', '10000'], /"BTC" is not an Upbit market code\. Codes look like KRW-BTC/],
    ['negative volume', ['sell', 'KRW-BTC', '--volume', '-0.5'], /--volume must be a positive number/],
    ['zero total', ['buy', 'KRW-BTC', '--total', '0'], /--total must be a positive number/],
    ['missing --volume', ['buy', 'KRW-BTC', '--price', '95000000'], /needs --volume/],
    ['--price with --total', ['buy', 'KRW-BTC', '--total', '10000', '--price', '95000000'], /takes no --price or --volume/],
    ['sell without volume', ['sell', 'KRW-BTC'], /sell needs --volume/],
    ['below the minimum', ['buy', 'KRW-BTC', '--price', '95000000', '--volume', '0.00001'], /5,000 KRW minimum; raise the volume to at least 0\.00005264/],
    ['cancel without a ref', ['cancel'], /uuid\/identifier or --all-mine/],
    // A decimal comma used to be stripped: 0,001 BTC became 1 BTC.
    ['decimal-comma volume', ['buy', 'KRW-BTC', '--price', '95000000', '--volume', '0,001'], /--volume "0,001" is ambiguous: 0\.001 with a decimal comma, or 1 with a thousands comma\. Write it as a plain number/],
    ['mixed separators', ['sell', 'KRW-BTC', '--volume', '1.000,5'], /--volume "1\.000,5" is ambiguous: 1000\.5 with a decimal comma, or 1\.0005 with a thousands comma/],
    ['misplaced comma in --total', ['buy', 'KRW-BTC', '--total', '10,000,0'], /--total "10,000,0" cannot be read safely: .*Write it as a plain number/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await runCli(['--sim', ...args], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // A flag commander refuses adds the one-line hint; the reason is always the first line.
    const [first, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(message);
    expect(rest).toEqual(rest.length === 0 ? [] : [`(run upbit-tui ${args[0]} --help for usage)`]);
  }, TIMEOUT);

  it('--live without keys says to set them', async () => {
    const r = await runCli(['balance', '--live'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/--live needs your Upbit API keys: set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY/)]);
  }, TIMEOUT);

  it('--sim --api-url without keys says where to get them', async () => {
    const r = await runCli(['balance', '--sim', '--api-url', 'http://127.0.0.1:9'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY \(upbit-tui sim prints them\)/);
  }, TIMEOUT);
});

describe('paper trading on simulated quotes (no keys)', () => {
  const dir = home();
  it('a paper buy survives a restart', async () => {
    const buy = await runCli(['--sim', 'buy', 'KRW-BTC', '--paper', '--total', '10000'], dir);
    expect(buy.stderr).toContain('Paper trading on simulated quotes');
    expect(buy.code).toBe(0);
    const balance = await runCli(['--sim', 'balance', '--paper', '--json'], dir);
    expect(balance.code).toBe(0);
    const doc = jsonOf(balance);
    expect(doc['mode']).toBe('paper');
    expect(balanceOf(doc, 'BTC')).toBeGreaterThan(0);
    expect(balanceOf(doc, 'KRW')).toBeLessThan(10_000_000);
  }, TIMEOUT);
});
