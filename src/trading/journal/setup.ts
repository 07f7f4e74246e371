/**
 * Opening a journal file: create it with safe modes, configure SQLite for durability, and
 * claim it for one endpoint and account.
 */
import fs from 'node:fs';
import path from 'node:path';

import type Database from 'better-sqlite3';

import { pragma } from '../../runtime/sqlite.js';

import { JournalError, JournalMismatchError } from './errors.js';
import { describe } from './rows.js';
import type { JournalIdentity } from './types.js';

/** Create the directory (0700) and the file (0600) before SQLite does, so it never exists with looser modes. */
export function prepareFile(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  } catch (error) {
    throw new JournalError(`Cannot create the order journal ${file}: ${describe(error)}. Check the permissions of ${path.dirname(file)}, or pass another --data-dir.`, { cause: error });
  }
}

export function configure(db: Database.Database, file: string, busyTimeoutMs: number): void {
  pragma(db, `busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  const mode = String(pragma(db, 'journal_mode = WAL'));
  if (mode !== 'wal') {
    throw new JournalError(`The order journal ${file} cannot use write-ahead logging (SQLite chose ${mode}); put --data-dir on a local disk rather than a network share.`);
  }
  pragma(db, 'synchronous = FULL');
  // macOS: a plain fsync does not reach the platters; F_FULLFSYNC does. Ignored elsewhere.
  pragma(db, 'fullfsync = ON');
  pragma(db, 'checkpoint_fullfsync = ON');
  pragma(db, 'foreign_keys = ON');
}

/** Record the journal's owner on first open; refuse another owner's journal afterwards. */
export function claim(db: Database.Database, file: string, identity: JournalIdentity, now: () => number): void {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const put = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    const endpoint = get.get('endpoint')?.value;
    const accountId = get.get('account_id')?.value;
    if (endpoint === undefined && accountId === undefined) {
      put.run('endpoint', identity.endpoint);
      put.run('account_id', identity.accountId);
      put.run('created_at', new Date(now()).toISOString());
      return;
    }
    const wrong: string[] = [];
    if (endpoint !== identity.endpoint) wrong.push(`endpoint ${endpoint ?? '(none)'}, not ${identity.endpoint}`);
    if (accountId !== identity.accountId) wrong.push(`account ${accountId ?? '(none)'}, not ${identity.accountId}`);
    if (wrong.length > 0) {
      throw new JournalMismatchError(
        `The order journal ${file} belongs to ${wrong.join(' and ')}; refusing to mix their orders. Use the journal path for this endpoint and account (journalPath), or move the file away if it was copied here by mistake.`,
      );
    }
  }).immediate();
}
