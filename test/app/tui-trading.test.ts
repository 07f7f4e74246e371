/**
 * The TUI's trading session (app/tui-trading.ts): opened in the background on the TUI's
 * kernel through the trading commands' path, on the built-in exchange the TUI already opened
 * (not a second one), its work as named kernel tasks; a session that cannot open is one line
 * for the user with the command's exit code, never a bug.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { openEmbeddedExchange, EMBEDDED_SIM_KRW } from '../../src/app/embedded-exchange.js';
import { UsageError } from '../../src/app/errors.js';
import { startTuiTrading, TUI_TRADING_TASK, userLine } from '../../src/app/tui-trading.js';
import { DirectoryError } from '../../src/runtime/dirs.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { LockedError } from '../../src/runtime/process-lock.js';
import { Money } from '../../src/trading/decimal.js';
import { journalPath, openJournal } from '../../src/trading/journal/index.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { accountIdOf } from '../../src/trading/rest-venue.js';
import { selectKrw } from '../../src/trading/session/index.js';
import { CredentialsError } from '../../src/upbit/rest/errors.js';
import { waitFor } from '../helpers/wait-for.js';
import { testKernel } from '../runtime/helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'upbit-tui-trading-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const FLAGS = { sim: false, paper: false, live: false, apiUrl: undefined, keyFile: undefined } as const;

describe('the TUI\'s trading session', () => {
  it('--sim: trades on the exchange the TUI opened, its work listed as kernel tasks', async () => {
    const dir = await dataDir();
    const logger = memoryLogger();
    const exchange = await openEmbeddedExchange({ dataDir: dir, logger });
    cleanups.push(() => exchange.close());
    const { kernel, reportFatal } = testKernel({ stepDeadlineMs: 3_000 });
    cleanups.push(async () => void (await kernel.shutdown({ kind: 'user' })));
    const embedded = { current: vi.fn(() => exchange) };
    const fail = vi.fn();
    const source = startTuiTrading(kernel, { ...FLAGS, sim: true, dataDir: dir }, { logger, env: {}, embedded, prices: new MarketStore({ markets: ['KRW-BTC'] }), setNotice: () => undefined, fail });

    const view = await waitFor(() => source.getSnapshot(), 'the session open', 10_000);
    expect(view.mode).toBe('sim');
    expect(embedded.current).toHaveBeenCalled();
    // The exchange it was given, as its host: not opened (attached to) a second time.
    const notices = logger.records.filter((r) => r.msg === 'trading notice').map((r) => String(r.fields['notice']));
    expect(notices).toContain(`using the built-in exchange; state in ${path.join(dir, 'sim')}`);
    await waitFor(() => view.account.getSnapshot().loaded, 'the account read');
    expect(selectKrw(view.account.getSnapshot()).available.toFixed()).toBe(EMBEDDED_SIM_KRW);
    // The status line's links: the private stream's state as it changes, the order budget.
    await waitFor(() => view.privateStream?.getSnapshot().state === 'live', 'the private stream live');
    expect(view.orderBudget?.()).toMatchObject({ group: 'order', limit: 8, windowMs: 1_000 });
    const running = kernel
      .tasks()
      .filter((t) => t.state === 'running')
      .map((t) => t.name);
    expect(running).toEqual(expect.arrayContaining(['private-stream', 'order-service', 'account-sync']));
    expect(kernel.tasks().find((t) => t.name === TUI_TRADING_TASK)?.state).toBe('done');
    expect(fail).not.toHaveBeenCalled();
    expect(reportFatal).not.toHaveBeenCalled();
  });

  it('--sim --paper: no private stream and no order budget on the status line (the paper engine\'s own events, no order request)', async () => {
    const dir = await dataDir();
    const logger = memoryLogger();
    const exchange = await openEmbeddedExchange({ dataDir: dir, logger });
    cleanups.push(() => exchange.close());
    const { kernel } = testKernel({ stepDeadlineMs: 3_000 });
    cleanups.push(async () => void (await kernel.shutdown({ kind: 'user' })));
    const fail = vi.fn();
    const source = startTuiTrading(kernel, { ...FLAGS, sim: true, paper: true, dataDir: dir }, { logger, env: {}, embedded: { current: () => exchange }, prices: new MarketStore({ markets: ['KRW-BTC'] }), setNotice: () => undefined, fail });
    const view = await waitFor(() => source.getSnapshot(), 'the session open', 10_000);
    expect(view.mode).toBe('paper');
    expect(view.privateStream).toBeUndefined();
    expect(view.orderBudget).toBeUndefined();
    expect(fail).not.toHaveBeenCalled();
  });

  it('what the start-up recovery found about earlier orders goes on the notice line (and the log)', async () => {
    const dir = await dataDir();
    const logger = memoryLogger();
    const exchange = await openEmbeddedExchange({ dataDir: dir, logger });
    cleanups.push(() => exchange.close());
    // An earlier run's buy whose request never reached the exchange: still pending in the journal.
    const identity = { endpoint: 'sim:embedded', accountId: accountIdOf(exchange.keys.accessKey) };
    const journal = openJournal(journalPath(dir, identity), identity);
    const intent = journal.createIntent({ market: 'KRW-BTC', side: 'bid', ordType: 'price', total: new Money('10000'), source: 'cli' });
    const { identifier } = journal.beginAttempt(intent.id);
    journal.releaseClaim(identifier);
    journal.close();

    const { kernel } = testKernel({ stepDeadlineMs: 3_000 });
    cleanups.push(async () => void (await kernel.shutdown({ kind: 'user' })));
    const setNotice = vi.fn();
    const source = startTuiTrading(kernel, { ...FLAGS, sim: true, dataDir: dir }, { logger, env: {}, embedded: { current: () => exchange }, prices: new MarketStore({ markets: ['KRW-BTC'] }), setNotice, fail: () => undefined });
    await waitFor(() => source.getSnapshot(), 'the session open', 10_000);
    expect(setNotice).toHaveBeenCalledTimes(1);
    const text = String(setNotice.mock.calls[0]?.[0]);
    expect(text).toContain(`an earlier run's order was NOT placed`);
    expect(text).toContain(identifier);
    const logged = logger.records.filter((r) => r.msg === 'trading notice').map((r) => String(r.fields['notice']));
    expect(logged).toContain(text);
  });

  it('--live without keys: one line and exit 2 for the user, not a failed task', async () => {
    const dir = await dataDir();
    const { kernel, reportFatal } = testKernel();
    cleanups.push(async () => void (await kernel.shutdown({ kind: 'user' })));
    const fail = vi.fn();
    const source = startTuiTrading(kernel, { ...FLAGS, live: true, dataDir: dir }, { logger: memoryLogger(), env: {}, prices: new MarketStore({ markets: ['KRW-BTC'] }), setNotice: () => undefined, fail });
    await waitFor(() => fail.mock.calls.length > 0, 'the failure said');
    const line = fail.mock.calls[0]?.[0] as UsageError;
    expect(line).toBeInstanceOf(UsageError);
    expect(line.exitCode).toBe(2);
    expect(line.message).toMatch(/^--live needs your Upbit API keys/);
    expect(source.getSnapshot()).toBeNull();
    await waitFor(() => kernel.tasks().find((t) => t.name === TUI_TRADING_TASK)?.state === 'done', 'the task ended');
    expect(reportFatal).not.toHaveBeenCalled();
  });

  it('says why it could not open with the trading commands\' exit codes; anything else is a bug', () => {
    const usage = new UsageError('as it is', 4);
    expect(userLine(usage, '/d')).toBe(usage);
    expect(userLine(new LockedError('the account is busy'), '/d')?.exitCode).toBe(6);
    const dirLine = userLine(new DirectoryError('/d', 'it is a file'), '/d');
    expect([dirLine?.exitCode, dirLine?.message]).toEqual([2, 'The data directory /d cannot be used: it is a file. Pass --data-dir a writable directory, or fix this one.']);
    const keys = userLine(new CredentialsError('The key file k is not valid JSON.', { upbitName: null, status: null, retryable: false }), '/d');
    expect([keys?.exitCode, keys?.message]).toEqual([2, 'The key file k is not valid JSON.']);
    expect(userLine(new TypeError('x is undefined'), '/d')).toBeUndefined();
  });
});
