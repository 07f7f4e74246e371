/**
 * Claims on attempts: which live process is placing an attempt or resolving it right now, so
 * that two processes on one journal (a TUI and a CLI command, two TUIs) never both look one
 * attempt up and write its outcome, and an attempt whose POST another process is still
 * waiting for is never "recovered" from under it (see docs/locking.md).
 *
 * A claim is a row of `attempt_claims`, written in the journal's own IMMEDIATE transactions,
 * naming its owner: one open journal, i.e. one process's connection. Each owner holds an OS
 * lock on `<journal dir>/owners/<owner>.lock` from open to close; the OS drops it when the
 * process ends, `kill -9` included. A claim whose owner's lock is free is a dead process's,
 * and is taken over at once: nothing waits for a timeout, and a slow but live owner (a POST
 * held for 30 s) is never mistaken for a dead one.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import type Database from 'better-sqlite3';

import { isProcessLockHeld, tryProcessLock, type ProcessLock } from '../../runtime/process-lock.js';
import { JournalError } from './errors.js';
import { describe } from './rows.js';

export type ClaimPurpose = 'place' | 'resolve';

export interface Claim {
  owner: string;
  purpose: ClaimPurpose;
  claimedAt: number;
}

/** What {@link AttemptClaims.take} found. */
export type ClaimResult =
  | { taken: true; /** The owner of the claim this one replaced: a process that died holding it. */ tookOverFrom: string | null }
  | { taken: false; /** The live owner (this journal's own when it is `own`). */ heldBy: Claim; own: boolean };

const OWNER_NAME = /^[0-9]+-[0-9a-f]{12}$/;
/** A dead owner's leftover lock file is removed by the next journal opened after this age. */
const STALE_OWNER_FILE_MS = 60_000;

/** The liveness lock file of `owner` for a journal in `dir`. */
export function ownerLockFile(journalFile: string, owner: string): string {
  return path.join(path.dirname(journalFile), 'owners', `${owner}.lock`);
}

/** One journal's claims. Every method runs inside the caller's write transaction. */
export class AttemptClaims {
  /** This journal's name as a claim owner: `<pid>-<random>`, never reused. */
  readonly owner: string;
  readonly #liveness: ProcessLock;
  readonly #lockFile: string;
  readonly #ownersDir: string;
  readonly #get;
  readonly #insert;
  readonly #delete;
  readonly #deleteMine;

  constructor(db: Database.Database, journalFile: string) {
    this.owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
    this.#lockFile = ownerLockFile(journalFile, this.owner);
    this.#ownersDir = path.dirname(this.#lockFile);
    sweepDeadOwners(this.#ownersDir);
    let lock: ProcessLock | undefined;
    try {
      lock = tryProcessLock(this.#lockFile, { command: `journal ${path.basename(journalFile)}` });
    } catch (error) {
      throw new JournalError(`Cannot create ${this.#lockFile} beside the order journal: ${describe(error)}. Check that ${path.dirname(journalFile)} is writable, or pass another --data-dir.`, { cause: error });
    }
    // A fresh random name: nobody else can hold it.
    if (lock === undefined) throw new JournalError(`The journal owner lock ${this.#lockFile} is held by another process; this is a bug.`);
    this.#liveness = lock;
    this.#get = db.prepare<[number], { owner: string; purpose: ClaimPurpose; claimed_at: number }>('SELECT owner, purpose, claimed_at FROM attempt_claims WHERE attempt_id = ?');
    this.#insert = db.prepare<[{ attempt_id: number; owner: string; purpose: ClaimPurpose; at: number }]>(
      'INSERT INTO attempt_claims (attempt_id, owner, purpose, claimed_at) VALUES (@attempt_id, @owner, @purpose, @at)',
    );
    this.#delete = db.prepare<[number, string]>('DELETE FROM attempt_claims WHERE attempt_id = ? AND owner = ?');
    this.#deleteMine = db.prepare<[string]>('DELETE FROM attempt_claims WHERE owner = ?');
  }

  /** The claim on an attempt, if any, whoever holds it (alive or not). */
  of(attemptId: number): Claim | undefined {
    const row = this.#get.get(attemptId);
    return row === undefined ? undefined : { owner: row.owner, purpose: row.purpose, claimedAt: row.claimed_at };
  }

  /** Whether the owner of a claim is a live process (this journal counts as live). */
  isAlive(owner: string): boolean {
    if (owner === this.owner) return true;
    // Names are ours (`<pid>-<hex>`); anything else in the column never names a live owner or a path.
    return OWNER_NAME.test(owner) && isProcessLockHeld(path.join(this.#ownersDir, `${owner}.lock`));
  }

  /** Claim an attempt for this journal, unless a live owner (this one included) has it. */
  take(attemptId: number, purpose: ClaimPurpose, at: number): ClaimResult {
    const existing = this.of(attemptId);
    let tookOverFrom: string | null = null;
    if (existing !== undefined) {
      if (existing.owner === this.owner) return { taken: false, heldBy: existing, own: true };
      if (this.isAlive(existing.owner)) return { taken: false, heldBy: existing, own: false };
      this.#delete.run(attemptId, existing.owner);
      if (OWNER_NAME.test(existing.owner)) removeQuietly(path.join(this.#ownersDir, `${existing.owner}.lock`));
      tookOverFrom = existing.owner;
    }
    this.#insert.run({ attempt_id: attemptId, owner: this.owner, purpose, at });
    return { taken: true, tookOverFrom };
  }

  /** Give up this journal's claim on an attempt (another owner's is left alone). */
  release(attemptId: number): void {
    this.#delete.run(attemptId, this.owner);
  }

  /** Give up every claim of this journal and its liveness lock (the journal is closing). */
  close(db: Database.Database): void {
    try {
      if (db.open) this.#deleteMine.run(this.owner);
    } finally {
      this.#liveness.release();
      removeQuietly(this.#lockFile);
    }
  }
}

/**
 * Lock files of owners that ended without closing (a crash, `kill -9`): the lock is free and
 * the file is old. A file just created by a journal that has not locked it yet is young, so
 * it is never taken for a dead owner's.
 */
function sweepDeadOwners(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.endsWith('.lock')) continue;
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs < STALE_OWNER_FILE_MS || isProcessLockHeld(file)) continue;
      removeQuietly(file);
    } catch {
      // Another journal swept it first, or it cannot be read: left for the next sweep.
    }
  }
}

function removeQuietly(file: string): void {
  for (const f of [file, `${file}.owner`]) {
    try {
      rmSync(f, { force: true });
    } catch {
      // A leftover file costs only a directory entry; the next sweep removes it.
    }
  }
}
