import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/app/errors.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { createStatePersister, readStateFile, writeFileAtomically } from '../../src/cli/sim-state.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-sim-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  it('reads nothing for a missing file, JSON for a good one, and a UsageError naming a corrupt one', async () => {
    const file = path.join(dir, 'read.json');
    expect(await readStateFile(file)).toBeUndefined();
    writeFileSync(file, '{"a":1}');
    expect(await readStateFile(file)).toEqual({ a: 1 });
    writeFileSync(file, '{"a":');
    const error = await readStateFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(1);
    expect((error as UsageError).message).toMatch(new RegExp(`The state file ${file} cannot be used \\(it is not JSON`));
  });

  it('writes whole files, owner-only, leaving no temporary file behind', async () => {
    const file = path.join(dir, 'atomic.json');
    await writeFileAtomically(file, 'one');
    await writeFileAtomically(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('writes the state at once, whole and owner-only, on every save', () => {
    const file = path.join(dir, 'persisted.json');
    const persister = createStatePersister({ file, logger: memoryLogger(), warn: () => undefined });
    persister.persist({ n: 1 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 1 });
    persister.persist({ n: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 2 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(persister.failure()).toBeUndefined();
  });

  it('throws a failing save, tells the user once per run of failures, and again when it works', () => {
    const folder = path.join(dir, 'later');
    const warnings: string[] = [];
    const logger = memoryLogger();
    const persister = createStatePersister({ file: path.join(folder, 'state.json'), logger, warn: (m) => warnings.push(m) });
    expect(() => persister.persist({ n: 1 })).toThrow(/ENOENT/);
    expect(() => persister.persist({ n: 2 })).toThrow(/ENOENT/);
    expect(persister.failure()).toBeInstanceOf(Error);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot save the state to .*later\/state\.json \(ENOENT.*every change is refused until it can be saved/);
    expect(logger.records.filter((r) => (r.msg ?? '').startsWith('could not save the state file'))).toHaveLength(1);
    mkdirSync(folder);
    persister.persist({ n: 3 });
    expect(persister.failure()).toBeUndefined();
    expect(warnings[1]).toMatch(/saved to .*later\/state\.json again/);
    expect(JSON.parse(readFileSync(path.join(folder, 'state.json'), 'utf8'))).toEqual({ n: 3 });
  });
});
