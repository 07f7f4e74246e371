/**
 * `cancel` as a real process against a simulator on port 0 (issue 7 §4): a cancel whose answer
 * is lost is reported cancelled (exit 0), not "could not be cancelled"; an order that is
 * already filled or cancelled is refused with what it is (exit 3), not "No order … on this
 * account".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { waitFor } from '../helpers/wait-for.js';
import { arrayOf, jsonOf, runCli } from './trade-helpers.js';

const ACCESS = 'cancel-test-access-key-0123456789abcdefg';
const SECRET = 'cancel-test-secret-key-0123456789abcdefg';
const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
const DELETE_ORDER = { method: 'DELETE', path: '/v1/order' };
let sim: SimServer;
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-cancel-'));
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
  sim.engine.scriptTrade('KRW-BTC', 95_000_000);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli([...args, '--sim', '--api-url', sim.restUrl], dir, env);

async function restingBuy(price: string): Promise<string> {
  const r = await cli(['buy', 'KRW-BTC', '--price', price, '--volume', '0.01', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return String((jsonOf(r)['order'] as Record<string, unknown>)['uuid']);
}

/** The first DELETE cancels but its answer is lost; the client's retry arrives after the cancel completed. */
function loseNextCancelAnswer(): void {
  sim.faults.nextHttp.push({ kind: 'dropAfter', match: DELETE_ORDER }, { kind: 'latency', latencyMs: 300, match: DELETE_ORDER });
}

describe('cancel when the answer is lost or the order already ended', () => {
  it('cancel <uuid> whose answer is lost: looked up, reported cancelled, exit 0', async () => {
    const uuid = await restingBuy('1000000');
    loseNextCancelAnswer();
    const r = await cli(['cancel', uuid]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Cancelled: limit buy 0\\.01 KRW-BTC.*, uuid ${uuid}\\.\\n$`));
    expect(sim.exchange.list(ACCESS, {}).find((o) => o.uuid === uuid)?.state).toBe('cancel');
  }, 60_000);

  it('cancel --all-mine whose answer is lost: in "cancelled", nothing "failed", exit 0', async () => {
    const uuid = await restingBuy('1100000');
    loseNextCancelAnswer();
    const r = await cli(['cancel', '--all-mine', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonOf(r);
    expect(arrayOf(doc['cancelled']).map((o) => [o['uuid'], o['state']])).toEqual([[uuid, 'cancel']]);
    expect(doc['failed']).toEqual([]);
  }, 60_000);

  it('cancel of an order already cancelled says so (exit 3), not "No order"', async () => {
    const uuid = await restingBuy('1200000');
    expect((await cli(['cancel', uuid])).code).toBe(0);
    await waitFor(() => sim.exchange.list(ACCESS, {}).find((o) => o.uuid === uuid)?.state === 'cancel', 'the cancel to complete');
    const again = await cli(['cancel', uuid]);
    expect(again.code).toBe(3);
    expect(again.stdout).toBe('');
    expect(again.stderr.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^upbit-tui: Order ${uuid} \\(identifier \\S+\\) is already cancelled \\(nothing filled\\); nothing to cancel\\.$`));
  }, 60_000);

  it('cancel of a filled order says it is done, how much and at what average (exit 3)', async () => {
    // Above the market: fills at once.
    const r = await cli(['buy', 'KRW-BTC', '--price', '100000000', '--volume', '0.0001', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const uuid = String((jsonOf(r)['order'] as Record<string, unknown>)['uuid']);
    await waitFor(() => sim.exchange.list(ACCESS, {}).find((o) => o.uuid === uuid)?.state === 'done', 'the buy to fill');
    const cancel = await cli(['cancel', uuid]);
    expect(cancel.code).toBe(3);
    expect(cancel.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^upbit-tui: Order ${uuid} \\(identifier \\S+\\) is already done \\(filled 0\\.0001 KRW-BTC at an average [\\d,.]+ KRW\\); nothing to cancel\\.$`),
    );
  }, 60_000);

  it('a uuid the account does not have is still "No order … on this account" (exit 3)', async () => {
    const r = await cli(['cancel', '00000000-0000-4000-8000-000000000000']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No order 00000000-0000-4000-8000-000000000000 on this account/);
  }, 60_000);
});
