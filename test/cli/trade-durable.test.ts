/**
 * Orders reported placed must not be lost (issue 7, point 2), as real CLI processes:
 * - the built-in exchange's state or the paper wallet cannot be saved at the order: the
 *   command fails with one line naming the file, the OS error and what to do, nothing is
 *   placed, and the next command agrees (nothing left unknown);
 * - stdout goes away (`| true`, `| head`) or fills (`> /dev/full`) after the order was
 *   accepted: no crash, the order is in the state and the journal; a closed pipe ends the
 *   command quietly, a full disk is said in one line with the order's identifier.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { blockSavesOf } from '../helpers/unwritable.js';
import { arrayOf, jsonOf, runCli, startCli, type CliResult } from './trade-helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'upbit-trade-durable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;
const freshHome = (): string => mkdtempSync(path.join(root, `home-${++homes}-`));
const dataDir = (home: string): string => path.join(home, 'data', 'upbit-tui');
const simState = (home: string): string => path.join(dataDir(home), 'sim', 'state.json');
const paperWallet = (home: string): string => path.join(dataDir(home), 'paper', 'sim.json');

const LIMIT_BUY = ['buy', 'KRW-BTC', '--sim', '--price', '1000000', '--volume', '0.01'];

/** Orders of the account in a saved exchange state (the sim state or the paper wallet). */
function savedOrders(file: string): Array<{ uuid: string; identifier: string | null; price: string | null; state: string }> {
  const state = JSON.parse(readFileSync(file, 'utf8')) as { accounts: Array<{ orders: Array<{ uuid: string; identifier: string | null; price: string | null; state: string }> }> };
  return state.accounts.flatMap((a) => a.orders);
}

/** No stack trace and no "a bug" label anywhere on stderr. */
function expectNoCrash(r: CliResult): void {
  expect(r.stderr).not.toMatch(/a bug|^\s+at /m);
  expect(r.stderr).not.toMatch(/Unhandled|node:events/);
}

/** The next command finds every earlier order resolved and lists what it was asked for. */
async function openOrders(home: string, extra: string[] = ['--sim']): Promise<Array<Record<string, unknown>>> {
  const r = await runCli(['orders', ...extra, '--json'], home);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/still unknown/);
  return arrayOf(jsonOf(r)['orders']);
}

describe('a save that fails at the order', () => {
  it('--sim: one line naming the state file, the OS error and what to do; exit 1; nothing placed, and the next command agrees', async () => {
    const home = freshHome();
    expect((await runCli(['balance', '--sim'], home)).code).toBe(0);
    const before = readFileSync(simState(home), 'utf8');
    const run = startCli([...LIMIT_BUY, '--json'], home);
    // Node takes far longer to start than this takes: the command's first save is the order's.
    const undo = blockSavesOf(simState(home), run.child.pid ?? 0);
    const r = await run.result;
    undo();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^upbit-tui: Cannot save the built-in exchange's state to \S+state\.json \(EISDIR[^)]*\), so the exchange refused the change and did not make it: no order was placed/);
    expect(last).toContain('or pass another --data-dir');
    expectNoCrash(r);
    expect(readFileSync(simState(home), 'utf8')).toBe(before);
    expect(await openOrders(home)).toEqual([]);

    // Saving works again: the same order goes through, and is on disk when the command says so.
    const again = await runCli([...LIMIT_BUY, '--json'], home);
    expect(again.code, again.stderr).toBe(0);
    const uuid = (jsonOf(again)['order'] as { uuid: string }).uuid;
    expect(savedOrders(simState(home)).map((o) => o.uuid)).toEqual([uuid]);
  }, 90_000);

  it('--paper: one line naming the wallet, the OS error and what to do; exit 1; the wallet and the journal keep no order', async () => {
    const home = freshHome();
    const paper = ['--paper', '--sim'];
    const first = await runCli(['balance', ...paper, '--json'], home);
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(paperWallet(home), 'utf8');
    const run = startCli(['buy', 'KRW-BTC', ...paper, '--price', '1000000', '--volume', '0.01'], home);
    const undo = blockSavesOf(paperWallet(home), run.child.pid ?? 0);
    const r = await run.result;
    undo();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(/Placed/);
    const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^upbit-tui: Cannot save the paper wallet \S+sim\.json \(EISDIR[^)]*\), so the order was not placed\. Make \S+ writable .*or pass another --data-dir/);
    expectNoCrash(r);
    expect(readFileSync(paperWallet(home), 'utf8')).toBe(before);
    expect(await openOrders(home, paper)).toEqual([]);
    const balance = await runCli(['balance', ...paper, '--json'], home);
    expect(jsonOf(balance)).toEqual(jsonOf(first));
  }, 90_000);
});

describe('output that cannot be written', () => {
  it('buy --sim --json into a pipe closed before it writes (`| true`): exit 0, quiet, the order saved and journalled', async () => {
    const home = freshHome();
    const run = startCli([...LIMIT_BUY, '--json'], home);
    run.child.stdout?.destroy();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expectNoCrash(r);
    expect(r.stderr).not.toMatch(/EPIPE|could not write/);
    const saved = savedOrders(simState(home));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ price: '1000000', state: 'wait' });
    const listed = await openOrders(home);
    expect(listed.map((o) => o['uuid'])).toEqual([saved[0]?.uuid]);
  }, 60_000);

  it.skipIf(!existsSync('/dev/full'))('buy --sim > /dev/full: exit 1, one line saying the order was placed with its uuid and identifier; saved and journalled', async () => {
    const home = freshHome();
    const full = openSync('/dev/full', 'w');
    const run = startCli(['buy', 'KRW-BTC', '--sim', '--total', '10000'], home, {}, { stdout: full });
    closeSync(full);
    const r = await run.result;
    expect(r.code, r.stderr).toBe(1);
    expectNoCrash(r);
    const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^upbit-tui: could not write the output to stdout \(ENOSPC[^)]*\)\. The command did its work \(uuid \S+, identifier \S+\); what it could not print began: Placed market buy 10,000 KRW of KRW-BTC/);
    const saved = savedOrders(simState(home));
    expect(saved).toHaveLength(1);
    const order = saved[0];
    expect(last).toContain(`(uuid ${order?.uuid ?? '?'}, identifier ${order?.identifier ?? '?'})`);
    // A market buy by total fills at once and ends `cancel` with its dust refunded (as on Upbit).
    const done = await runCli(['orders', '--sim', '--state', 'cancel', '--json'], home);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).not.toMatch(/still unknown/);
    expect(arrayOf(jsonOf(done)['orders']).map((o) => o['uuid'])).toEqual([order?.uuid]);
  }, 60_000);

  it.skipIf(!existsSync('/dev/full'))('--version into a closed pipe and --help into a full disk: no crash, one line for the full disk', async () => {
    const home = freshHome();
    const version = startCli(['--version'], home);
    version.child.stdout?.destroy();
    const v = await version.result;
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toBe('');
    const full = openSync('/dev/full', 'w');
    const help = startCli(['balance', '--help'], home, {}, { stdout: full });
    closeSync(full);
    const h = await help.result;
    expect(h.code, h.stderr).toBe(1);
    expectNoCrash(h);
    expect(h.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^upbit-tui: could not write the output to stdout \(ENOSPC[^)]*\)\. .*: Usage: upbit-tui balance/)]);
  }, 60_000);

  it('orders into a reader that is gone (`| head -c 50`): exit 0, quiet; the next command agrees', async () => {
    const home = freshHome();
    expect((await runCli(LIMIT_BUY, home)).code).toBe(0);
    // Closed before the command writes: every write fails (EPIPE).
    const closed = startCli(['orders', '--sim'], home);
    closed.child.stdout?.destroy();
    const r = await closed.result;
    expect(r.code, r.stderr).toBe(0);
    expectNoCrash(r);
    expect(r.stderr).not.toMatch(/EPIPE|could not write/);
    // A reader that takes 50 bytes and leaves.
    const head = startCli(['orders', '--sim'], home);
    let first = '';
    head.child.stdout?.once('data', (chunk: Buffer) => {
      first = chunk.toString('utf8').slice(0, 50);
      head.child.stdout?.destroy();
    });
    const h = await head.result;
    expect(h.code, h.stderr).toBe(0);
    expectNoCrash(h);
    expect(first).toMatch(/^Created \(UTC\)\s+Market/);
    expect(await openOrders(home)).toHaveLength(1);
  }, 60_000);
});
