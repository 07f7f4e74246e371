/** The single-instance lock of monitor rule firing (issue 11), named ahead of its user. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { LockedError } from '../../src/runtime/process-lock.js';
import { monitorLockPath, tradingLockPath } from '../../src/trading/journal/index.js';
import { acquireMonitorLock } from '../../src/trading/monitor-lock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-monitor-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('acquireMonitorLock', () => {
  it('lets one process fire the rules of an account; a second is refused at once, naming the first', async () => {
    const key = 'upbit|3f2a9c0e11d4';
    const first = await acquireMonitorLock(dir, { key, what: 'the rules of the Upbit account 3f2a9c0e11d4', command: 'upbit-tui monitor' });
    try {
      const refused = await acquireMonitorLock(dir, { key, what: 'the rules of the Upbit account 3f2a9c0e11d4' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LockedError);
      expect((refused as Error).message).toContain(`The rules of the Upbit account 3f2a9c0e11d4 is in use by another upbit-tui process (pid ${process.pid}, "upbit-tui monitor", since `);
      // Another account's rules are another lock.
      (await acquireMonitorLock(dir, { key: 'upbit|other', what: 'x' })).release();
    } finally {
      first.release();
    }
    (await acquireMonitorLock(dir, { key, what: 'x' })).release();
  });

  it('is its own file, apart from every trading lock of the account', () => {
    expect(monitorLockPath(dir, 'paper:sim')).not.toBe(tradingLockPath(dir, 'paper:sim'));
    expect(path.basename(monitorLockPath(dir, 'paper:sim'))).toMatch(/^monitor-paper-sim-[0-9a-f]{12}\.lock$/);
  });
});
