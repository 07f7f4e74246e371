/**
 * Commands run side by side on one data directory keep every order: paper commands share the
 * wallet through its short locked sections, `--sim` commands share the one built-in exchange
 * of the data directory (the first hosts it, the others attach), and no trading lock held for
 * a run keeps a command waiting. See also side-by-side.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openTradingContext } from '../../src/app/trading-context.js';
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

  it('sim: a trading lock held for a whole run (as an earlier upbit-tui did) no longer keeps a --sim command waiting', async () => {
    // The built-in exchange is hosted by one process and attached to by the others (docs/embedded-exchange.md).
    const dataDir = home();
    const held = await acquireProcessLock(tradingLockPath(dataDir, 'sim:embedded'), { what: 'x', command: 'upbit-tui buy --sim' });
    try {
      const { kernel } = testKernel({ stepDeadlineMs: 3_000 });
      const ctx = await openTradingContext(
        kernel,
        { sim: true, paper: false, live: false, apiUrl: undefined, dataDir, keyFile: undefined },
        { env: {}, logger: silentLogger, notice: () => undefined, lockWaitMs: 100 },
      );
      expect(ctx.mode.kind).toBe('sim');
      await kernel.shutdown({ kind: 'user' });
    } finally {
      held.release();
    }
  }, TIMEOUT);

  it('paper: a trading lock held for a whole run (as an earlier upbit-tui did) no longer keeps a command waiting', async () => {
    const dataDir = home();
    const held = await acquireProcessLock(tradingLockPath(dataDir, 'paper:sim'), { what: 'x', command: 'upbit-tui (the TUI)' });
    try {
      const { kernel } = testKernel();
      await openTradingContext(
        kernel,
        { sim: true, paper: true, live: false, apiUrl: undefined, dataDir, keyFile: undefined },
        { env: {}, logger: silentLogger, notice: () => undefined, lockWaitMs: 100 },
      );
      await kernel.shutdown({ kind: 'user' });
    } finally {
      held.release();
    }
  }, TIMEOUT);
});
