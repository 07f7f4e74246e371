/**
 * The TUI runs the trading session (issue 8, point 6), real processes: the built TUI in a
 * pseudo-terminal, the CLI as child processes on the same data directory. An order the CLI
 * places while the TUI runs is in the TUI's session: the status bar's KRW available becomes
 * exactly what `balance --json` says, and its orders store counts the order (`1 open order`
 * on the status bar). `npm test` builds before running these.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { openEmbeddedExchange } from '../../src/app/embedded-exchange.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { UpbitRestClient } from '../../src/upbit/rest/index.js';
import { arrayOf, jsonOf, runCli } from '../cli/trade-helpers.js';
import { ROOT, exitCodeOf, runInPty, sttyAfter, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
/** A price in a market row (not the status bar's KRW figures, which look alike). */
const PRICE = /^.{0,3}[A-Z0-9]+\/KRW\b.*?\d{1,3}(,\d{3})+/m;
const TIMEOUT = 60_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-tui-session-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function tui(args: string[], env: Record<string, string | undefined> = {}): PtyRun {
  // Wide enough for the whole status line: the account summary and the connection state.
  const run = runInPty(args, { cols: 160, env: { UPBIT_ACCESS_KEY: undefined, UPBIT_SECRET_KEY: undefined, ...env } });
  cleanups.push(async () => {
    run.kill('SIGKILL');
    await run.exited;
  });
  return run;
}

async function screenWith(run: PtyRun, test: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  let text = '';
  await waitFor(
    async () => {
      text = (await run.screen()).join('\n');
      return test(text);
    },
    what,
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${text}`);
  });
  return text;
}

/** `9949975` → `9,949,975` (whole won, as the status bar rounds down). */
function won(amount: string): string {
  return BigInt(amount.split('.')[0] ?? '0').toLocaleString('en-US');
}

describe('the TUI runs the trading session', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });

  it('an order the CLI places while the TUI runs --sim is in its session: KRW available agrees with balance, the order is counted', async () => {
    const dir = home();
    const data = path.join(dir, 'data');
    const run = tui(['--sim', '--data-dir', data]);
    // The built-in exchange's new account: 10,000,000 KRW, shown once the session read it.
    await screenWith(run, (t) => t.includes('BTC') && PRICE.test(t) && /SIM · live · last [\d.]+s ago · KRW 10,000,000 · /.test(t) && t.includes('0 open orders'), 'prices and the SIM account');

    // A limit buy well under the market: it stays open and locks its KRW.
    const exchange = await openEmbeddedExchange({ dataDir: data, logger: memoryLogger() });
    cleanups.push(() => exchange.close());
    const rest = new UpbitRestClient({ baseUrl: exchange.restUrl, logger: memoryLogger() });
    cleanups.push(() => rest.close());
    const [ticker] = await rest.tickers(['KRW-BTC']);
    const price = String(Math.floor(Number(ticker?.tradePrice ?? 0) / 2 / 1000) * 1000);
    const startedAt = Date.now();
    const buy = await runCli(['buy', 'KRW-BTC', '--price', price, '--volume', '0.001', '--sim', '--data-dir', data, '--json'], dir);
    expect(buy.code, buy.stderr).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect((jsonOf(buy)['order'] as { state: string }).state).toBe('wait');

    const balance = await runCli(['balance', '--sim', '--data-dir', data, '--json'], dir);
    expect(balance.code, balance.stderr).toBe(0);
    const krw = arrayOf(jsonOf(balance)['balances']).find((b) => b['currency'] === 'KRW')?.['balance'];
    expect(typeof krw).toBe('string');
    expect(won(String(krw))).not.toBe('10,000,000');
    // The private stream tells the TUI at once; its REST read within 5 s otherwise.
    const text = await screenWith(run, (t) => t.includes(`· KRW ${won(String(krw))} · `) && t.includes('1 open order'), `KRW ${won(String(krw))} and the open order on the status bar`);
    expect(text).toMatch(/total ≈ 10,000,000 KRW|total ≈ 9,99\d,\d{3} KRW/);

    // The orders view lists it (from the private stream), placed by the CLI: upbit-tui's, in the journal both share.
    run.write('o');
    const orders = await screenWith(run, (t) => /OPEN ORDERS 1 · 1 by upbit-tui\b/.test(t) && t.split('\n').some((l) => l.includes(won(price)) && /^.?\s*cli\s/.test(l)), 'the CLI\'s order in the orders view', 5000);
    expect(orders).toContain('BTC/KRW');

    // The session's work is kernel tasks, listed by the tasks panel.
    run.write('t');
    const tasks = await screenWith(run, (t) => t.includes('TASK') && t.includes('account-sync'), 'the tasks panel', 5000);
    for (const name of ['private-stream', 'order-service', 'account-sync']) expect(tasks).toMatch(new RegExp(`${name}\\s+-\\s+running`));
    run.write('q');
    expect(await exitCodeOf(run)).toBe(0);
  }, TIMEOUT);

  it('--live without API keys: one line once the terminal is restored, exit 2, never "a bug"', async () => {
    const dir = home();
    const run = tui(['--live', '--data-dir', path.join(dir, 'data'), '--ws-url', 'ws://127.0.0.1:9', '--api-url', 'http://127.0.0.1:9']);
    expect(await exitCodeOf(run, 15_000)).toBe(2);
    const modes = await sttyAfter(run);
    // Cooked mode and echo again: the terminal is the user's.
    expect(modes).toMatch(/(^|\s)icanon(\s|$)/);
    expect(modes).toMatch(/(^|\s)echo(\s|$)/);
    // The UI was up (the session opens in the background), left the alternate screen, then said why.
    const raw = run.output();
    const left = raw.lastIndexOf('\x1b[?1049l');
    expect(raw.indexOf('\x1b[?1049h')).toBeGreaterThanOrEqual(0);
    expect(left).toBeGreaterThan(raw.indexOf('\x1b[?1049h'));
    expect(raw.indexOf('upbit-tui: --live needs')).toBeGreaterThan(left);
    const main = (await run.mainScreen()).join('\n');
    const lines = main.split('\n').filter((l) => l.includes('upbit-tui'));
    expect(lines).toEqual([expect.stringMatching(/^upbit-tui: --live needs your Upbit API keys: set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY/)]);
    expect(main).not.toMatch(/a bug|at .*\.js:\d+/);
  }, TIMEOUT);
});
