/**
 * Commands run side by side on one data directory keep every order: the second waits for the
 * first (its wallet, simulator state and journal have one owner at a time), and a process that
 * holds the account too long is named, with exit code 6 and nothing sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openTradingContext } from '../../src/app/trading-context.js';
import { toExitError, EXIT } from '../../src/cli/trade-commands.js';
import { UsageError } from '../../src/app/errors.js';
import { acquireProcessLock } from '../../src/runtime/process-lock.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { tradingLockPath } from '../../src/trading/journal/index.js';
import { testKernel } from '../runtime/helpers.js';
import { arrayOf, jsonOf, runCli } from './trade-helpers.js';

const dirs: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-lock-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const TIMEOUT = 90_000;
/** A bid far below the market: it rests, so every order placed is still open afterwards. */
const RESTING_BUY = ['buy', 'KRW-BTC', '--price', '1000000', '--volume', '0.01', '--json'];

async function placeSideBySide(dir: string, mode: string[], n: number): Promise<string[]> {
  const results = await Promise.all(Array.from({ length: n }, () => runCli([...RESTING_BUY, ...mode], dir)));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  return results.map((r) => String(jsonOf(r)['identifier']));
}

async function openIdentifiers(dir: string, mode: string[]): Promise<string[]> {
  const r = await runCli(['orders', '--state', 'wait', '--json', ...mode], dir);
  expect(r.code, r.stderr).toBe(0);
  return arrayOf(jsonOf(r)['orders']).map((o) => String(o['identifier']));
}

describe('commands side by side on one data directory', () => {
  it('paper: four buys at once are all in the wallet afterwards', async () => {
    const dir = home();
    const mode = ['--sim', '--paper'];
    const placed = await placeSideBySide(dir, mode, 4);
    expect(new Set(placed).size).toBe(4);
    expect((await openIdentifiers(dir, mode)).sort()).toEqual([...placed].sort());
  }, TIMEOUT);

  it('built-in exchange: three buys at once are all in its saved state afterwards', async () => {
    const dir = home();
    const mode = ['--sim'];
    const placed = await placeSideBySide(dir, mode, 3);
    expect((await openIdentifiers(dir, mode)).sort()).toEqual([...placed].sort());
  }, TIMEOUT);

  it('an account held by another process past the wait is refused with exit 6, the holder named, nothing sent', async () => {
    const dataDir = home();
    const held = await acquireProcessLock(tradingLockPath(dataDir, 'paper:sim'), { what: 'x', command: 'upbit-tui (the TUI)' });
    try {
      const error = await openTradingContext(
        testKernel().kernel,
        { sim: true, paper: true, live: false, apiUrl: undefined, dataDir, keyFile: undefined },
        { env: {}, logger: silentLogger, notice: () => undefined, lockWaitMs: 100 },
      ).catch((e: unknown) => e);
      const exit = toExitError(error);
      expect(exit).toBeInstanceOf(UsageError);
      expect((exit as UsageError).exitCode).toBe(EXIT.busy);
      expect((exit as Error).message).toMatch(
        new RegExp(`^The paper wallet at paper:sim \\(data in .*\\) is in use by another upbit-tui process \\(pid ${process.pid}, "upbit-tui \\(the TUI\\)", since .*\\)\\. Quit that process or wait for it to finish, then try again\\. Nothing was sent\\.$`),
      );
    } finally {
      held.release();
    }
  });
});
