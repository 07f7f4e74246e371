/**
 * `upbit-tui monitor`, headless, as a child process against a simulator of the test's own on
 * 127.0.0.1: it fires and logs JSON lines, stops on SIGTERM, refuses to be a second firing
 * process, and after a `kill -9` between the trigger and the POST, or between the POST and its
 * answer, the restarted monitor leaves exactly one order on the exchange and the rule never
 * fires again.
 */
import diagnostics from 'node:diagnostics_channel';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../src/sim/index.js';
import { Money } from '../../src/trading/decimal.js';
import { journalPath, openJournal, type OrderJournal } from '../../src/trading/journal/index.js';
import { RuleBook } from '../../src/trading/monitor/rule-book.js';
import { accountIdOf } from '../../src/trading/rest-venue.js';
import { UpbitRestClient } from '../../src/upbit/rest/index.js';
import { ACCOUNT, KEYS, MARKET, startSim } from '../fixtures/trading/order-harness.js';
import { price, rule } from '../fixtures/trading/monitor-rig.js';
import { waitFor } from '../helpers/wait-for.js';
import { startCli } from './trade-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEY_ENV = { UPBIT_ACCESS_KEY: ACCOUNT.accessKey, UPBIT_SECRET_KEY: ACCOUNT.secretKey };
const STOP = 94_000_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  sim: SimServer;
  client: UpbitRestClient;
  home: string;
  dataDir: string;
  journal: OrderJournal;
  book: RuleBook;
  /** POST /v1/orders the simulator received. */
  posts: () => number;
  /** The BTC bought at the start. */
  held: string;
}

async function rig(): Promise<Rig> {
  const sim = await startSim();
  cleanups.push(() => sim.close());
  const home = mkdtempSync(path.join(tmpdir(), 'upbit-monitor-cli-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const client = new UpbitRestClient({ baseUrl: sim.restUrl, keys: KEYS });
  cleanups.push(() => client.close());
  let posts = 0;
  const onStart = (message: unknown): void => {
    const m = message as { request: IncomingMessage; socket: Socket };
    if (m.socket.localPort === sim.port && m.request.method === 'POST' && (m.request.url ?? '').startsWith('/v1/orders')) posts += 1;
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  cleanups.push(() => void diagnostics.unsubscribe('http.server.request.start', onStart));
  // A position to protect, bought before the monitor runs.
  await client.placeOrder({ market: MARKET, side: 'bid', ordType: 'price', price: new Money(5_000_000), identifier: `setup-${Date.now()}` });
  const held = await waitFor(async () => (await client.accounts()).find((b) => b.currency === 'BTC')?.balance.toFixed(), 'the BTC bought');
  const dataDir = path.join(home, 'data-dir');
  // The journal the monitor opens (`--sim --api-url`: exchange "sim", the key's account).
  const journal = openJournal(journalPath(dataDir, { endpoint: 'sim', accountId: accountIdOf(ACCOUNT.accessKey) }), { endpoint: 'sim', accountId: accountIdOf(ACCOUNT.accessKey) });
  cleanups.push(() => journal.close());
  return { sim, client, home, dataDir, journal, book: new RuleBook(journal), posts: () => posts - 1, held };
}

interface Monitor {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<unknown>;
}

function startMonitor(r: Rig): Monitor {
  const { child, result } = startCli(['monitor', '--sim', '--api-url', r.sim.restUrl, '--data-dir', r.dataDir, '--stale-ms', '2000'], r.home, KEY_ENV);
  const lines: Array<Record<string, unknown>> = [];
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
      out = out.slice(nl + 1);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = result.catch(() => undefined);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, lines, stderr: () => err, exited };
}

const ruleEvents = (m: Monitor, id: number): string[] => m.lines.filter((l) => l['event'] === 'rule' && l['rule'] === id).map((l) => String(l['kind']));

async function watching(m: Monitor, armed: number): Promise<void> {
  await waitFor(() => {
    if (m.child.exitCode !== null) throw new Error(`the monitor exited ${m.child.exitCode}: ${m.stderr()}`);
    return m.lines.some((l) => l['event'] === 'watching' && l['armed'] === armed);
  }, `the monitor watching ${armed} rule(s)`, 20_000);
  // Subscribed: its demand reached the simulator's quotation stream.
  await waitFor(() => r0(m), 'the quotation link live', 10_000);
}

const r0 = (m: Monitor): boolean => m.lines.some((l) => l['event'] === 'connection' && l['state'] === 'live');

async function asks(r: Rig): Promise<number> {
  const done = await r.client.closedOrders({ market: MARKET, states: ['done', 'cancel'] });
  const open = await r.client.openOrders({ market: MARKET });
  return [...done, ...open].filter((o) => o.side === 'ask').length;
}

describe('upbit-tui monitor (headless)', () => {
  it('fires a stop on a crossing trade, logs JSON lines, and exits 143 on SIGTERM', async () => {
    const r = await rig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(STOP) })], { avgBuyPrice: () => null });
    if (stop === undefined) throw new Error('no rule');
    const m = startMonitor(r);
    await watching(m, 1);
    expect(m.lines[0]).toMatchObject({ event: 'notice' });
    expect(m.lines.find((l) => l['event'] === 'started')).toMatchObject({ mode: 'sim', quotes: r.sim.wsUrl });
    r.sim.engine.scriptTrade(MARKET, STOP - 100_000);
    await waitFor(() => ruleEvents(m, stop.id).includes('filled'), 'the rule filled', 15_000);
    expect(ruleEvents(m, stop.id)).toEqual(['triggered', 'ordered', 'filled']);
    expect(String(m.lines.find((l) => l['kind'] === 'triggered')?.['text'])).toContain(`selling ${r.held} BTC (all)`);
    expect(await asks(r)).toBe(1);
    m.child.kill('SIGTERM');
    const [code] = (await once(m.child, 'exit')) as [number | null];
    expect(code).toBe(143);
    expect(m.lines.at(-1)).toMatchObject({ event: 'stopping' });
  }, 60_000);

  it('a second monitor on the account and data directory refuses to fire (exit 6), naming the first', async () => {
    const r = await rig();
    r.book.add([rule({ kind: 'stop-loss', at: price(STOP) })], { avgBuyPrice: () => null });
    const first = startMonitor(r);
    await watching(first, 1);
    const second = startMonitor(r);
    const [code] = (await once(second.child, 'exit')) as [number | null];
    expect(code).toBe(6);
    expect(second.stderr()).toMatch(/in use by another upbit-tui process \(pid \d+, "upbit-tui monitor"/);
    expect(second.stderr()).toContain('one process fires them');
  }, 60_000);

  it('kill -9 between the POST and its answer: after a restart the order exists once and the rule is never fired again', async () => {
    const r = await rig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(STOP) })], { avgBuyPrice: () => null });
    if (stop === undefined) throw new Error('no rule');
    const first = startMonitor(r);
    await watching(first, 1);
    // The simulator takes the sell, then holds its answer: the monitor waits for it when killed.
    r.sim.faults.nextHttp.push({ kind: 'holdAfter', latencyMs: 60_000, match: { method: 'POST', path: '/v1/orders' } });
    r.sim.engine.scriptTrade(MARKET, STOP - 100_000);
    await waitFor(() => r.posts() === 1 && r.book.get(stop.id)?.state === 'triggered', 'the sell POSTed and the rule triggered', 15_000);
    await waitFor(async () => (await asks(r)) === 1, 'the sell on the exchange');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startMonitor(r);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled after the restart', 20_000);
    // More crossing trades: nothing fires again.
    r.sim.engine.scriptTrade(MARKET, STOP - 500_000);
    await waitFor(() => second.lines.some((l) => l['event'] === 'watching' && l['armed'] === 0), 'the monitor watching no armed rule');
    expect(r.posts()).toBe(1);
    expect(await asks(r)).toBe(1);
    const intents = r.journal.intents().filter((i) => i.source === 'monitor');
    expect(intents).toHaveLength(1);
    expect(intents[0]?.attempts.map((a) => a.state)).toEqual(['done']);
    expect(r.journal.rules.events(stop.id).filter((e) => e.to === 'triggered')).toHaveLength(1);
  }, 90_000);

  it('kill -9 between the trigger and the POST: the restarted monitor sends the journalled sell once', async () => {
    const r = await rig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(STOP) })], { avgBuyPrice: () => null });
    if (stop === undefined) throw new Error('no rule');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/trading/trigger-then-die.ts')], {
      cwd: ROOT,
      env: { ...process.env, JOURNAL: r.journal.file, ENDPOINT: 'sim', ACCOUNT: accountIdOf(ACCOUNT.accessKey), RULE: String(stop.id), VOLUME: r.held },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    expect(r.book.get(stop.id)?.state).toBe('triggered');
    expect(r.posts()).toBe(0);

    const m = startMonitor(r);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled', 30_000);
    expect(ruleEvents(m, stop.id)).toEqual(['resent', 'ordered', 'filled']);
    expect(r.posts()).toBe(1);
    expect(await asks(r)).toBe(1);
    const intent = r.journal.intents().find((i) => i.source === 'monitor');
    expect(intent?.attempts.map((a) => a.state)).toEqual(['not_found', 'done']);
  }, 90_000);
});
