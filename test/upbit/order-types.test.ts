/**
 * `Side`, `OrdType` and `TimeInForce` are defined once, in src/upbit/order-types.ts: no other
 * file under src/ spells the unions out, and the journal's stored CHECK lists (a migration,
 * which must not change once shipped) name exactly the same words.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/trading/journal/schema.js';
import { ORD_TYPES, SIDES, TIMES_IN_FORCE } from '../../src/upbit/order-types.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const HOME = path.join('upbit', 'order-types.ts');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** A union type of two or more of these words, in any order: a second definition. */
function spelledOut(words: readonly string[]): RegExp {
  const word = `'(?:${words.join('|')})'`;
  return new RegExp(`${word}(?:\\s*\\|\\s*${word})+`);
}

describe('the order vocabulary', () => {
  it('is spelled out only in src/upbit/order-types.ts', () => {
    const patterns = { Side: spelledOut(SIDES), OrdType: spelledOut(ORD_TYPES), TimeInForce: spelledOut(TIMES_IN_FORCE) };
    const found: string[] = [];
    for (const file of sources(SRC)) {
      const rel = path.relative(SRC, file);
      if (rel === HOME || rel === path.join('trading', 'journal', 'schema.ts')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [name, re] of Object.entries(patterns)) if (re.test(line)) found.push(`${rel}:${i + 1} spells out ${name}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("matches the journal's stored CHECK lists word for word", () => {
    const sql = MIGRATIONS.map((m) => ('sql' in m && typeof m.sql === 'string' ? m.sql : '')).join('\n');
    const list = (column: string) => {
      const m = new RegExp(`${column} TEXT[^,]*CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql);
      return m?.[1]?.split(',').map((w) => w.trim().replace(/'/g, '')) ?? [];
    };
    expect(list('side')).toEqual([...SIDES]);
    expect(list('ord_type')).toEqual([...ORD_TYPES]);
    expect(list('time_in_force')).toEqual([...TIMES_IN_FORCE]);
  });
});
