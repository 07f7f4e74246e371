import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { open, tempDir } from './journal-helpers.js';

const CHILD = fileURLToPath(new URL('./journal-crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Run the child until it SIGKILLs itself; returns the identifier it journalled. */
async function runUntilKilled(file: string, mode: 'pending' | 'acked'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'exit', { signal: AbortSignal.timeout(15_000) })) as [number | null, NodeJS.Signals | null];
  expect({ code, signal }, `child stderr: ${stderr}`).toEqual({ code: null, signal: 'SIGKILL' });
  const identifier = stdout.trim();
  expect(identifier).toMatch(/^ut-/);
  return identifier;
}

describe('crash durability (kill -9 in a child process)', () => {
  it('an attempt journalled as pending before the send is still pending after the crash', async () => {
    const file = path.join(tempDir(), 'crash.sqlite');
    const identifier = await runUntilKilled(file, 'pending');
    const journal = open(file);
    expect(journal.unresolved().map((a) => [a.identifier, a.state])).toEqual([[identifier, 'pending']]);
    // Start-up's resolution path works on the recovered row.
    journal.markUnknown(identifier, 'process stopped before the answer was journalled');
    journal.markNotFound(identifier);
    expect(journal.unresolved()).toEqual([]);
  });

  it('an ack and a fill journalled before the crash are kept', async () => {
    const file = path.join(tempDir(), 'crash.sqlite');
    const identifier = await runUntilKilled(file, 'acked');
    const journal = open(file);
    expect(journal.unresolved()).toEqual([]);
    const [open0] = journal.openAttempts();
    expect(open0).toMatchObject({ identifier, state: 'acked', uuid: 'u-crash' });
    expect(journal.attemptByIdentifier(identifier)?.fills.map((f) => f.tradeUuid)).toEqual(['t-crash']);
  });
});
