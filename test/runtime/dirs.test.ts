import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { DirectoryError, ensureDirectory } from '../../src/runtime/dirs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-dirs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemOf(target: string): string {
  try {
    ensureDirectory(target);
  } catch (error) {
    if (error instanceof DirectoryError) return error.problem;
    throw error;
  }
  throw new Error(`${target} was accepted`);
}

describe('ensureDirectory', () => {
  it('makes the missing parents owner-only and returns the absolute path; an existing directory is fine', () => {
    const target = path.join(dir, 'a', 'b', 'c');
    expect(ensureDirectory(target)).toBe(target);
    expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(ensureDirectory(target)).toBe(target);
    expect(ensureDirectory(path.relative(process.cwd(), target))).toBe(target);
  });

  it('names what is wrong, at once, where fs.mkdir({recursive}) would spin or give a bare code', () => {
    const file = path.join(dir, 'file');
    writeFileSync(file, '');
    const dangling = path.join(dir, 'dangling');
    symlinkSync(path.join(dir, 'missing-target'), dangling);
    const at = Date.now();
    expect(problemOf('/proc/nonexistent/x/y')).toBe('directories cannot be created in /proc');
    expect(problemOf(path.join(file, 'x'))).toBe(`${file} is a file, not a directory`);
    expect(problemOf(file)).toBe(`${file} is a file, not a directory`);
    expect(problemOf(path.join(dangling, 'x'))).toBe(`${dangling} is a symbolic link to ${path.join(dir, 'missing-target')}, which does not exist`);
    expect(problemOf('/dev/null')).toBe('/dev/null is a device, not a directory');
    expect(Date.now() - at).toBeLessThan(1000);
  });
});
