/**
 * The built-in exchange owned once per data directory: the first opener hosts it and says
 * where in sim/host.json, the next ones attach to it with the state file's keys; a stale or
 * forged host file is never trusted with the keys; a host that goes away is said plainly (and
 * a long-lived client hosts it again); a read-only folder is one clear line. All in-process
 * (the state file's lock refuses a second holder within one process as across processes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

import { embeddedHostFile, readHostRecord } from '../../src/app/embedded-discovery.js';
import { embeddedSimStateFile, keepEmbeddedExchange, openEmbeddedExchange, type EmbeddedExchange } from '../../src/app/embedded-exchange.js';
import { UsageError } from '../../src/app/errors.js';
import { lockStateFile } from '../../src/app/sim-state.js';
import { openTradingContext } from '../../src/app/trading-context.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { testKernel } from '../runtime/helpers.js';
import { Money } from '../../src/trading/money.js';
import { UpbitRestClient } from '../../src/upbit/rest/index.js';
import { blockSaves } from '../helpers/unwritable.js';
import { waitFor } from '../helpers/wait-for.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const hostFixture = fileURLToPath(new URL('../fixtures/app/embedded-host.ts', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-embedded-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(dir: string, extra: { publishWaitMs?: number; port?: number; holdHost?: boolean; clientWaitMs?: number } = {}): Promise<EmbeddedExchange> {
  const exchange = await openEmbeddedExchange({ dataDir: dir, logger: memoryLogger(), ...extra });
  cleanups.push(() => exchange.close());
  return exchange;
}

function restOf(exchange: EmbeddedExchange): UpbitRestClient {
  const rest = new UpbitRestClient({ baseUrl: exchange.restUrl, keys: exchange.keys, logger: memoryLogger() });
  cleanups.push(() => rest.close());
  return rest;
}

/** A pid no process has: one that has just exited. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(run.stdout);
}

/** A listener on 127.0.0.1:0 that is not the exchange, recording what it is sent. */
async function impostor(answer: (req: IncomingMessage) => unknown): Promise<{ url: string; requests: Array<{ url: string; authorization: string | undefined }> }> {
  const requests: Array<{ url: string; authorization: string | undefined }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const body = JSON.stringify(answer(req));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, requests };
}

function writeHostFile(dir: string, record: Record<string, unknown>): void {
  writeFileSync(embeddedHostFile(dir), JSON.stringify(record), { mode: 0o600 });
}

describe('the built-in exchange of a data directory', () => {
  it('is hosted by the first opener, which says where in an owner-only host file; the next one attaches to it, same account; closing, the host waits for it', async () => {
    const dir = dataDir();
    const host = await open(dir);
    expect(host.role).toBe('host');
    const record = readHostRecord(embeddedHostFile(dir));
    expect(record).toMatchObject({ pid: process.pid, restUrl: host.restUrl, wsUrl: host.wsUrl, privateWsUrl: host.privateWsUrl });
    expect(statSync(embeddedHostFile(dir)).mode & 0o777).toBe(0o600);

    const client = await open(dir);
    expect(client.role).toBe('attached');
    expect(client.hostPid).toBe(process.pid);
    expect(client.restUrl).toBe(host.restUrl);
    expect(client.keys.accessKey).toBe(host.keys.accessKey);
    expect(client.keys.secretKey.reveal()).toBe(host.keys.secretKey.reveal());
    expect(client.hostAlive()).toBe(true);
    expect(client.problem()).toBeUndefined();

    // One exchange: an order through the client is the host's, and in the state file.
    const order = await restOf(client).placeOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'price', price: new Money('10000'), identifier: `test-${Date.now()}` });
    const seen = await restOf(host).getOrder({ uuid: order.uuid });
    expect(seen.uuid).toBe(order.uuid);
    await waitFor(() => readFileSync(embeddedSimStateFile(dir), 'utf8').includes(order.uuid), 'the order in the state file');

    // Closing, the host waits for the command attached to it: its orders still go through, no newcomer attaches.
    let closed = false;
    const closing = host.close().then(() => (closed = true));
    await waitFor(() => readHostRecord(embeddedHostFile(dir))?.closing, 'the host file marked closing');
    const late = await restOf(client).placeOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'price', price: new Money('10000'), identifier: `late-${Date.now()}` });
    expect(late.uuid).toBeTruthy();
    // A newcomer meanwhile waits for the host to stop, then hosts (with the same account).
    const newcomer = open(dir);
    expect(closed).toBe(false);
    const closedAt = Date.now();
    await client.close();
    await closing;
    expect(Date.now() - closedAt).toBeLessThan(2000);
    const next = await newcomer;
    expect(next.role).toBe('host');
    expect(readHostRecord(embeddedHostFile(dir))?.closing).toBeUndefined();
    expect(next.keys.accessKey).toBe(host.keys.accessKey);
    expect((await restOf(next).getOrder({ uuid: order.uuid })).uuid).toBe(order.uuid);
  });

  it('a host file of a process that has exited is stale: the opener hosts and replaces it', async () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'sim'), { recursive: true });
    const fake = await impostor(() => ({ proof: 'x' }));
    writeHostFile(dir, { version: 1, pid: deadPid(), command: 'upbit-tui --sim', since: 'then', restUrl: fake.url, wsUrl: 'ws://127.0.0.1:1/websocket/v1', privateWsUrl: 'ws://127.0.0.1:1/websocket/v1/private', token: 'a'.repeat(64) });
    const exchange = await open(dir);
    expect(exchange.role).toBe('host');
    expect(readHostRecord(embeddedHostFile(dir))?.pid).toBe(process.pid);
    // Liveness is the lock's: the listener of the stale file was not even asked.
    expect(fake.requests).toEqual([]);
  });

  it('never sends the keys to a listener that cannot prove it is the host (a port now someone else\'s), and says who holds the state', async () => {
    const dir = dataDir();
    // An account in the state file, then the state held by a process that does not publish (as `upbit-tui sim --state` does).
    await (await open(dir)).close();
    const lock = await lockStateFile(embeddedSimStateFile(dir));
    cleanups.push(() => lock.release());
    for (const answer of [(): unknown => ({ proof: 'f'.repeat(64) }), (req: IncomingMessage): unknown => ({ proof: new URL(req.url ?? '/', 'http://x').searchParams.get('challenge') })]) {
      const fake = await impostor(answer);
      writeHostFile(dir, { version: 1, pid: process.pid, command: 'upbit-tui --sim', since: 'now', restUrl: fake.url, wsUrl: 'ws://127.0.0.1:1/websocket/v1', privateWsUrl: 'ws://127.0.0.1:1/websocket/v1/private', token: 'b'.repeat(64) });
      const error = await openEmbeddedExchange({ dataDir: dir, logger: memoryLogger(), publishWaitMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/is in use by another upbit-tui process \(pid \d+.*\)\. It runs the built-in exchange without sharing it .* Quit it and run this again, or pass another --data-dir\.$/);
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.every((r) => r.url.startsWith('/upbit-tui/identify?challenge=') && r.authorization === undefined)).toBe(true);
    }
  });

  it('a host file naming a listener off loopback is not trusted at all', async () => {
    const dir = dataDir();
    const fake = await impostor(() => ({}));
    mkdirSync(path.join(dir, 'sim'), { recursive: true });
    writeHostFile(dir, { version: 1, pid: process.pid, command: 'x', since: 'now', restUrl: fake.url.replace('127.0.0.1', 'localhost.example'), wsUrl: 'ws://127.0.0.1:1/websocket/v1', privateWsUrl: 'ws://127.0.0.1:1/websocket/v1/private', token: 'c'.repeat(64) });
    expect(readHostRecord(embeddedHostFile(dir))).toBeUndefined();
  });

  it('a command attached to a host that stops gets one line saying what happened and what to do', async () => {
    const dir = dataDir();
    const host = await open(dir, { clientWaitMs: 100 });
    const { kernel: ctxKernel } = testKernel({ stepDeadlineMs: 3_000 });
    const ctx = await openTradingContext(ctxKernel, { sim: true, paper: false, live: false, apiUrl: undefined, dataDir: dir, keyFile: undefined }, { env: {}, logger: memoryLogger(), notice: () => undefined });
    cleanups.push(async () => void (await ctxKernel.shutdown({ kind: 'user' })));
    expect(ctx.venue.accountId).toBeDefined();
    expect(ctx.stateProblem()).toBeUndefined();
    await host.close();
    const failed = await ctx.venue.accounts().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    const problem = ctx.stateProblem();
    expect(problem).toBeInstanceOf(UsageError);
    expect(problem?.message).toMatch(
      new RegExp(`^The built-in exchange was run by another process \\(pid ${process.pid}, ".*"\\), which stopped while this command used it\\. .*Run the command again: it starts the exchange itself when no other process runs it\\.$`),
    );
  });

  it('a host killed without a word (kill -9: its host file left behind) is gone too, by its pid', async () => {
    const dir = dataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', hostFixture, dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('host'), 'the child hosting the exchange', 15_000);
    const client = await open(dir, { holdHost: false });
    expect(client.role).toBe('attached');
    expect(client.hostPid).toBe(child.pid);
    expect(client.hostAlive()).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(readHostRecord(embeddedHostFile(dir))?.pid).toBe(child.pid);
    expect(client.hostAlive()).toBe(false);
    expect(client.problem()?.message).toMatch(new RegExp(`^The built-in exchange was run by another process \\(pid ${child.pid}, .*which stopped while this command used it`));
    // The lock died with it: the next opener hosts.
    expect((await open(dir)).role).toBe('host');
  });

  it('a long-lived client (the TUI) hosts the exchange itself, on the same port, once its host has gone', async () => {
    const dir = dataDir();
    const host = await open(dir);
    const client = await open(dir, { holdHost: false });
    const changes: Array<[string, string]> = [];
    const keeper = keepEmbeddedExchange(client, { dataDir: dir, logger: memoryLogger(), pollMs: 20, onChange: (next, previous) => changes.push([next.restUrl, previous.restUrl]) });
    const controller = new AbortController();
    const running = keeper.run(controller.signal);
    cleanups.push(async () => {
      controller.abort();
      await running;
      await keeper.close();
    });
    await host.close();
    await waitFor(() => keeper.current().role === 'host', 'the client hosting the exchange itself');
    expect(changes).toEqual([[host.restUrl, host.restUrl]]);
    expect(keeper.current().keys.accessKey).toBe(host.keys.accessKey);
    // And it is the data directory's host now: the next opener attaches to it.
    const third = await open(dir);
    expect(third.role).toBe('attached');
    expect(third.restUrl).toBe(host.restUrl);
  });

  it('paper trading on simulated quotes reads the running host\'s prices, or runs an exchange of its own when none', async () => {
    const flags = { sim: true, paper: true, live: false, apiUrl: undefined, keyFile: undefined };
    const alone = dataDir();
    const own: string[] = [];
    const { kernel: firstKernel } = testKernel({ stepDeadlineMs: 3_000 });
    await openTradingContext(firstKernel, { ...flags, dataDir: alone }, { env: {}, logger: memoryLogger(), notice: (line: string) => own.push(line) });
    cleanups.push(async () => void (await firstKernel.shutdown({ kind: 'user' })));
    expect(own).toContain('using the built-in exchange for quotes.');

    const dir = dataDir();
    await open(dir);
    const notices: string[] = [];
    const { kernel: ctxKernel } = testKernel({ stepDeadlineMs: 3_000 });
    const ctx = await openTradingContext(ctxKernel, { ...flags, dataDir: dir }, { env: {}, logger: memoryLogger(), notice: (line: string) => notices.push(line) });
    cleanups.push(async () => void (await ctxKernel.shutdown({ kind: 'user' })));
    expect(notices).toContain(`using the built-in exchange run by pid ${process.pid} for quotes.`);
    const [ticker] = await ctx.venue.tickers(['KRW-BTC']);
    expect(ticker?.market).toBe('KRW-BTC');
  });

  it('a folder that cannot be written: attached while a host runs, and one clear line when none does', async () => {
    const dir = dataDir();
    const host = await open(dir);
    const blocked = blockSaves(embeddedSimStateFile(dir));
    cleanups.push(() => blocked.undo());
    if (blocked.how === 'temp folder') return; // neither chmod nor chattr here: the case below cannot be made
    const client = await open(dir);
    expect(client.role).toBe('attached');
    await client.close();
    blocked.undo();
    await host.close();

    const fresh = dataDir();
    mkdirSync(path.join(fresh, 'sim'));
    const undo = blockSaves(embeddedSimStateFile(fresh));
    cleanups.push(() => undo.undo());
    const error = await openEmbeddedExchange({ dataDir: fresh, logger: memoryLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      new RegExp(`^The built-in exchange cannot keep its state in ${path.join(fresh, 'sim')} \\(.*not writable.*\\), and no other upbit-tui runs it there\\. Make that folder writable, or pass another --data-dir\\.$`),
    );
  });
});
