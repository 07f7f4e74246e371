import type Database from 'better-sqlite3';

import { JournalError } from './errors.js';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The journal's schema, one step per version, applied in order and never edited once
 * released: a change is a new step. Amounts are TEXT decimal strings (exact, as Upbit sends
 * them); times are INTEGER ms since epoch. STRICT tables refuse a value of the wrong type.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'meta, intents, attempts, fills, attempt events',
    sql: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE intents (
        id INTEGER PRIMARY KEY,
        market TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('bid', 'ask')),
        ord_type TEXT NOT NULL CHECK (ord_type IN ('limit', 'price', 'market', 'best')),
        price TEXT,
        volume TEXT,
        total TEXT,
        time_in_force TEXT CHECK (time_in_force IN ('ioc', 'fok', 'post_only')),
        source TEXT NOT NULL CHECK (source IN ('ui', 'cli', 'monitor')),
        note TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        intent_id INTEGER NOT NULL REFERENCES intents (id),
        identifier TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'acked', 'rejected', 'unknown', 'not_found', 'done', 'cancel')),
        uuid TEXT UNIQUE,
        error_name TEXT,
        error_message TEXT,
        unknown_reason TEXT,
        order_json TEXT,
        executed_volume TEXT,
        executed_funds TEXT,
        paid_fee TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK (state NOT IN ('acked', 'done', 'cancel') OR uuid IS NOT NULL),
        CHECK (state <> 'rejected' OR error_name IS NOT NULL)
      ) STRICT;
      CREATE INDEX attempts_by_intent ON attempts (intent_id);
      CREATE INDEX attempts_live ON attempts (state) WHERE state IN ('pending', 'unknown', 'acked');

      CREATE TABLE fills (
        trade_uuid TEXT PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        price TEXT NOT NULL,
        volume TEXT NOT NULL,
        funds TEXT NOT NULL,
        fee TEXT NOT NULL,
        at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX fills_by_attempt ON fills (attempt_id);

      CREATE TABLE attempt_events (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        detail TEXT,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attempt_events_by_attempt ON attempt_events (attempt_id);
    `,
  },
  {
    version: 2,
    description: 'attempt claims: which live process is placing or resolving an attempt',
    // One row per attempt some process is working on right now (see claims.ts and
    // docs/locking.md). Rows of a process that died are taken over, not trusted.
    sql: `
      CREATE TABLE attempt_claims (
        attempt_id INTEGER PRIMARY KEY REFERENCES attempts (id),
        owner TEXT NOT NULL,
        purpose TEXT NOT NULL CHECK (purpose IN ('place', 'resolve')),
        claimed_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'monitor rules and their history',
    // The monitor's stop-loss / take-profit / trailing rules (src/trading/journal/rule-table.ts):
    // in the order journal's database so a rule's `triggered` and its order intent commit in
    // one transaction. `spec` and `resolved` are the monitor's JSON (rule-book.ts); amounts in
    // them and `high_water` are decimal strings. A removed rule keeps its row and history.
    sql: `
      CREATE TABLE rules (
        id INTEGER PRIMARY KEY,
        market TEXT NOT NULL,
        spec TEXT NOT NULL,
        resolved TEXT,
        oco TEXT,
        state TEXT NOT NULL CHECK (state IN ('disarmed', 'armed', 'triggered', 'ordered', 'filled', 'failed')),
        high_water TEXT,
        intent_id INTEGER REFERENCES intents (id),
        reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        removed_at INTEGER,
        CHECK (state NOT IN ('triggered', 'ordered') OR intent_id IS NOT NULL),
        CHECK (state <> 'armed' OR resolved IS NOT NULL)
      ) STRICT;
      CREATE INDEX rules_live ON rules (market) WHERE removed_at IS NULL;

      CREATE TABLE rule_events (
        id INTEGER PRIMARY KEY,
        rule_id INTEGER NOT NULL REFERENCES rules (id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        detail TEXT,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX rule_events_by_rule ON rule_events (rule_id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);

/**
 * Bring the schema to {@link SCHEMA_VERSION}. Each step runs in its own IMMEDIATE
 * transaction and re-reads the version inside it, so two processes opening a new journal at
 * once apply each step once. A journal from a newer upbit-tui is refused, not downgraded.
 */
export function migrate(db: Database.Database, file: string, now: () => number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const current = db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
  const record = db.prepare<[number, string, number]>('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
  const stored = current.get()?.v ?? 0;
  if (stored > SCHEMA_VERSION) {
    throw new JournalError(
      `The order journal ${file} has schema version ${stored}, but this upbit-tui knows only up to ${SCHEMA_VERSION}; run the newer upbit-tui that wrote it, or pass another --data-dir.`,
    );
  }
  for (const step of MIGRATIONS) {
    db.transaction(() => {
      if ((current.get()?.v ?? 0) >= step.version) return;
      db.exec(step.sql);
      record.run(step.version, step.description, now());
    }).immediate();
  }
}
