/**
 * kill -9 on the order path: a child process journals an attempt `pending` and is SIGKILLed
 * before the answer is journalled — while the POST is held by the simulator, after a POST that
 * never reached the exchange failed, and after the exchange placed the order. A new service on
 * the same journal refuses to place until recover() has resolved the attempt by identifier.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { openSqlite, type SqliteDatabase } from '../../src/runtime/sqlite.js';
import type { SimServer } from '../../src/sim/index.js';
import { NotReadyError, type OrderServiceOptions } from '../../src/trading/order-service.js';
import { ACCOUNT, CLEAN, RESTING_BUY, audit, startSim, startStack, tempJournalFile } from '../fixtures/trading/order-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const CHILD = fileURLToPath(new URL('../fixtures/trading/order-kill-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOLD_MS = 3_000;
const POST_ORDERS = { method: 'POST', path: '/v1/orders' };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The journal's attempts, read as another process would: read-only, the writer may be alive. */
function attemptsOnDisk(file: string): Array<{ identifier: string; state: string }> {
  let db: SqliteDatabase | undefined;
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true });
    return db.prepare<[], { identifier: string; state: string }>('SELECT identifier, state FROM attempts ORDER BY id').all();
  } catch {
    return []; // not created yet
  } finally {
    db?.close();
  }
}

/** Run the child until the attempt is pending on disk (and `marker` printed), then SIGKILL it. */
async function killWhilePending(server: SimServer, file: string, mode: 'hold' | 'drop' | 'sent', marker: string): Promise<{ identifier: string; stdout: string }> {
  // A one-shot fault is taken when its request reaches the exchange: empty means the POST arrived.
  const arrived = (): boolean => server.faults.nextHttp.length === 0;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, SIM_REST_URL: server.restUrl, JOURNAL_FILE: file, MODE: mode },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  try {
    const pending = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`child exited early (${child.exitCode}): ${stderr}`);
        const [a] = attemptsOnDisk(file);
        return a?.state === 'pending' && stdout.includes(marker) && arrived() ? a : undefined;
      },
      `the child to journal a pending attempt and print "${marker}"`,
      15_000,
    );
    child.kill('SIGKILL');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }, stderr).toEqual({ code: null, signal: 'SIGKILL' });
    expect(stdout).not.toContain('answered');
    return { identifier: pending.identifier, stdout };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function restartAndRecover(server: SimServer, file: string, identifier: string, service: Partial<OrderServiceOptions> = {}) {
  const s = startStack(server, { file, service });
  cleanups.push(() => s.stop());
  expect(s.journal.attemptByIdentifier(identifier)?.state).toBe('pending');
  await expect(s.service.place(RESTING_BUY, { source: 'cli' })).rejects.toBeInstanceOf(NotReadyError);
  const recovered = await s.service.recover();
  expect(recovered).toMatchObject({ resolved: 1, stillUnknown: [] });
  const attempt = s.journal.attemptByIdentifier(identifier);
  // Reported as the journal now has it: placed (with its uuid) or not placed.
  expect(recovered.orders).toEqual([
    expect.objectContaining({ identifier, uuid: attempt?.uuid ?? null, market: RESTING_BUY.market, outcome: attempt?.state === 'not_found' ? 'not_placed' : 'placed' }),
  ]);
  expect(s.service.ready).toBe(true);
  return s;
}

describe('kill -9 between the journal write and the ack', () => {
  it('while the POST is held by the exchange: resolved on restart by identifier, before anything is placed', { timeout: 40_000 }, async () => {
    const server = await startSim();
    cleanups.push(() => server.close());
    server.faults.nextHttp.push({ kind: 'latency', latencyMs: HOLD_MS, match: POST_ORDERS });
    const file = tempJournalFile();
    const { identifier } = await killWhilePending(server, file, 'hold', 'placing');
    // The lookup grace (0.5 + 1 + 2 + 4 s) outlasts the hold, so a request the exchange
    // processes after the client died is found, not declared absent.
    const s = await restartAndRecover(server, file, identifier, { lookupAttempts: 5, lookupDelayMs: 500 });
    const onExchange = server.exchange.list(ACCOUNT.accessKey, {}).find((o) => o.identifier === identifier);
    expect(s.journal.attemptByIdentifier(identifier)).toMatchObject(onExchange === undefined ? { state: 'not_found' } : { state: 'acked', uuid: onExchange.uuid });
    expect(audit(server, s.journal)).toMatchObject(CLEAN);
    expect(await s.service.place(RESTING_BUY, { source: 'cli' })).toMatchObject({ status: 'acked' });
    expect(audit(server, s.journal)).toMatchObject(CLEAN);
  });

  it('after a POST dropped before the exchange saw it: not_found on restart', { timeout: 30_000 }, async () => {
    const server = await startSim();
    cleanups.push(() => server.close());
    server.faults.nextHttp.push({ kind: 'dropBefore', match: POST_ORDERS });
    const file = tempJournalFile();
    const { identifier } = await killWhilePending(server, file, 'drop', 'failed');
    const s = await restartAndRecover(server, file, identifier);
    expect(s.journal.attemptByIdentifier(identifier)?.state).toBe('not_found');
    expect(server.exchange.list(ACCOUNT.accessKey, {})).toEqual([]);
    expect(await s.service.place(RESTING_BUY, { source: 'cli' })).toMatchObject({ status: 'acked' });
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: 1 });
  });

  it('after the exchange placed the order but before the ack was journalled: acked on restart', { timeout: 30_000 }, async () => {
    const server = await startSim();
    cleanups.push(() => server.close());
    const file = tempJournalFile();
    const { identifier, stdout } = await killWhilePending(server, file, 'sent', 'sent');
    const uuid = /sent (\S+)/.exec(stdout)?.[1];
    const s = await restartAndRecover(server, file, identifier);
    expect(s.journal.attemptByIdentifier(identifier)).toMatchObject({ state: 'acked', uuid });
    expect(s.journal.events(identifier).map((e) => e.to)).toEqual(['pending', 'unknown', 'acked']);
    expect(await s.service.place(RESTING_BUY, { source: 'cli' })).toMatchObject({ status: 'acked' });
    expect(audit(server, s.journal)).toMatchObject({ ...CLEAN, orders: 2 });
  });
});
