/**
 * SQLite connections and statements are never collected (better-sqlite3 12 aborts Node 24
 * when one is: see src/runtime/sqlite.ts), and pragmas answer through kept statements.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { keptCount, openSqlite, pragma } from '../../src/runtime/sqlite.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/runtime/sqlite-gc.ts', import.meta.url));

describe('openSqlite', () => {
  it('keeps connections and their statements through a full GC (a raw connection is collected)', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture], { cwd: repoRoot, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ db: true, statement: true, raw: false });
  });

  it('answers pragmas with their value through one kept statement per text', () => {
    const db = openSqlite(':memory:');
    expect(pragma(db, 'busy_timeout = 1234')).toBe(1234);
    expect(pragma(db, 'busy_timeout')).toBe(1234);
    expect(pragma(db, 'foreign_keys = ON')).toBeUndefined();
    expect(pragma(db, 'foreign_keys')).toBe(1);
    const before = keptCount();
    pragma(db, 'foreign_keys');
    pragma(db, 'busy_timeout');
    expect(keptCount()).toBe(before);
    db.close();
  });
});
