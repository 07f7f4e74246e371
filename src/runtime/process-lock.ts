/**
 * One process at a time on a piece of state (a journal, a paper wallet, a simulator's state
 * file): two upbit-tui processes that each load, change and save the same wallet would lose
 * whichever order was saved first, and two order services on one journal would each try to
 * resolve the other's in-flight attempts.
 *
 * The lock is an exclusive SQLite transaction on `<file>` (better-sqlite3, already ours for
 * the journal; opened through ./sqlite.ts, see there for Node 24). It is an OS file lock, so it dies with the process, `kill -9` included, and
 * the next start takes it at once; lock-file libraries that judge staleness by age would make
 * a restarted trader wait, or take a lock that is still held. A side file `<file>.owner`
 * names the holder (pid, command, since) for the message; it is information, not the lock.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { sleep } from './backoff.js';
import { ensureDirectory } from './dirs.js';
import { openSqlite, pragma, type SqliteDatabase } from './sqlite.js';

/** Someone else holds the lock; the user must close that process or wait for it. */
export class LockedError extends Error {
  override name = 'LockedError';
}

export interface ProcessLock {
  readonly file: string;
  /** Give the lock up. Safe to call twice. */
  release(): void;
}

export interface ProcessLockOptions {
  /** What the lock guards, for the message: "the paper wallet ~/.local/share/upbit-tui/paper/sim.json". */
  what: string;
  /** How long to wait for a holder to finish (a CLI command takes seconds). @default 0 */
  waitMs?: number;
  /** Poll period while waiting. @default 50 */
  pollMs?: number;
  signal?: AbortSignal;
  /** Written to the owner file. @default `${process.argv0} ${process.argv.slice(2).join(' ')}` */
  command?: string;
}

interface Owner {
  pid: number;
  command: string;
  since: string;
}

/** Take the lock on `file`, waiting up to `waitMs`; rejects with {@link LockedError} naming the holder. */
export async function acquireProcessLock(file: string, options: ProcessLockOptions): Promise<ProcessLock> {
  // Not fs.mkdir({recursive}): it never returns for a path under /proc (see ./dirs.ts).
  ensureDirectory(path.dirname(file));
  const deadline = Date.now() + (options.waitMs ?? 0);
  const db = openLockFile(file);
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      if (tryLock(db, file)) return held(db, file, options.command ?? defaultCommand());
      if (Date.now() >= deadline) throw lockedError(file, options.what);
      await sleep(options.pollMs ?? 50, options.signal);
    }
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Take the lock on `file` now, or return undefined when another connection (another process,
 * or another holder in this one) has it. Synchronous: for locks nobody waits on, such as a
 * process's liveness lock, which others only probe (see {@link isProcessLockHeld}).
 */
export function tryProcessLock(file: string, options: Pick<ProcessLockOptions, 'command'> = {}): ProcessLock | undefined {
  ensureDirectory(path.dirname(file));
  const db = openLockFile(file);
  try {
    if (tryLock(db, file)) return held(db, file, options.command ?? defaultCommand());
  } catch (error) {
    db.close();
    throw error;
  }
  db.close();
  return undefined;
}

/**
 * Whether some live connection holds the lock on `file` (a missing file is not held). The
 * probe takes the lock for an instant when it is free, so it answers for a process that
 * crashed or was killed with SIGKILL as "not held": the OS dropped its lock with it.
 */
export function isProcessLockHeld(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = openLockFile(file);
  try {
    if (!tryLock(db, file)) return true;
    db.exec('ROLLBACK');
    return false;
  } finally {
    db.close();
  }
}

function openLockFile(file: string): SqliteDatabase {
  try {
    const db = openSqlite(file, { timeout: 0 });
    // Exclusive locking (the file stays in SQLite's default rollback-journal mode): once
    // taken, the lock is held until the connection closes. Touches no file, so never busy.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    return db;
  } catch (error) {
    throw new Error(`Cannot open the lock file ${file}: ${error instanceof Error ? error.message : String(error)}. Check the data directory is writable.`, { cause: error });
  }
}

/** One try on an open connection; a refused BEGIN leaves it as it was, ready for the next try. */
function tryLock(db: SqliteDatabase, file: string): boolean {
  try {
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw new Error(`Cannot take the lock file ${file}: ${error instanceof Error ? error.message : String(error)}. Check the data directory is writable.`, { cause: error });
  }
}

function held(db: SqliteDatabase, file: string, command: string): ProcessLock {
  const ownerFile = `${file}.owner`;
  const owner: Owner = { pid: process.pid, command, since: new Date().toISOString() };
  try {
    writeFileSync(ownerFile, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  } catch {
    // Only the message of a later refusal is poorer without it.
  }
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      try {
        if (readOwner(ownerFile)?.pid === process.pid) rmSync(ownerFile, { force: true });
      } finally {
        db.close();
      }
    },
  };
}

function lockedError(file: string, what: string): LockedError {
  const owner = readOwner(`${file}.owner`);
  const who = owner === undefined ? 'another upbit-tui process' : `another upbit-tui process (pid ${owner.pid}, "${owner.command}", since ${owner.since})`;
  return new LockedError(`${capitalize(what)} is in use by ${who}. Quit that process or wait for it to finish, then try again.`);
}

function readOwner(ownerFile: string): Owner | undefined {
  try {
    const v = JSON.parse(readFileSync(ownerFile, 'utf8')) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { pid, command, since } = v as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof command !== 'string' || typeof since !== 'string') return undefined;
    return { pid, command, since };
  } catch {
    return undefined;
  }
}

function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');
}

function defaultCommand(): string {
  return ['upbit-tui', ...process.argv.slice(2)].join(' ').slice(0, 200);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * A lock for short critical sections on `file`, held only while `run`'s function runs (a
 * read-change-save of a small file: milliseconds), never for a process's whole run. The
 * connection stays open between sections; each section is one `BEGIN EXCLUSIVE … ROLLBACK` on
 * it, so, like {@link acquireProcessLock}, a holder that dies drops the lock with its process.
 */
export interface SectionLock {
  readonly file: string;
  /**
   * Run `fn` (synchronous, so nothing else of this process can run inside the section) with
   * the lock held, waiting up to `waitMs` for another holder; rejects with {@link LockedError}
   * naming it past that.
   */
  run<T>(fn: () => T, signal?: AbortSignal): Promise<T>;
  /**
   * {@link run} without leaving the event loop: the wait for another holder (up to `waitMs`)
   * blocks this thread in SQLite's busy handler. Only for sections so short that waiting for
   * one costs less than breaking a synchronous API in two (the paper wallet's engine calls).
   */
  runSync<T>(fn: () => T): T;
  /** Close the connection. Safe to call twice. */
  close(): void;
}

export function openSectionLock(file: string, options: ProcessLockOptions): SectionLock {
  ensureDirectory(path.dirname(file));
  // Normal locking mode (not EXCLUSIVE as for a run-long lock): the lock ends with the transaction.
  let db: SqliteDatabase;
  try {
    db = openSqlite(file, { timeout: 0 });
  } catch (error) {
    throw new Error(`Cannot open the lock file ${file}: ${error instanceof Error ? error.message : String(error)}. Check the data directory is writable.`, { cause: error });
  }
  const command = options.command ?? defaultCommand();
  return {
    file,
    async run<T>(fn: () => T, signal?: AbortSignal): Promise<T> {
      const deadline = Date.now() + (options.waitMs ?? 0);
      for (;;) {
        signal?.throwIfAborted();
        if (tryLock(db, file)) break;
        if (Date.now() >= deadline) throw lockedError(file, options.what);
        await sleep(options.pollMs ?? 5, signal);
      }
      try {
        writeOwner(`${file}.owner`, command);
        return fn();
      } finally {
        db.exec('ROLLBACK');
      }
    },
    runSync<T>(fn: () => T): T {
      pragma(db, `busy_timeout = ${Math.max(0, Math.trunc(options.waitMs ?? 0))}`);
      let locked: boolean;
      try {
        locked = tryLock(db, file);
      } finally {
        pragma(db, 'busy_timeout = 0');
      }
      if (!locked) throw lockedError(file, options.what);
      try {
        writeOwner(`${file}.owner`, command);
        return fn();
      } finally {
        db.exec('ROLLBACK');
      }
    },
    close() {
      if (db.open) db.close();
    },
  };
}

function writeOwner(ownerFile: string, command: string): void {
  try {
    writeFileSync(ownerFile, `${JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() } satisfies Owner)}\n`, { mode: 0o600 });
  } catch {
    // Only the message of a later refusal is poorer without it.
  }
}
