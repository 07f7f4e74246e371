/**
 * SQLite connections and statements are never collected (better-sqlite3 12 aborts Node 24
 * when one is: see src/runtime/sqlite.ts), and pragmas answer through kept statements.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { keptCount, openSqlite, pragma } from '../../src/runtime/sqlite.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The package name, spelt so that this file does not match its own search. */
const DRIVER = ['better', 'sqlite3'].join('-');
const fixture = fileURLToPath(new URL('../fixtures/runtime/sqlite-gc.ts', import.meta.url));

/** Every .ts/.tsx file under `dir`, relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

describe('openSqlite', () => {
  it('is the only way src/ and test/ open SQLite (a raw connection a test drops aborts its Node 24 worker at exit)', () => {
    // The GC fixture opens a raw one on purpose, as the control that the GC does collect.
    const allowed = ['src/runtime/sqlite.ts', 'test/fixtures/runtime/sqlite-gc.ts'];
    // A value import (a type-only one opens nothing), a require or a dynamic import of the package.
    const opens = new RegExp(String.raw`^import (?!type )[^;]*from '${DRIVER}'|require\('${DRIVER}'\)|import\('${DRIVER}'\)`, 'm');
    const importers = [...sources('src'), ...sources('test')].filter((f) => opens.test(readFileSync(path.join(repoRoot, f), 'utf8')));
    expect(importers.sort()).toEqual(allowed);
  });

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
