/**
 * The journal is keyed on the account and exchange, not on how the URL is spelled
 * (issue 7 §5): an order whose outcome was lost while trading a simulator as `http://127.0.0.1:P` is
 * resolved by the next command run as `http://localhost:P` before that command places
 * anything; and a journal written under the earlier URL-keyed naming is taken in, its
 * pending attempts resolved, not orphaned.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { journalPath, openJournal, type OrderJournal } from '../../src/trading/journal/index.js';
import { accountIdOf } from '../../src/trading/rest-venue.js';
import { arrayOf, jsonOf, runCli } from './trade-helpers.js';

const ACCESS = 'identity-test-access-key-0123456789abcd';
const SECRET = 'identity-test-secret-key-0123456789abcd';
const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
let sim: SimServer;
let asLocalhost: string;
const dirs: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-journal-identity-'));
  dirs.push(dir);
  return dir;
}
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
  asLocalhost = sim.restUrl.replace('127.0.0.1', 'localhost');
  expect(asLocalhost).not.toBe(sim.restUrl);
});
afterAll(async () => {
  await sim.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const journalDir = (dir: string): string => path.join(dir, 'data', 'upbit-tui', 'journal');
const noticesOf = (stderr: string): string[] => stderr.split('\n').filter((l) => l.includes("an earlier run's order"));

describe('one journal per account and exchange, whatever the URL', () => {
  it('an unknown order placed via 127.0.0.1 is resolved by a command run via localhost before it places its own', async () => {
    const dir = home();
    // Placed by the exchange, answer dropped, every lookup failing: exit 5, outcome unknown.
    sim.faults.nextHttp.push({ kind: 'dropAfter', match: { method: 'POST', path: '/v1/orders' } });
    for (let i = 0; i < 40; i += 1) sim.faults.nextHttp.push({ kind: 'status5xx', status: 503, match: { method: 'GET', path: '/v1/order' } });
    const first = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', '2000000', '--volume', '0.01', '--json'], dir, env);
    sim.faults.nextHttp.length = 0;
    expect(first.code, first.stderr).toBe(5);
    const identifier = String(jsonOf(first)['identifier']);

    const second = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', asLocalhost, '--price', '1000000', '--volume', '0.01', '--json'], dir, env);
    expect(second.code, second.stderr).toBe(0);
    const doc = jsonOf(second);
    expect(arrayOf(doc['recovered'])).toEqual([expect.objectContaining({ identifier, outcome: 'placed', state: 'wait' })]);
    expect(noticesOf(second.stderr)).toEqual([expect.stringContaining(`(identifier ${identifier}, uuid `)]);
    // Resolved before its own order was sent: its stderr says so before the command's result.
    const placedUuid = String((doc['order'] as Record<string, unknown>)['uuid']);
    const mine = sim.exchange.list(ACCESS, {}).filter((o) => o.identifier === identifier || o.uuid === placedUuid);
    expect(mine).toHaveLength(2);
    // One journal file (no second one for the other spelling).
    expect(readdirSync(journalDir(dir)).filter((f) => f.endsWith('.sqlite'))).toHaveLength(1);
  }, 120_000);

  it('a pending attempt in a journal of the earlier URL-keyed naming is taken in and resolved, not orphaned', async () => {
    const dir = home();
    const dataDir = path.join(dir, 'data', 'upbit-tui');
    const accountId = accountIdOf(ACCESS);
    // The earlier naming: the journal of `http://127.0.0.1:P` (and one of another port of the
    // same simulator), each with an attempt left pending by a crash.
    const earlier = (endpoint: string): { file: string; journal: OrderJournal } => {
      const file = journalPath(dataDir, { endpoint, accountId });
      return { file, journal: openJournal(file, { endpoint, accountId }) };
    };
    const a = earlier(sim.restUrl);
    const sentIntent = a.journal.createIntent({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '3000000', volume: '0.01', source: 'cli' });
    const sent = a.journal.beginAttempt(sentIntent.id).identifier;
    // The crash came after the exchange placed it.
    const onExchange = sim.exchange.place(ACCESS, { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '3000000', volume: '0.01', identifier: sent });
    a.journal.close();
    const b = earlier('http://127.0.0.1:1');
    const lostIntent = b.journal.createIntent({ market: 'KRW-BTC', side: 'ask', ordType: 'market', volume: '0.5', source: 'cli' });
    const lost = b.journal.beginAttempt(lostIntent.id).identifier;
    b.journal.close();

    const r = await runCli(['orders', '--sim', '--api-url', asLocalhost, '--json'], dir, env);
    expect(r.code, r.stderr).toBe(0);
    const recovered = arrayOf(jsonOf(r)['recovered']);
    expect(recovered).toHaveLength(2);
    expect(recovered).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ identifier: sent, uuid: onExchange.uuid, outcome: 'placed', state: 'wait' }),
        expect.objectContaining({ identifier: lost, uuid: null, side: 'ask', ordType: 'market', volume: '0.5', outcome: 'not_placed' }),
      ]),
    );
    expect(noticesOf(r.stderr)).toHaveLength(2);
    // The earlier files are set aside, and the next command has nothing left to resolve.
    expect(existsSync(a.file)).toBe(false);
    expect(existsSync(`${a.file}.absorbed`)).toBe(true);
    expect(existsSync(b.file)).toBe(false);
    const again = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(again.code).toBe(0);
    expect(jsonOf(again)['recovered']).toEqual([]);
    expect(arrayOf(jsonOf(again)['orders']).map((o) => o['identifier'])).toContain(sent);
  }, 120_000);
});
