import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/app/errors.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { createStateSaver, readStateFile, writeFileAtomically } from '../../src/cli/sim-state.js';
import { waitFor } from '../helpers/wait-for.js';

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

  it('saves after a quiet period, coalescing changes, and skips writes of what is already there', async () => {
    const file = path.join(dir, 'saver.json');
    let state = { n: 0 };
    let snapshots = 0;
    const saver = createStateSaver({
      file,
      snapshot: () => {
        snapshots++;
        return state;
      },
      debounceMs: 20,
      logger: memoryLogger(),
      warn: () => undefined,
    });
    state = { n: 1 };
    saver.changed();
    saver.changed();
    saver.changed();
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('"n": 1'), 'one debounced save');
    expect(snapshots).toBe(1);
    const mtime = statSync(file).mtimeMs;
    await saver.flush(); // same content: no write
    expect(statSync(file).mtimeMs).toBe(mtime);
    state = { n: 2 };
    await saver.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 2 });
    saver.changed(); // after close: ignored
    await saver.close();
  });

  it('reports a failing write once and keeps going', async () => {
    const missing = path.join(dir, 'no-such-folder');
    const warnings: string[] = [];
    const logger = memoryLogger();
    const saver = createStateSaver({ file: path.join(missing, 'state.json'), snapshot: () => ({ n: Math.random() }), logger, warn: (m) => warnings.push(m) });
    await expect(saver.flush()).rejects.toThrow(/ENOENT/);
    await expect(saver.flush()).rejects.toThrow(/ENOENT/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot save the state to .*no-such-folder\/state\.json/);
    expect(logger.records.filter((r) => r.msg === 'could not save the state file')).toHaveLength(2);
  });
});
