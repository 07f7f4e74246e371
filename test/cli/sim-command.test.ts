/**
 * `upbit-tui sim` as a real process (the CLI run from source through tsx): what it prints,
 * how it stops, what it refuses, and what `--state` keeps across a restart.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { blockSaves } from '../helpers/unwritable.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/cli/cli-entry.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const running: Run[] = [];
afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.exited;
  }
});

function sim(args: string[], env: Record<string, string> = {}): Run {
  const base: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_STATE_HOME: path.join(dir, 'state'), ...env };
  if (env['UPBIT_ACCESS_KEY'] === undefined) delete base['UPBIT_ACCESS_KEY'];
  if (env['UPBIT_SECRET_KEY'] === undefined) delete base['UPBIT_SECRET_KEY'];
  // A value option may be given once: the defaults only where the test gives none.
  const defaults = [...(args.includes('--port') ? [] : ['--port', '0']), ...(args.includes('--markets') ? [] : ['--markets', 'KRW-BTC,KRW-ETH'])];
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'sim', ...defaults, ...args], {
    cwd: ROOT,
    env: base,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, stdout: () => out, stderr: () => err, exited };
  running.push(run);
  return run;
}

/** The banner lines, once `count` of them have arrived (or the process ended early). */
async function banner(run: Run, count: number): Promise<string[]> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  await waitFor(() => ended || run.stdout().split('\n').length > count, `${count} banner lines`, 15_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\nstdout: ${run.stdout()}\nstderr: ${run.stderr()}`);
  });
  if (ended && run.stdout().split('\n').length <= count) throw new Error(`sim exited early (${await run.exited}):\nstdout: ${run.stdout()}\nstderr: ${run.stderr()}`);
  return run.stdout().split('\n').slice(0, count);
}

const value = (lines: string[], label: string): string => {
  const line = lines.find((l) => l.startsWith(`${label} `));
  if (line === undefined) throw new Error(`no ${label} line in ${JSON.stringify(lines)}`);
  return line.slice(label.length + 1);
};

/** Upbit's JWT (HS256), signed here independently of the simulator's verifier. */
function bearer(accessKey: string, secretKey: string, hashed?: string): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const payload: Record<string, string> = { access_key: accessKey, nonce: randomUUID() };
  if (hashed !== undefined) {
    payload['query_hash'] = createHash('sha512').update(hashed).digest('hex');
    payload['query_hash_alg'] = 'SHA512';
  }
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `Bearer ${signed}.${createHmac('sha256', secretKey).update(signed).digest('base64url')}`;
}

interface Keys {
  accessKey: string;
  secretKey: string;
}

async function api(rest: string, keys: Keys, method: 'GET' | 'POST', pathname: string, params: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const hashed = Object.keys(params).length === 0 ? undefined : Object.entries(params).map(([k, v]) => `${k}=${v}`).join('&');
  const qs = method === 'GET' && hashed !== undefined ? `?${new URLSearchParams(params).toString()}` : '';
  const res = await request(`${rest}${pathname}${qs}`, {
    method,
    headers: { authorization: bearer(keys.accessKey, keys.secretKey, hashed), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    body: method === 'POST' ? JSON.stringify(params) : undefined,
  });
  return { status: res.statusCode, json: await res.body.json() };
}

const krwOf = (accounts: unknown): { balance: string; locked: string } | undefined =>
  (accounts as Array<{ currency: string; balance: string; locked: string }>).find((a) => a.currency === 'KRW');

describe('upbit-tui sim', () => {
  it('prints rest, ws and a generated key pair, serves them, and exits 130 on SIGINT', async () => {
    const run = sim([]);
    const lines = await banner(run, 4);
    expect(lines[0]).toMatch(/^rest http:\/\/127\.0\.0\.1:\d+$/);
    const port = /:(\d+)$/.exec(lines[0] ?? '')?.[1];
    expect(lines[1]).toBe(`ws ws://127.0.0.1:${port}/websocket/v1`);
    expect(lines[2]).toMatch(/^access-key [0-9a-f]{40}$/);
    expect(lines[3]).toMatch(/^secret-key [0-9a-f]{40}$/);
    const keys = { accessKey: value(lines, 'access-key'), secretKey: value(lines, 'secret-key') };
    expect(keys.accessKey).not.toBe(keys.secretKey);

    const accounts = await api(value(lines, 'rest'), keys, 'GET', '/v1/accounts');
    expect(accounts.status).toBe(200);
    expect(krwOf(accounts.json)).toMatchObject({ balance: '10000000', locked: '0' });

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
  });

  it('uses the keys from the environment, never prints the secret, funds --krw, and exits 143 on SIGTERM', async () => {
    const keys = { accessKey: 'envAccessKey0123456789abcdefghijklmnopqrs', secretKey: 'envSecretKey0123456789abcdefghijklmnopqrs' };
    const run = sim(['--krw', '2500000.5'], { UPBIT_ACCESS_KEY: keys.accessKey, UPBIT_SECRET_KEY: keys.secretKey });
    const lines = await banner(run, 3);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['rest', 'ws', 'access-key']);
    expect(value(lines, 'access-key')).toBe(keys.accessKey);
    const accounts = await api(value(lines, 'rest'), keys, 'GET', '/v1/accounts');
    expect(krwOf(accounts.json)).toMatchObject({ balance: '2500000.5' });

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(run.stdout()).not.toContain(keys.secretKey);
    expect(run.stderr()).not.toContain(keys.secretKey);
    expect(run.stdout().split('\n').filter((l) => l !== '')).toHaveLength(3);
  });

  it('keeps accounts and orders in --state across restarts: saved on change and on shutdown', async () => {
    const state = path.join(dir, 'restart.json');
    const keys = { accessKey: 'stateAccess0123456789abcdefghijklmnopqrst', secretKey: 'stateSecret0123456789abcdefghijklmnopqrst' };
    const env = { UPBIT_ACCESS_KEY: keys.accessKey, UPBIT_SECRET_KEY: keys.secretKey };
    // Bids far under the market: they rest, each locking price × volume + 0.05 % fee.
    const bid = (identifier: string): Record<string, string> => ({ market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '10000000', volume: '0.01', identifier });

    const first = sim(['--state', state, '--krw', '5000000'], env);
    const rest1 = value(await banner(first, 3), 'rest');
    const placed = await api(rest1, keys, 'POST', '/v1/orders', bid('restart-1'));
    expect(placed.status).toBe(201);
    const uuid = (placed.json as { uuid: string }).uuid;
    // Saved before the answer left: a crash now loses nothing.
    expect(readFileSync(state, 'utf8')).toContain(uuid);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = sim(['--state', state, '--krw', '999'], env);
    const rest2 = value(await banner(second, 3), 'rest');
    const order = await api(rest2, keys, 'GET', '/v1/order', { uuid });
    expect(order.status).toBe(200);
    expect(order.json).toMatchObject({ uuid, state: 'wait', identifier: 'restart-1', price: '10000000', volume: '0.01' });
    // The stored balance, not a new --krw account.
    expect(krwOf((await api(rest2, keys, 'GET', '/v1/accounts')).json)).toMatchObject({ balance: '4899950', locked: '100050' });
    // Identifiers stay used across the restart.
    expect((await api(rest2, keys, 'POST', '/v1/orders', bid('restart-1'))).status).toBe(400);
    const again = await api(rest2, keys, 'POST', '/v1/orders', bid('restart-2'));
    expect(again.status).toBe(201);
    // Stopped at once: the second order was saved before it was answered.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(143);

    const third = sim(['--state', state], env);
    const rest3 = value(await banner(third, 3), 'rest');
    const open = await api(rest3, keys, 'GET', '/v1/orders/open', { market: 'KRW-BTC' });
    expect((open.json as Array<{ identifier: string }>).map((o) => o.identifier).sort()).toEqual(['restart-1', 'restart-2']);
    expect(krwOf((await api(rest3, keys, 'GET', '/v1/accounts')).json)).toMatchObject({ balance: '4799900', locked: '200100' });
    third.child.kill('SIGINT');
    expect(await third.exited).toBe(130);
  });

  it('refuses every change while --state cannot be saved (503 state_not_saved, nothing changed), says so once, and takes changes again once it can', async () => {
    const folder = mkdtempSync(path.join(dir, 'unwritable-'));
    const state = path.join(folder, 'state.json');
    const keys = { accessKey: 'roAccess0123456789abcdefghijklmnopqrstuv', secretKey: 'roSecret0123456789abcdefghijklmnopqrstuv' };
    const env = { UPBIT_ACCESS_KEY: keys.accessKey, UPBIT_SECRET_KEY: keys.secretKey };
    const bid = (identifier: string): Record<string, string> => ({ market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '10000000', volume: '0.01', identifier });

    const first = sim(['--state', state], env);
    const rest = value(await banner(first, 3), 'rest');
    const kept = await api(rest, keys, 'POST', '/v1/orders', bid('kept'));
    expect(kept.status).toBe(201);
    const accounts = (await api(rest, keys, 'GET', '/v1/accounts')).json;

    // The folder turns read-only under the running exchange.
    const blocked = blockSaves(state, first.child.pid);
    let lost: { status: number; json: unknown };
    try {
      lost = await api(rest, keys, 'POST', '/v1/orders', bid('lost'));
      expect(lost.status).toBe(503);
      expect(lost.json).toMatchObject({ error: { name: 'state_not_saved' } });
      // Not made: no such order, no funds locked, the identifier still free.
      expect((await api(rest, keys, 'GET', '/v1/order', { identifier: 'lost' })).status).toBe(404);
      expect((await api(rest, keys, 'GET', '/v1/accounts')).json).toEqual(accounts);
      expect((await api(rest, keys, 'POST', '/v1/orders', bid('lost'))).status).toBe(503);
      const said = first.stderr().split('\n').filter((l) => l.includes('cannot save the state'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(new RegExp(`^upbit-tui sim: cannot save the state to ${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\((EACCES|EPERM|EISDIR)[^)]*\\); every change is refused until it can be saved`));
    } finally {
      blocked.undo();
    }
    const again = await api(rest, keys, 'POST', '/v1/orders', bid('lost'));
    expect(again.status).toBe(201);
    expect(first.stderr()).toMatch(/upbit-tui sim: the state is saved to .* again; changes are accepted\./);
    first.child.kill('SIGKILL');
    await first.exited;

    // What was answered 201 is what the file holds, and nothing else.
    const second = sim(['--state', state], env);
    const rest2 = value(await banner(second, 3), 'rest');
    const open = await api(rest2, keys, 'GET', '/v1/orders/open', { market: 'KRW-BTC' });
    expect((open.json as Array<{ uuid: string; identifier: string }>).map((o) => [o.identifier, o.uuid]).sort()).toEqual(
      [
        ['kept', (kept.json as { uuid: string }).uuid],
        ['lost', (again.json as { uuid: string }).uuid],
      ].sort(),
    );
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(130);
  });

  it('reuses the account of --state when no keys are set, printing its secret again', async () => {
    const state = path.join(dir, 'generated.json');
    const first = sim(['--state', state]);
    const lines1 = await banner(first, 4);
    first.child.kill('SIGTERM');
    await first.exited;
    const second = sim(['--state', state]);
    const lines2 = await banner(second, 4);
    expect(lines2.slice(2)).toEqual(lines1.slice(2));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(143);
  });

  it('refuses a second simulator on the same --state with exit 6, naming the first, and leaves the first running', async () => {
    const state = path.join(dir, 'shared.json');
    const first = sim(['--state', state]);
    await banner(first, 4);
    const second = sim(['--state', state]);
    expect(await second.exited).toBe(6);
    expect(second.stderr()).toContain(`The simulator state file ${state} is in use by another upbit-tui process (pid ${first.child.pid}`);
    expect(second.stdout()).toBe('');
    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(143);
    // Released on exit: the next one starts.
    const third = sim(['--state', state]);
    await banner(third, 4);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(143);
  });

  it('refuses a corrupt state file without touching it', async () => {
    const state = path.join(dir, 'corrupt.json');
    writeFileSync(state, '{"format": "upbit-tui/exchange", "version": 1, "accounts": [');
    const run = sim(['--state', state]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(`The state file ${state} cannot be used (it is not JSON`);
    expect(run.stderr()).toContain('move it away (or delete it) to start with a fresh exchange');
    expect(run.stdout()).toBe('');
    expect(readFileSync(state, 'utf8')).toBe('{"format": "upbit-tui/exchange", "version": 1, "accounts": [');

    writeFileSync(state, '{"format": "something-else"}');
    const wrong = sim(['--state', state]);
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toMatch(/cannot be used \(.*snapshot\.format/);
    expect(readFileSync(state, 'utf8')).toBe('{"format": "something-else"}');
  });

  it('refuses bad flag values with a one-line reason and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--krw', '-5'], /--krw must be a positive amount of KRW/],
      [['--krw', '0'], /--krw must be a positive amount of KRW/],
      [['--drop-after-rate', '2'], /--drop-after-rate must be a probability from 0 to 1/],
      [['--error-status', '504'], /--error-status must be 500, 502 or 503/],
      [['--latency-ms', 'soon'], /--latency-ms must be a whole number/],
      [['--drop-before-rate', '0.6', '--reset-rate', '0.6'], /--drop-before-rate 0\.6, --reset-rate 0\.6 add up to 1\.2/],
      [['--host', '0.0.0.0'], /--host 0\.0\.0\.0 is not a loopback address/],
      [['--host', '127.attacker.example'], /--host 127\.attacker\.example is not a loopback address/],
      [['--script', '/nonexistent/prices.json'], /Cannot read the price script \/nonexistent\/prices\.json/],
    ];
    // In parallel: each is a separate process.
    const runs = cases.map(([args]) => sim(args));
    const codes = await Promise.all(runs.map((run) => run.exited));
    cases.forEach(([args, reason], i) => {
      const run = runs[i];
      if (run === undefined) throw new Error('BUG: a run is missing');
      const what = `${args.join(' ')} → ${run.stderr()}`;
      expect(codes[i], what).toBe(2);
      expect(run.stderr().split('\n')[0], what).toMatch(reason);
      expect(run.stdout(), what).toBe('');
    });
  }, 60_000);

  it('refuses a --port in use with one line saying what to pass, exit 2, and a repeated --port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const address = taken.address();
      if (address === null || typeof address === 'string') throw new Error('BUG: no port');
      const run = sim(['--port', String(address.port)]);
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toBe(`upbit-tui: Port ${address.port} on 127.0.0.1 is already in use (by another upbit-tui sim, or another program): pass another --port, or --port 0 for any free one.\n`);
      expect(run.stdout()).toBe('');
      const twice = sim(['--port', '0', '--port', String(address.port)]);
      expect(await twice.exited).toBe(2);
      expect(twice.stderr()).toBe(`upbit-tui: --port is given twice ("0" and "${address.port}"); give it once.\n(run upbit-tui sim --help for usage)\n`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 30_000);

  it('refuses half a key pair', async () => {
    const run = sim([], { UPBIT_ACCESS_KEY: 'only-the-access-key' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/Set both UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY, or neither/);
  });

  it('plays the fault flags: --rate-429 1 answers every request 429', async () => {
    const run = sim(['--rate-429', '1', '--fault-seed', '1']);
    const lines = await banner(run, 4);
    const res = await request(`${value(lines, 'rest')}/v1/accounts`);
    expect(res.statusCode).toBe(429);
    await res.body.dump();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
  });
});
