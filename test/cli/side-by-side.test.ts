/**
 * A long-running trader (a child holding a trading context open, as a TUI holds its session)
 * and CLI commands of the built binary on the same account and data directory, at once: the
 * commands complete at once (no 10 s wait for a lock, no exit 6), both sides keep trading,
 * and every order is in the exchange's records (the simulator's, or the paper wallet) and in
 * the one journal, once. Needs `npm run build` (bin/upbit-tui.js runs dist/).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../src/sim/index.js';
import { ACCOUNT, startSim } from '../fixtures/trading/order-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { arrayOf, homeEnv, jsonOf, type CliResult } from './trade-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/upbit-tui.js');
const HOLDER = path.join(ROOT, 'test/fixtures/trading/context-holder.ts');
/** Far under the 10 s the old run-long lock made a command wait before exiting 6. */
const AT_ONCE_MS = 5_000;
const RESTING_BUY = ['buy', 'KRW-BTC', '--price', '1000000', '--volume', '0.01', '--json'];
const KEY_ENV = { UPBIT_ACCESS_KEY: ACCOUNT.accessKey, UPBIT_SECRET_KEY: ACCOUNT.secretKey };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-side-by-side-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Holder {
  /** Send one command; resolves with its one JSON answer. */
  ask(command: string): Promise<Record<string, unknown>>;
}

async function startHolder(dir: string, env: Record<string, string>): Promise<Holder> {
  const proc = spawn(process.execPath, ['--import', 'tsx', HOLDER], {
    cwd: ROOT,
    env: { ...process.env, ...homeEnv(dir), DATA_DIR: path.join(dir, 'data'), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(proc, 'exit');
  cleanups.push(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.stdin.end('close\n');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const lines: Array<Record<string, unknown>> = [];
  let out = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
      out = out.slice(nl + 1);
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const next = (): Promise<Record<string, unknown>> =>
    waitFor(
      () => {
        if (proc.exitCode !== null) throw new Error(`the holder exited (${proc.exitCode}): ${stderr}`);
        return lines.shift();
      },
      'the holder to answer',
      30_000,
    );
  expect(await next()).toEqual({ open: true });
  let queue = Promise.resolve<unknown>(undefined);
  return {
    ask(command) {
      const answer = queue.then(() => {
        proc.stdin.write(`${command}\n`);
        return next();
      });
      queue = answer.catch(() => undefined);
      return answer;
    },
  };
}

/** The built binary with `args`, its data in `dir`; with how long it took. */
async function bin(args: readonly string[], dir: string, env: Record<string, string> = {}): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  const base: NodeJS.ProcessEnv = { ...process.env, ...homeEnv(dir), ...env };
  for (const key of ['UPBIT_ACCESS_KEY', 'UPBIT_SECRET_KEY', 'NO_COLOR', 'FORCE_COLOR']) if (env[key] === undefined) delete base[key];
  const child = spawn(process.execPath, [BIN, ...args, '--data-dir', path.join(dir, 'data')], { cwd: ROOT, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr, ms: performance.now() - started };
}

async function sim(): Promise<SimServer> {
  const server = await startSim();
  cleanups.push(() => server.close());
  return server;
}

describe('a long-running trader and CLI commands on one account and data directory', () => {
  it('simulator: balance, buy and cancel complete at once while two holders trade; every order is on the exchange and in the journal, once', async () => {
    const server = await sim();
    const dir = home();
    const flags = ['--sim', '--api-url', server.restUrl];
    const holder = await startHolder(dir, { MODE: 'sim', API_URL: server.restUrl, ...KEY_ENV });
    const first = await holder.ask('place');
    expect(first['placed']).toBe('acked');

    const balance = await bin(['balance', '--json', ...flags], dir, KEY_ENV);
    expect(balance.code, balance.stderr).toBe(0);
    expect(balance.ms).toBeLessThan(AT_ONCE_MS);
    expect(arrayOf(jsonOf(balance)['balances']).map((b) => b['currency'])).toContain('KRW');

    const buy = await bin([...RESTING_BUY, ...flags], dir, KEY_ENV);
    expect(buy.code, buy.stderr).toBe(0);
    expect(buy.ms).toBeLessThan(AT_ONCE_MS);
    const cliIdentifier = String(jsonOf(buy)['identifier']);

    // The holder goes on trading, and its journal (the same file) has the CLI's order.
    const second = await holder.ask('place');
    expect(second['placed']).toBe('acked');
    const journal = (await holder.ask('journal'))['journal'] as string[];
    expect(journal).toEqual([first['identifier'], cliIdentifier, second['identifier']]);

    // A second long-running trader (two TUIs) and a CLI cancel of the first one's order, at once.
    const other = await startHolder(dir, { MODE: 'sim', API_URL: server.restUrl, ...KEY_ENV });
    const [third, cancel] = await Promise.all([other.ask('place'), bin(['cancel', String(first['identifier']), '--json', ...flags], dir, KEY_ENV)]);
    expect(third['placed']).toBe('acked');
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.ms).toBeLessThan(AT_ONCE_MS);
    const all = (await other.ask('journal'))['journal'] as string[];
    expect(all).toEqual([...journal, third['identifier']]);

    // The simulator's own records: these four orders, each once, none the journal does not know.
    const orders = server.exchange.list(ACCOUNT.accessKey, { limit: 1000 });
    expect(orders.map((o) => o.identifier).sort()).toEqual([...all].sort());
    expect(orders.find((o) => o.identifier === first['identifier'])?.state).toBe('cancel');
  }, 90_000);

  it('paper: CLI buys and the holder placing at the same time all land in the one wallet', async () => {
    const dir = home();
    const flags = ['--sim', '--paper'];
    const holder = await startHolder(dir, { MODE: 'paper' });
    const first = await holder.ask('place');
    expect(first['placed'], JSON.stringify(first)).toBe('acked');

    const [cli, fromHolder] = await Promise.all([
      Promise.all([1, 2, 3].map(() => bin([...RESTING_BUY, ...flags], dir))),
      Promise.all([holder.ask('place'), holder.ask('place')]),
    ]);
    // Exit 0 is the point (the run-long lock made each wait 10 s, then exit 6); three paper
    // commands each start their own quotes exchange, so their time is the machine's, not a wait.
    for (const r of cli) expect(r.code, r.stderr).toBe(0);
    for (const p of fromHolder) expect(p['placed']).toBe('acked');
    const placed = [first, ...fromHolder].map((p) => String(p['identifier'])).concat(cli.map((r) => String(jsonOf(r)['identifier'])));
    expect(new Set(placed).size).toBe(6);

    // The wallet as a new process reads it, and the holder's journal: all six, once.
    const open = await bin(['orders', '--state', 'wait', '--json', ...flags], dir);
    expect(open.code, open.stderr).toBe(0);
    expect(arrayOf(jsonOf(open)['orders']).map((o) => String(o['identifier'])).sort()).toEqual([...placed].sort());
    expect(((await holder.ask('journal'))['journal'] as string[]).sort()).toEqual([...placed].sort());
  }, 90_000);
});
