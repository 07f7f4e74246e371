import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createDebouncedFileWriter, writeFileAtomically } from '../../src/runtime/atomic-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-atomic-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const temps = (folder: string): string[] => readdirSync(folder).filter((f) => f.endsWith('.tmp'));

describe('writeFileAtomically', () => {
  it('replaces the file whole, owner-only, leaving no temporary file', async () => {
    const file = path.join(dir, 'whole.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    await writeFileAtomically(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(temps(dir)).toEqual([]);
  });

  it('leaves the old content intact and no temporary file when the write throws', async () => {
    const folder = mkdtempSync(path.join(dir, 'fail-'));
    const file = path.join(folder, 'kept.json');
    writeFileSync(file, 'old');
    // The rename fails: a non-empty directory sits where the file should go.
    const blocked = path.join(folder, 'blocked');
    mkdirSync(path.join(blocked, 'child'), { recursive: true });
    await expect(writeFileAtomically(blocked, 'new')).rejects.toThrow();
    // A file in a missing folder cannot even get its temporary file.
    await expect(writeFileAtomically(path.join(folder, 'missing', 'x.json'), 'new')).rejects.toThrow(/ENOENT/);
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(temps(folder)).toEqual([]);
  });
});

describe('createDebouncedFileWriter', () => {
  it('writes once after changes and skips content already written', async () => {
    const file = path.join(dir, 'debounced.json');
    let text = 'a';
    const writes: string[] = [];
    const writer = createDebouncedFileWriter({
      file,
      render: () => text,
      debounceMs: 10,
      write: async (f, t) => {
        writes.push(t);
        await writeFileAtomically(f, t);
      },
    });
    await writer.flush();
    await writer.flush();
    text = 'b';
    await writer.close();
    writer.changed(); // after close: ignored
    await writer.close();
    expect(writes).toEqual(['a', 'b']);
    expect(readFileSync(file, 'utf8')).toBe('b');
  });
});
