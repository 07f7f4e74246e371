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
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { sleep } from './backoff.js';
import { ensureDirectory } from './dirs.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';

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
