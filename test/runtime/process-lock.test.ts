/**
 * One process at a time on a piece of state: a second holder is refused with the first one
 * named, waits when asked to, and a holder killed with SIGKILL frees the lock at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { LockedError, acquireProcessLock, isProcessLockHeld, openSectionLock, tryProcessLock } from '../../src/runtime/process-lock.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const holder = fileURLToPath(new URL('../fixtures/runtime/lock-holder.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const proc of children.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
});

function lockFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'upbit-tui-lock-')), 'nested', 'state.lock');
}

describe('acquireProcessLock', () => {
  it('refuses a second holder, naming the first, and frees the lock on release', async () => {
    const file = lockFile();
    const first = await acquireProcessLock(file, { what: 'the paper wallet X', command: 'upbit-tui buy KRW-BTC' });
    expect(existsSync(`${file}.owner`)).toBe(true);
    const refused = await acquireProcessLock(file, { what: 'the paper wallet X' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockedError);
    const owner = JSON.parse(readFileSync(`${file}.owner`, 'utf8')) as { since: string };
    expect((refused as Error).message).toBe(
      `The paper wallet X is in use by another upbit-tui process (pid ${process.pid}, "upbit-tui buy KRW-BTC", since ${owner.since}). Quit that process or wait for it to finish, then try again.`,
    );
    first.release();
    first.release();
    expect(existsSync(`${file}.owner`)).toBe(false);
    const again = await acquireProcessLock(file, { what: 'x' });
    again.release();
  });

  it('waits for the holder when asked to', async () => {
    const file = lockFile();
    const first = await acquireProcessLock(file, { what: 'x' });
    let released = false;
    setTimeout(() => {
      released = true;
      first.release();
    }, 150);
    const second = await acquireProcessLock(file, { what: 'x', waitMs: 5_000, pollMs: 10 });
    expect(released).toBe(true);
    second.release();
  });

  it('stops waiting when its signal aborts', async () => {
    const file = lockFile();
    const first = await acquireProcessLock(file, { what: 'x' });
    const controller = new AbortController();
    const waiting = acquireProcessLock(file, { what: 'x', waitMs: 60_000, pollMs: 10, signal: controller.signal });
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    first.release();
  });

  it('is held against another process, and freed at once when that process is killed with SIGKILL', async () => {
    const file = lockFile();
    const proc = spawn(process.execPath, ['--import', 'tsx', holder, file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(proc);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('locked')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    });
    const refused = await acquireProcessLock(file, { what: 'the simulator state file S' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockedError);
    expect((refused as Error).message).toContain(`pid ${proc.pid}, "lock-holder"`);

    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    const taken = await acquireProcessLock(file, { what: 'x' });
    taken.release();
  });
});

describe('short sections and liveness probes', () => {
  it('isProcessLockHeld: false for no file or a free lock, true while someone holds it', async () => {
    const file = lockFile();
    expect(isProcessLockHeld(file)).toBe(false);
    const held = await acquireProcessLock(file, { what: 'x' });
    expect(isProcessLockHeld(file)).toBe(true);
    held.release();
    expect(isProcessLockHeld(file)).toBe(false);
    const again = tryProcessLock(file);
    expect(again).toBeDefined();
    expect(tryProcessLock(file)).toBeUndefined();
    again?.release();
  });

  it('a section lock is held only inside its section, and a second holder waits for it or is refused naming it', async () => {
    const file = lockFile();
    const a = openSectionLock(file, { what: 'the paper wallet W', waitMs: 100, command: 'holder A' });
    const b = openSectionLock(file, { what: 'the paper wallet W', waitMs: 100, command: 'holder B' });
    try {
      const refused = a.runSync(() => {
        expect(isProcessLockHeld(file)).toBe(true);
        try {
          b.runSync(() => 'never');
        } catch (error) {
          return error;
        }
        return undefined;
      });
      expect(refused).toBeInstanceOf(LockedError);
      expect((refused as Error).message).toContain(`pid ${process.pid}, "holder A"`);
      expect(isProcessLockHeld(file)).toBe(false);
      expect(b.runSync(() => 'b ran')).toBe('b ran');
      expect(await a.run(() => 'a ran')).toBe('a ran');
    } finally {
      a.close();
      b.close();
    }
  });
});
