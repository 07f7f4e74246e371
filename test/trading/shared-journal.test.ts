/**
 * Several processes on one journal at once (a TUI and CLI commands on one account): an
 * attempt another live process is placing is left to it, an attempt a dead process left is
 * resolved by exactly one of the processes recovering at once, and placements from two
 * processes under injected faults, with a third killed mid-placement, leave the simulator with
 * no duplicate and no order the journal does not know. Real processes (tsx children); lookups
 * by identifier are logged by each child with its pid (shared-journal-child.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { openSqlite, type SqliteDatabase } from '../../src/runtime/sqlite.js';
import type { SimServer } from '../../src/sim/index.js';
import { CLEAN, audit, startSim, startStack, tempJournalFile } from '../fixtures/trading/order-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const CHILD = fileURLToPath(new URL('../fixtures/trading/shared-journal-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const POST_ORDERS = { method: 'POST', path: '/v1/orders' };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Child {
  pid: number;
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Write one line to its stdin (GATE=stdin: let the POST go). */
  send(line: string): void;
  kill(): void;
}

function startChild(server: SimServer, file: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, SIM_REST_URL: server.restUrl, JOURNAL_FILE: file, LOOKUP_LOG: `${file}.lookups`, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let out = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
      out = out.slice(nl + 1);
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(proc, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stderr }));
  const kill = (): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  cleanups.push(kill);
  return { pid: proc.pid ?? -1, lines, exited, send: (line) => proc.stdin.write(`${line}\n`), kill };
}

interface LookupLine {
  pid: number;
  identifier: string;
  phase: 'start' | 'end';
  t: number;
}

function lookups(file: string): LookupLine[] {
  try {
    return readFileSync(`${file}.lookups`, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LookupLine);
  } catch {
    return [];
  }
}

/** Pairs of lookups of one attempt by two processes whose [start, end] overlap. */
function overlappingLookups(file: string): string[] {
  const spans = new Map<string, Array<{ pid: number; start: number; end: number }>>();
  const open = new Map<string, number>();
  for (const l of lookups(file)) {
    const key = `${l.pid}|${l.identifier}`;
    if (l.phase === 'start') open.set(key, l.t);
    else {
      const list = spans.get(l.identifier) ?? [];
      list.push({ pid: l.pid, start: open.get(key) ?? l.t, end: l.t });
      spans.set(l.identifier, list);
      open.delete(key);
    }
  }
  const found: string[] = [];
  for (const [identifier, list] of spans) {
    for (const a of list) for (const b of list) if (a.pid < b.pid && a.start <= b.end && b.start <= a.end) found.push(`${identifier}: ${a.pid} and ${b.pid}`);
  }
  return found;
}

function attemptsOnDisk(file: string): Array<{ identifier: string; state: string }> {
  let db: SqliteDatabase | undefined;
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true });
    return db.prepare<[], { identifier: string; state: string }>('SELECT identifier, state FROM attempts ORDER BY id').all();
  } catch {
    return [];
  } finally {
    db?.close();
  }
}

async function sim(): Promise<SimServer> {
  const server = await startSim();
  cleanups.push(() => server.close());
  return server;
}

/** Start a `hold` child whose POST the simulator holds `holdMs`; resolves once it is journalled pending and at the exchange. */
async function holdingPlacer(server: SimServer, file: string, holdMs: number): Promise<{ child: Child; identifier: string }> {
  server.faults.nextHttp.push({ kind: 'latency', latencyMs: holdMs, match: POST_ORDERS });
  const child = startChild(server, file, { MODE: 'hold' });
  const pending = await waitFor(
    () => {
      const [a] = attemptsOnDisk(file).filter((x) => x.state === 'pending');
      return a !== undefined && server.faults.nextHttp.length === 0 ? a : undefined;
    },
    'the placer to journal its attempt pending and its POST to reach the exchange',
    20_000,
  );
  return { child, identifier: pending.identifier };
}

describe('processes sharing one journal', () => {
  it('an attempt another live process is placing right now is left to it, not recovered', async () => {
    const server = await sim();
    const file = tempJournalFile();
    // The placer journals its attempt and holds the POST until told to send it.
    const placer = startChild(server, file, { MODE: 'hold', GATE: 'stdin' });
    const { identifier } = await waitFor(() => attemptsOnDisk(file).find((a) => a.state === 'pending'), 'the placer to journal its attempt pending', 20_000);

    const recoverer = startChild(server, file, { MODE: 'recover', LOOKUP_ATTEMPTS: '2' });
    const r = await recoverer.exited;
    expect(r.code, r.stderr).toBe(0);
    const report = recoverer.lines.find((l) => 'recovered' in l)?.['recovered'] as { identifiers: string[]; stillUnknown: string[] };
    expect(report.identifiers).not.toContain(identifier);
    expect(report.stillUnknown).not.toContain(identifier);
    // The recovering process never looked it up, and the journal still waits for the placer's answer.
    expect(lookups(file).filter((l) => l.pid === recoverer.pid)).toEqual([]);
    expect(attemptsOnDisk(file).find((a) => a.identifier === identifier)?.state).toBe('pending');

    placer.send('go');
    const p = await placer.exited;
    expect(p.code, p.stderr).toBe(0);
    expect(placer.lines).toContainEqual({ answered: 'acked', identifier });
    const check = startStack(server, { file, run: false });
    cleanups.push(() => check.stop());
    expect(check.journal.attemptByIdentifier(identifier)?.state).toBe('acked');
    expect(check.journal.events(identifier).map((e) => e.to)).toEqual(['pending', 'acked']);
    expect(audit(server, check.journal)).toMatchObject(CLEAN);
  }, 60_000);

  it("a killed placer's attempt is resolved by exactly one of two processes recovering at once", async () => {
    const server = await sim();
    const file = tempJournalFile();
    // Killed while the exchange holds its POST: the order is placed afterwards, unanswered.
    const { child: placer, identifier } = await holdingPlacer(server, file, 1_500);
    placer.kill();
    expect((await placer.exited).signal).toBe('SIGKILL');
    // Slow lookups, so two recoveries started together overlap.
    server.faults.httpLatencyMs = 150;

    const [b, c] = [startChild(server, file, { MODE: 'recover', LOOKUP_ATTEMPTS: '6' }), startChild(server, file, { MODE: 'recover', LOOKUP_ATTEMPTS: '6' })];
    const [rb, rc] = await Promise.all([b.exited, c.exited]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rc.code, rc.stderr).toBe(0);
    const resolvers = new Set(lookups(file).filter((l) => l.identifier === identifier).map((l) => l.pid));
    expect(resolvers.size).toBe(1);
    expect(overlappingLookups(file)).toEqual([]);

    server.faults.httpLatencyMs = 0;
    const check = startStack(server, { file });
    cleanups.push(() => check.stop());
    await check.service.recover();
    await waitFor(() => check.journal.unresolved().length === 0, 'every attempt resolved', 15_000);
    // Placed or not (the exchange drops a held request whose client died), the journal agrees with the exchange.
    expect(['acked', 'not_found']).toContain(check.journal.attemptByIdentifier(identifier)?.state);
    expect(audit(server, check.journal)).toMatchObject(CLEAN);
  }, 60_000);

  it('two processes placing under faults, a third killed mid-placement: no duplicate, nothing the journal does not know, no attempt resolved by two at once', async () => {
    const server = await sim();
    const file = tempJournalFile();
    const { child: killed } = await holdingPlacer(server, file, 1_000);
    killed.kill();
    Object.assign(server.faults, { dropAfterRate: 0.12, dropBeforeRate: 0.05, resetRate: 0.05, status5xxRate: 0.05, httpLatencyMs: 10 });

    const placers = [startChild(server, file, { MODE: 'place', PLACEMENTS: '12' }), startChild(server, file, { MODE: 'place', PLACEMENTS: '12' })];
    const results = await Promise.all(placers.map((p) => p.exited));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const outcomes = placers.flatMap((p) => p.lines.filter((l) => 'placed' in l).map((l) => String(l['placed'])));
    expect(outcomes).toHaveLength(24);
    expect(outcomes.filter((o) => o === 'acked').length).toBeGreaterThan(0);

    Object.assign(server.faults, { dropAfterRate: 0, dropBeforeRate: 0, resetRate: 0, status5xxRate: 0, httpLatencyMs: 0 });
    const check = startStack(server, { file });
    cleanups.push(() => check.stop());
    await check.service.recover();
    await waitFor(() => check.journal.unresolved().length === 0, 'every attempt resolved', 15_000);
    const report = audit(server, check.journal);
    expect(report).toMatchObject(CLEAN);
    expect(report.orders).toBeGreaterThan(0);
    expect(overlappingLookups(file)).toEqual([]);
  }, 120_000);
});
