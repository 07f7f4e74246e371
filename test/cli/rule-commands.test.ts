/**
 * `upbit-tui rules …` as a child process on the built-in exchange of a temporary data
 * directory: the example adds three rules in one OCO group, a percent resolves against
 * the position's average buy price (and is refused without one), and list/disarm/arm/rm round
 * trip with one-line refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { arrayOf, jsonOf, runCli } from './trade-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function home(): { home: string; flags: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-rules-cli-'));
  dirs.push(dir);
  return { home: dir, flags: ['--sim', '--data-dir', path.join(dir, 'data-dir')] };
}

describe('upbit-tui rules', () => {
  it('adds the issue example as one OCO group on a position, resolving -3% against the average buy price', async () => {
    const h = home();
    const refused = await runCli(['rules', 'add', 'KRW-BTC', '--stop-loss', '-3%', ...h.flags], h.home);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("a percent needs the position's average buy price, and there is none; give a price instead.");
    const bought = await runCli(['buy', 'KRW-BTC', '--total', '100000', '--json', ...h.flags], h.home);
    expect(bought.code, bought.stderr).toBe(0);
    const added = await runCli(['rules', 'add', 'KRW-BTC', '--stop-loss', '-3%', '--take-profit', '195000000', '--trailing', '2%', '--json', ...h.flags], h.home);
    expect(added.code, added.stderr).toBe(0);
    const rules = arrayOf(jsonOf(added)['rules']);
    expect(rules.map((r) => [r['kind'], r['state'], r['oco']])).toEqual([
      ['stop-loss', 'armed', 'group-1'],
      ['take-profit', 'armed', 'group-1'],
      ['trailing', 'armed', 'group-1'],
    ]);
    const balance = await runCli(['balance', '--json', ...h.flags], h.home);
    const btc = arrayOf(jsonOf(balance)['balances']).find((b) => b['currency'] === 'BTC');
    const avg = Number(btc?.['avgBuyPrice'] ?? btc?.['avg_buy_price']);
    expect(Number(rules[0]?.['level'])).toBeCloseTo(avg * 0.97, -1);
    expect(added.stderr).toContain('no upbit-tui console or monitor is running for this account');
  }, 60_000);

  it('lists, disarms, arms and removes by id; refuses in one line what it cannot do', async () => {
    const h = home();
    expect((await runCli(['rules', 'add', 'KRW-BTC', '--stop-loss', '90000000', ...h.flags], h.home)).code).toBe(0);
    const disarmed = await runCli(['--sim', 'rules', 'disarm', '1', '--data-dir', h.flags[2] ?? ''], h.home);
    expect(disarmed.code, disarmed.stderr).toBe(0);
    expect(disarmed.stdout).toMatch(/^disarmed: +1 {2}KRW-BTC {2}stop-loss 90,000,000 {2}at 90,000,000 {2}sell all {2}disarmed: disarmed by hand/);
    expect(jsonOf(await runCli(['rules', 'list', '--json', ...h.flags], h.home))['rules']).toMatchObject([{ id: 1, state: 'disarmed' }]);
    expect((await runCli(['rules', 'arm', '1', ...h.flags], h.home)).code).toBe(0);
    expect(jsonOf(await runCli(['rules', 'list', '--json', ...h.flags], h.home))['rules']).toMatchObject([{ id: 1, state: 'armed' }]);
    const unknown = await runCli(['rules', 'rm', '99', ...h.flags], h.home);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no rule 99; `upbit-tui rules list` shows the rules there are.');
    const comma = await runCli(['rules', 'add', 'KRW-BTC', '--take-profit', '95,5', ...h.flags], h.home);
    expect(comma.code).toBe(2);
    expect(comma.stderr).toContain('"95,5" is ambiguous');
    const none = await runCli(['rules', 'add', 'KRW-BTC', ...h.flags], h.home);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs at least one of --stop-loss, --take-profit or --trailing');
    expect((await runCli(['rules', 'rm', '1', ...h.flags], h.home)).code).toBe(0);
    expect(jsonOf(await runCli(['rules', 'list', '--json', ...h.flags], h.home))['rules']).toEqual([]);
  }, 60_000);
});
