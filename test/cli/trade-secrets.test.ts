/**
 * The API secret never reaches the log file: commands signed with real keys (against a
 * simulator on port 0 with that account) log at debug level, and the file is scanned for the
 * secret and for any bearer token. The embedded exchange's own generated secret is kept out
 * of the log too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { jsonOf, logFileOf, runCli } from './trade-helpers.js';

const ACCESS = 'a'.repeat(8) + 'access0123456789abcdef0123456789ab';
const SECRET = 'S3cr3t' + 'f00dfeedbeef0123456789abcdef012345';
const TIMEOUT = 60_000;

let sim: SimServer;
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-secrets-'));
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectClean(log: string, secret: string): void {
  expect(log.length).toBeGreaterThan(0);
  expect(log).not.toContain(secret);
  expect(log).not.toMatch(/Bearer/i);
  // A JWT (three base64url parts, the first starting with {"alg" = eyJ) would carry a signature made with the secret.
  expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
}

describe('secrets absent from every log line', () => {
  it('with UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY against --sim --api-url', async () => {
    const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET, UPBIT_TUI_LOG_LEVEL: 'debug' };
    const balance = await runCli(['balance', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(balance.code).toBe(0);
    expect(jsonOf(balance)['mode']).toBe('sim');
    const buy = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--total', '10000'], dir, env);
    expect(buy.code).toBe(0);
    // Not affordable: refused before anything is sent (balances are read first), exit 3.
    const broke = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--total', '900000000'], dir, env);
    expect(broke.code).toBe(3);
    // The mode notice, then the one-line reason.
    expect(broke.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/Simulated trading on/), expect.stringMatching(/^upbit-tui: Spending 900,000,000 KRW needs .* including .* but /)]);
    // Wrong secret: Upbit (the simulator) refuses the keys — exit 3 and nothing secret logged.
    const wrong = await runCli(['balance', '--sim', '--api-url', sim.restUrl], dir, { ...env, UPBIT_SECRET_KEY: `${SECRET}x` });
    expect(wrong.code).toBe(3);
    for (const r of [balance, buy, broke, wrong]) {
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    expectClean(readFileSync(logFileOf(dir), 'utf8'), SECRET);
  }, TIMEOUT);

  it("with the embedded exchange's generated keys", async () => {
    const home = path.join(dir, 'embedded');
    const r = await runCli(['--sim', 'buy', 'KRW-BTC', '--total', '10000'], home, { UPBIT_TUI_LOG_LEVEL: 'debug' });
    expect(r.code).toBe(0);
    const state: unknown = JSON.parse(readFileSync(path.join(home, 'data', 'upbit-tui', 'sim', 'state.json'), 'utf8'));
    const secrets = JSON.stringify(state).match(/"secretKey":"([^"]+)"/);
    const secret = secrets?.[1];
    expect(secret).toBeDefined();
    expectClean(readFileSync(logFileOf(home), 'utf8'), secret ?? '');
    expect(r.stdout + r.stderr).not.toContain(secret ?? '');
  }, TIMEOUT);
});
