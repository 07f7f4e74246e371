/**
 * TUI `--sim` and CLI `--sim` on one data directory are one exchange (real processes: the
 * built TUI in a pseudo-terminal, the CLI as a child process): an order bought from the CLI
 * while the TUI runs goes to the TUI's exchange, and the CLI's earlier orders and account are
 * in the exchange a TUI starts later. `npm test` builds before running these.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { embeddedHostFile, readHostRecord } from '../../src/app/embedded-discovery.js';
import { embeddedSimStateFile, openEmbeddedExchange, type EmbeddedExchange } from '../../src/app/embedded-exchange.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { UpbitRestClient } from '../../src/upbit/rest/index.js';
import { arrayOf, jsonOf, runCli } from '../cli/trade-helpers.js';
import { ROOT, exitCodeOf, runInPty, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
/** A price in a market row (not the status bar's KRW figures, which look alike). */
const PRICE = /^.{0,3}[A-Z0-9]+\/KRW\b.*?\d{1,3}(,\d{3})+/m;
const TIMEOUT = 60_000;
const HOST_FIXTURE = path.join(ROOT, 'test/fixtures/app/embedded-host.ts');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-tui-shared-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The TUI on `dataDir`, once it shows prices (and, unless another process hosts, says in the host file that it runs the exchange). */
async function startTui(dataDir: string, hosting = true): Promise<{ run: PtyRun; pid: number }> {
  const run = runInPty(['--sim', '--data-dir', dataDir]);
  cleanups.push(async () => {
    run.kill('SIGKILL');
    await run.exited;
  });
  let screen: string[] = [];
  await waitFor(
    async () => {
      screen = await run.screen();
      const text = screen.join('\n');
      return text.includes('BTC') && PRICE.test(text);
    },
    'a frame with KRW-BTC prices',
    15_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${screen.join('\n')}`);
  });
  const pid = run.childPid();
  if (hosting) await waitFor(() => readHostRecord(embeddedHostFile(dataDir))?.pid === pid, 'the TUI hosting the built-in exchange', 5000);
  return { run, pid };
}

/** The exchange the TUI runs, reached as any other process would, and a REST client on it with the account's keys. */
async function tuiExchange(dataDir: string): Promise<{ exchange: EmbeddedExchange; rest: UpbitRestClient }> {
  const exchange = await openEmbeddedExchange({ dataDir, logger: memoryLogger() });
  cleanups.push(() => exchange.close());
  const rest = new UpbitRestClient({ baseUrl: exchange.restUrl, keys: exchange.keys, logger: memoryLogger() });
  cleanups.push(() => rest.close());
  return { exchange, rest };
}

function accessKeysOf(dataDir: string): string[] {
  const state = JSON.parse(readFileSync(embeddedSimStateFile(dataDir), 'utf8')) as { accounts: Array<{ accessKey: string }> };
  return state.accounts.map((a) => a.accessKey);
}

function balanceOf(doc: Record<string, unknown>, currency: string): string {
  const balance = arrayOf(doc['balances']).find((b) => b['currency'] === currency)?.['balance'];
  return typeof balance === 'string' ? balance : '0';
}

describe('TUI --sim and CLI --sim on one data directory', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });

  it('an order bought from the CLI while the TUI runs goes to the TUI\'s exchange, and balance agrees', async () => {
    const dir = home();
    const data = path.join(dir, 'data');
    const tui = await startTui(data);

    const startedAt = Date.now();
    const buy = await runCli(['buy', 'KRW-BTC', '--total', '10000', '--sim', '--data-dir', data, '--json'], dir);
    expect(buy.stderr).toContain(`using the built-in exchange run by pid ${tui.pid}`);
    expect(buy.code).toBe(0);
    // Promptly: no lock wait behind the TUI (the command itself, tsx start-up included, takes a few seconds).
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    const order = jsonOf(buy)['order'] as { uuid: string };

    // In the TUI's exchange, and in the state file it saves.
    const { exchange, rest } = await tuiExchange(data);
    expect(exchange.role).toBe('attached');
    expect(exchange.hostPid).toBe(tui.pid);
    expect((await rest.getOrder({ uuid: order.uuid })).uuid).toBe(order.uuid);
    expect(readFileSync(embeddedSimStateFile(data), 'utf8')).toContain(order.uuid);

    const balance = await runCli(['balance', '--sim', '--data-dir', data, '--json'], dir);
    expect(balance.code).toBe(0);
    expect(balance.stderr).toContain(`run by pid ${tui.pid}`);
    const btc = balanceOf(jsonOf(balance), 'BTC');
    expect(Number(btc)).toBeGreaterThan(0);
    const seen = (await rest.accounts()).find((b) => b.currency === 'BTC');
    expect(seen?.balance.toString()).toBe(btc);
    expect(accessKeysOf(data)).toHaveLength(1);

    tui.run.write('q');
    expect(await exitCodeOf(tui.run)).toBe(0);
    // Its host file goes with it: the next process hosts the exchange itself.
    expect(readHostRecord(embeddedHostFile(data))).toBeUndefined();
  }, TIMEOUT);

  it('the CLI\'s earlier orders and account are in the exchange the TUI starts later', async () => {
    const dir = home();
    const data = path.join(dir, 'data');
    const buy = await runCli(['buy', 'KRW-BTC', '--total', '10000', '--sim', '--data-dir', data, '--json'], dir);
    expect(buy.code).toBe(0);
    expect(buy.stderr).toContain('using the built-in exchange; state in');
    const order = jsonOf(buy)['order'] as { uuid: string };
    const keys = accessKeysOf(data);
    expect(keys).toHaveLength(1);

    const tui = await startTui(data);
    const { exchange, rest } = await tuiExchange(data);
    expect(exchange.hostPid).toBe(tui.pid);
    // Same account: the keys of the state file, the order the CLI placed, no second account.
    expect(exchange.keys.accessKey).toBe(keys[0]);
    expect((await rest.getOrder({ uuid: order.uuid })).uuid).toBe(order.uuid);
    expect(accessKeysOf(data)).toEqual(keys);

    const balance = await runCli(['balance', '--sim', '--data-dir', data, '--json'], dir);
    expect(balance.code).toBe(0);
    expect(balance.stderr).toContain(`run by pid ${tui.pid}`);
    expect(Number(balanceOf(jsonOf(balance), 'BTC'))).toBeGreaterThan(0);
    tui.run.write('q');
    expect(await exitCodeOf(tui.run)).toBe(0);
  }, TIMEOUT);

  it('a TUI attached to another process\'s exchange hosts it itself, on the same port, when that process dies', async () => {
    const dir = home();
    const data = path.join(dir, 'data');
    const host = spawn(process.execPath, ['--import', 'tsx', HOST_FIXTURE, data], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => host.kill('SIGKILL'));
    let out = '';
    host.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('host'), 'the other process hosting the exchange', 15_000);
    const before = readHostRecord(embeddedHostFile(data));
    expect(before?.pid).toBe(host.pid);

    const tui = await startTui(data, false);
    expect(readHostRecord(embeddedHostFile(data))?.pid).toBe(host.pid);
    host.kill('SIGKILL');
    await waitFor(() => readHostRecord(embeddedHostFile(data))?.pid === tui.pid, 'the TUI hosting the exchange after its host died', 10_000);
    expect(readHostRecord(embeddedHostFile(data))?.restUrl).toBe(before?.restUrl);
    // Its quotation socket reconnected to the same address, now its own exchange: prices, not STALE.
    await waitFor(async () => {
      const text = (await tui.run.screen()).join('\n');
      return text.includes('live') && !text.includes('STALE') && PRICE.test(text);
    }, 'live prices again', 10_000);
    const balance = await runCli(['balance', '--sim', '--data-dir', data, '--json'], dir);
    expect(balance.code).toBe(0);
    expect(balance.stderr).toContain(`run by pid ${tui.pid}`);
    tui.run.write('q');
    expect(await exitCodeOf(tui.run)).toBe(0);
  }, TIMEOUT);
});
