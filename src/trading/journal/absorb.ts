/**
 * Taking another journal's orders into this one: the other journals of the directory are
 * listed with the endpoint and account they were opened for, and one that holds this
 * account's orders under an earlier naming (journals used to be keyed on the URL's spelling)
 * is copied in — intents, attempts, fills and history — so a `pending` or `unknown` attempt
 * there is resolved by this journal's start-up recovery and `cancel --all-mine` still knows
 * its orders. The copy is one transaction and skips what is already here (by identifier or
 * uuid), so a crash between the copy and setting the old file aside only repeats a no-op.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { SqliteDatabase } from '../../runtime/sqlite.js';
import { JournalError } from './errors.js';
import { describe } from './rows.js';
import { SCHEMA_VERSION } from './schema.js';
import type { JournalIdentity } from './types.js';

/** Suffix a journal file gets once its orders were taken into another journal. */
export const ABSORBED_SUFFIX = '.absorbed';

const SCHEMA = 'other_journal';

export interface OtherJournal {
  file: string;
  /** Its stored endpoint and account. */
  identity: JournalIdentity;
}

export interface AbsorbReport {
  /** Intents copied (with their attempts). */
  intents: number;
  /** Attempts copied. */
  attempts: number;
  /** Attempts left out because this journal already has their identifier or uuid. */
  skipped: number;
  /** Where the other file was set aside, or null if it could not be renamed (it is copied again, harmlessly, next time). */
  setAside: string | null;
}

/** The other `*.sqlite` journals next to `file`, with their identity; files that are not journals are left out. */
export function otherJournals(db: SqliteDatabase, file: string): OtherJournal[] {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: OtherJournal[] = [];
  for (const name of names.sort()) {
    const other = path.join(dir, name);
    if (!name.endsWith('.sqlite') || path.resolve(other) === path.resolve(file)) continue;
    const identity = withAttached(db, other, () => {
      const rows = db.prepare<[], { key: string; value: string }>(`SELECT key, value FROM ${SCHEMA}.meta WHERE key IN ('endpoint', 'account_id')`).all();
      const endpoint = rows.find((r) => r.key === 'endpoint')?.value;
      const accountId = rows.find((r) => r.key === 'account_id')?.value;
      return endpoint === undefined || accountId === undefined ? null : { endpoint, accountId };
    });
    if (identity !== null && identity !== undefined) out.push({ file: other, identity });
  }
  return out;
}

/** Copy every intent of `other` (with its attempts, fills and events) into `db`'s journal, then set `other` aside. */
export function absorbJournal(db: SqliteDatabase, other: string): AbsorbReport {
  const copied = withAttached(db, other, () => {
    const version = db.prepare<[], { v: number | null }>(`SELECT MAX(version) AS v FROM ${SCHEMA}.schema_version`).get()?.v ?? 0;
    // Versions since 1 differ only by tables that are not copied (attempt claims, version 2).
    if (version < 1 || version > SCHEMA_VERSION) {
      throw new JournalError(`The order journal ${other} has schema version ${version}, not 1 to ${SCHEMA_VERSION}; its orders cannot be taken into this journal. Run the upbit-tui that wrote it once, or move the file away.`);
    }
    return copyAll(db);
  }, true);
  if (copied === undefined) throw new JournalError(`The order journal ${other} cannot be read; move it away if it is not an upbit-tui journal.`);
  return { ...copied, setAside: setAside(other) };
}

function copyAll(db: SqliteDatabase): Omit<AbsorbReport, 'setAside'> {
  const intents = db.prepare<[], { id: number }>(`SELECT id FROM ${SCHEMA}.intents ORDER BY id`);
  const attemptsOf = db.prepare<[number], { id: number; identifier: string; uuid: string | null }>(`SELECT id, identifier, uuid FROM ${SCHEMA}.attempts WHERE intent_id = ? ORDER BY id`);
  const known = db.prepare<[{ identifier: string; uuid: string | null }], { one: number }>('SELECT 1 AS one FROM main.attempts WHERE identifier = @identifier OR (@uuid IS NOT NULL AND uuid = @uuid)');
  const insertIntent = db.prepare<[number]>(
    `INSERT INTO main.intents (market, side, ord_type, price, volume, total, time_in_force, source, note, created_at)
     SELECT market, side, ord_type, price, volume, total, time_in_force, source, note, created_at FROM ${SCHEMA}.intents WHERE id = ?`,
  );
  const insertAttempt = db.prepare<[number, number]>(
    `INSERT INTO main.attempts (intent_id, identifier, state, uuid, error_name, error_message, unknown_reason, order_json, executed_volume, executed_funds, paid_fee, created_at, updated_at)
     SELECT ?, identifier, state, uuid, error_name, error_message, unknown_reason, order_json, executed_volume, executed_funds, paid_fee, created_at, updated_at FROM ${SCHEMA}.attempts WHERE id = ?`,
  );
  const insertFills = db.prepare<[number, number]>(
    `INSERT OR IGNORE INTO main.fills (trade_uuid, attempt_id, price, volume, funds, fee, at, recorded_at)
     SELECT trade_uuid, ?, price, volume, funds, fee, at, recorded_at FROM ${SCHEMA}.fills WHERE attempt_id = ?`,
  );
  const insertEvents = db.prepare<[number, number]>(
    `INSERT INTO main.attempt_events (attempt_id, from_state, to_state, detail, at)
     SELECT ?, from_state, to_state, detail, at FROM ${SCHEMA}.attempt_events WHERE attempt_id = ? ORDER BY id`,
  );
  return db
    .transaction(() => {
      const report = { intents: 0, attempts: 0, skipped: 0 };
      for (const { id } of intents.all()) {
        const attempts = attemptsOf.all(id);
        // An intent without an attempt never reached the exchange: nothing to carry over.
        const fresh = attempts.filter((a) => known.get({ identifier: a.identifier, uuid: a.uuid }) === undefined);
        report.skipped += attempts.length - fresh.length;
        if (fresh.length === 0) continue;
        const intentId = Number(insertIntent.run(id).lastInsertRowid);
        report.intents++;
        for (const a of fresh) {
          const attemptId = Number(insertAttempt.run(intentId, a.id).lastInsertRowid);
          insertFills.run(attemptId, a.id);
          insertEvents.run(attemptId, a.id);
          report.attempts++;
        }
      }
      return report;
    })
    .immediate();
}

/**
 * Run `fn` with `file` attached as {@link SCHEMA}; undefined when it cannot be read as a
 * journal (not SQLite, no such tables). With `rethrow`, a JournalError from `fn` propagates.
 */
function withAttached<T>(db: SqliteDatabase, file: string, fn: () => T, rethrow = false): T | undefined {
  try {
    db.prepare<[string]>(`ATTACH DATABASE ? AS ${SCHEMA}`).run(file);
  } catch {
    return undefined;
  }
  try {
    return fn();
  } catch (error) {
    if (rethrow) {
      if (error instanceof JournalError) throw error;
      throw new JournalError(`Cannot take the orders of the order journal ${file} into this one: ${describe(error)}. Move it away if it is not an upbit-tui journal.`, { cause: error });
    }
    return undefined;
  } finally {
    db.prepare(`DETACH DATABASE ${SCHEMA}`).run();
  }
}

/**
 * Rename `file` with {@link ABSORBED_SUFFIX}; null when it cannot be, or while a `-wal` file
 * shows another connection may still have it open (the next run copies it again, skipping
 * what it already took).
 */
function setAside(file: string): string | null {
  const target = `${file}${ABSORBED_SUFFIX}`;
  try {
    if (fs.existsSync(`${file}-wal`)) return null;
    fs.renameSync(file, target);
    return target;
  } catch {
    return null;
  }
}
