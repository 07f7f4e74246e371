/**
 * One log key for the part of the program a line comes from (`component`) and one for the
 * error (`err`, which pino serializes with type, message, stack and cause: an Error under any
 * other key is written as `{}`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileLogger } from '../../src/app/file-logger.js';
import { testKernel } from '../runtime/helpers.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-log-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files still allowed another key (none left). The list can only shrink. */
const KNOWN = new Set<string>();

function sources(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(d, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(d, e.name)] : []));
}

describe('log keys', () => {
  it('src/ binds components as `component` and logs errors as `err`', () => {
    const found: string[] = [];
    const offenders = new Set<string>();
    for (const file of sources(SRC)) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      // A log call's object spans one line in this code base; a `{ ... }` on the call's line is its fields.
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const bad = /\.child\(\{\s*c:/.test(line) ? 'component bound as c:' : /\.(?:debug|info|warn|error)\(\s*\{[^}]*\berror:/.test(line) || /^\s*\{[^}]*\b(?:task|release|step)\b[^}]*\berror:[^}]*\},\s*$/.test(line) ? 'error logged as error:' : undefined;
          if (bad === undefined) return;
          offenders.add(rel);
          if (!KNOWN.has(rel)) found.push(`${rel}:${i + 1} ${bad}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
    expect([...KNOWN].filter((k) => !offenders.has(k))).toEqual([]);
  });

  it("a failed task's line in the log file carries the error's message and stack", async () => {
    const file = path.join(dir, 'tasks.log');
    const log = openFileLogger(file);
    const { kernel } = testKernel({ logger: log.logger.child({ component: 'kernel' }) });
    const task = kernel.spawn('doomed', () => Promise.reject(new Error('the feed broke')));
    await expect(task.result).rejects.toThrow('the feed broke');
    log.flushSync();
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = lines.find((l) => l['msg'] === "task 'doomed' failed");
    expect(failed).toMatchObject({ component: 'kernel', task: 'doomed', err: { type: 'Error', message: 'the feed broke' } });
    expect(JSON.stringify(failed)).toContain('at ');
  });
});
