/**
 * Ink 6.8 keeps every distinct text its layout ever measured or wrapped in module-level caches
 * that never evict (https://github.com/vadimdemedes/ink/issues/986): a TUI whose prices move
 * grows without end (53,860 lines, ~19 MB after 130 s at 200 markets, issue 9).
 * patches/ink+6.8.0.patch bounds both (an LRU of 1,000 entries each). Drives the installed
 * Ink's own modules, as its layout does, and weighs what they retain.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function inkModule<T>(file: string): Promise<T> {
  return ((await import(new URL(file, import.meta.resolve('ink')).href)) as { default: T }).default;
}

function retainedBytes(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** 30,000 distinct rows of ~340 columns (ASCII, which string-width measures quickly): ~12 MB if all are kept. */
const row = (i: number) => `KRW-C${i} ${String(i * 1_000).padStart(12)} ${'-+=#'.repeat(80)}`;
const ROWS = 30_000;

describe("Ink's text caches", () => {
  it('measureText keeps a bounded number of texts, and still measures right', async () => {
    const measureText = await inkModule<(text: string) => { width: number; height: number }>('./measure-text.js');
    const before = retainedBytes();
    for (let i = 0; i < ROWS; i++) measureText(row(i));
    const grown = retainedBytes() - before;
    expect(grown).toBeLessThan(4_000_000);
    expect(measureText(row(0))).toEqual({ width: row(0).length, height: 1 });
  });

  it('wrapText keeps a bounded number of texts, and still wraps right', async () => {
    const wrapText = await inkModule<(text: string, width: number, wrap: string) => string>('./wrap-text.js');
    const before = retainedBytes();
    for (let i = 0; i < ROWS; i++) wrapText(row(i), 100, 'truncate-end');
    const grown = retainedBytes() - before;
    expect(grown).toBeLessThan(4_000_000);
    expect(wrapText('abcdefgh', 5, 'truncate-end')).toBe('abcd…');
  });
});
