/**
 * A trading command whose terminal hangs up (SIGHUP, an SSH drop) while its order is on the
 * wire behaves as for SIGTERM: the order is awaited and journaled, nothing else is sent, and
 * the command ends as SIGHUP does (a shell sees 129). Once by signal with pipes, once in a real
 * pseudo-terminal whose master is closed.
 */
import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pty from '@lydell/node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openSqlite } from '../../src/runtime/sqlite.js';
import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { waitFor } from '../helpers/wait-for.js';
import { homeEnv, startCli } from './trade-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/cli/cli-entry.ts');
const ACCESS = 'hangup-test-access-key-0123456789abcdef';
const SECRET = 'hangup-test-secret-key-0123456789abcdef';
const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
const HOLD = { kind: 'latency', latencyMs: 1500, match: { method: 'POST', path: '/v1/orders' } } as const;

let sim: SimServer;
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-hangup-'));
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every attempt in the journals of `home`, read as another process would. */
function attempts(home: string): Array<{ identifier: string; state: string }> {
  const journals = path.join(home, 'data', 'upbit-tui', 'journal');
  const out: Array<{ identifier: string; state: string }> = [];
  for (const name of readdirSync(journals).filter((n) => n.endsWith('.sqlite'))) {
    const db = openSqlite(path.join(journals, name), { readonly: true, fileMustExist: true });
    try {
      out.push(...db.prepare<[], { identifier: string; state: string }>('SELECT identifier, state FROM attempts ORDER BY id').all());
    } finally {
      db.close();
    }
  }
  return out;
}

const buyArgs = (price: string): string[] => ['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', price, '--volume', '0.01'];

function ordersAt(price: string): number {
  return sim.exchange.list(ACCESS, {}).filter((o) => o.price?.toString() === price).length;
}

describe('SIGHUP during buy', () => {
  it('awaits the order in flight, journals it, and ends by SIGHUP (129)', async () => {
    const home = path.join(dir, 'signal');
    sim.faults.nextHttp.push(HOLD);
    const run = startCli(buyArgs('1100000'), home, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    run.child.kill('SIGHUP');
    const r = await run.result;
    expect({ code: r.code, signal: run.child.signalCode }, r.stderr).toEqual({ code: null, signal: 'SIGHUP' });
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^upbit-tui: Interrupted/);
    // Without handling SIGHUP the process died at once, the attempt left pending.
    expect(attempts(home).map((a) => a.state)).toEqual(['acked']);
    expect(ordersAt('1100000')).toBe(1);
  }, 60_000);

  it('when the terminal itself hangs up (pty master closed): the same, no crash', async () => {
    const home = path.join(dir, 'pty');
    sim.faults.nextHttp.push(HOLD);
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('UPBIT_')) base[k] = v;
    const term = pty.spawn(process.execPath, ['--import', 'tsx', ENTRY, ...buyArgs('1200000')], {
      name: 'xterm-256color',
      cols: 100,
      rows: 30,
      cwd: ROOT,
      env: { ...base, ...homeEnv(home), ...env },
    });
    const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => term.onExit(resolve));
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    // UnixTerminal.destroy (not in node-pty's typings): close the master fd, as sshd does on a drop.
    (term as unknown as { destroy(): void }).destroy();
    const { exitCode, signal } = await exited;
    // Not SIGSEGV (11) or an abort (6): Node's exit would restore the dead terminal's modes.
    expect({ exitCode, signal }).toEqual({ exitCode: 0, signal: constants.signals.SIGHUP });
    expect(attempts(home).map((a) => a.state)).toEqual(['acked']);
    expect(ordersAt('1200000')).toBe(1);
  }, 60_000);
});
