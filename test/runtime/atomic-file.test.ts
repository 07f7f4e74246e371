import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createDurableFileSaver, writeFileAtomically, writeFileAtomicallySync } from '../../src/runtime/atomic-file.js';

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

describe('writeFileAtomicallySync', () => {
  it('replaces the file whole, owner-only, before it returns, and leaves the old one when it fails', () => {
    const folder = mkdtempSync(path.join(dir, 'sync-'));
    const file = path.join(folder, 'state.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    writeFileAtomicallySync(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The temporary file cannot be made (a folder sits where it goes): the OS error, the old file kept.
    const temp = path.join(folder, `.state.json.${process.pid}.tmp`);
    mkdirSync(temp);
    expect(() => writeFileAtomicallySync(file, 'lost')).toThrow(/EISDIR/);
    expect(readFileSync(file, 'utf8')).toBe('new content');
    rmSync(temp, { recursive: true });
    expect(() => writeFileAtomicallySync(path.join(folder, 'missing', 'x.json'), 'new')).toThrow(/ENOENT/);
    expect(temps(folder)).toEqual([]);
  });
});

describe('createDurableFileSaver', () => {
  it('throws every failure, reports the first of a run and the recovery once', () => {
    let broken = false;
    const written: string[] = [];
    const events: string[] = [];
    const saver = createDurableFileSaver({
      file: 'x.json',
      write: (_f, t) => {
        if (broken) throw new Error('ENOSPC: no space left on device');
        written.push(t);
      },
      onFailing: (e) => events.push(`failing ${(e as Error).message}`),
      onRecovered: (n) => events.push(`recovered after ${n}`),
    });
    saver.save('a');
    expect(saver.failure()).toBeUndefined();
    broken = true;
    expect(() => saver.save('b')).toThrow(/ENOSPC/);
    expect(() => saver.save('c')).toThrow(/ENOSPC/);
    expect(saver.failure()).toBeInstanceOf(Error);
    broken = false;
    saver.save('d');
    expect(saver.failure()).toBeUndefined();
    expect(written).toEqual(['a', 'd']);
    expect(events).toEqual(['failing ENOSPC: no space left on device', 'recovered after 2']);
  });
});
