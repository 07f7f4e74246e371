/**
 * SQLite connections (better-sqlite3) that live as long as the process.
 *
 * On Node 24 (24.19+), better-sqlite3 12 aborts the process whenever the garbage collector
 * collects a `Database` or a `Statement`: the native destructor asks Node for an Environment
 * it can no longer find ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook;
 * WiseLibs/better-sqlite3#1515, closed without a fix; 13.x, which may not have it, needs
 * Node 22+, and we must run on Node 20). Measured here on Node 24.21: every trading command
 * exited 134 after doing its work, and a connection dropped mid-run aborts at the next GC.
 *
 * So nothing opened here is ever collected: each connection and each statement prepared on it
 * is kept until the process ends (a journal holds a few dozen), and pragmas go through kept
 * statements — `db.pragma()` prepares a throwaway statement each call, so it is not used.
 */
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** Everything opened or prepared, never released (see above). */
const kept: object[] = [];
const pragmaStatements = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/** `new Database(file, options)`, kept for the life of the process, as is every statement it prepares. */
export function openSqlite(file: string, options?: Database.Options): SqliteDatabase {
  const db = new Database(file, options);
  kept.push(db);
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    kept.push(statement);
    return statement;
  }) as SqliteDatabase['prepare'];
  return db;
}

/**
 * `PRAGMA <source>` through one kept statement per connection and text: its single value
 * (`journal_mode = WAL` → `'wal'`), or undefined for a pragma that returns nothing.
 */
export function pragma(db: SqliteDatabase, source: string): unknown {
  let cache = pragmaStatements.get(db);
  if (cache === undefined) {
    cache = new Map();
    pragmaStatements.set(db, cache);
  }
  let statement = cache.get(source);
  if (statement === undefined) {
    statement = db.prepare(`PRAGMA ${source}`);
    cache.set(source, statement);
  }
  if (!statement.reader) {
    statement.run();
    return undefined;
  }
  return statement.pluck().get();
}

/** How many objects are kept (for tests). */
export function keptCount(): number {
  return kept.length;
}
