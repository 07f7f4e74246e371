import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/app/errors.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { createStatePersister, readStateFile, writeFileAtomically } from '../../src/app/sim-state.js';

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

  it('a damaged file is located by line and column, and nothing of its content is quoted (it holds secret keys)', async () => {
    const secret = 'f00dfeedbeef0123456789abcdef0123456789ab';
    const file = path.join(dir, 'damaged.json');
    // Damage in the middle of a secret, at its end, and a file cut short inside one.
    for (const [text, where] of [
      [`{\n "accounts": [\n  {"accessKey": "a", "secretKey": ${secret}}\n ]\n}\n`, /it breaks at line 3 column 36\)/],
      [`{\n "secretKey": "${secret}" ${secret}}`, /it breaks at line 2 column 58\)/],
      [`{"secretKey": "${secret.slice(0, 20)}`, /it ends early, at line 1 column 36 \(cut short\?\)/],
    ] as const) {
      writeFileSync(file, text);
      const error = await readStateFile(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      const message = (error as UsageError).message;
      expect(message).toMatch(where);
      expect(message).toContain(`The state file ${file} cannot be used (it is not JSON`);
      // V8's own message quoted ~10 characters around the fault: here, of the secret.
      for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6));
      expect((error as UsageError).cause).toBeUndefined();
    }
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
