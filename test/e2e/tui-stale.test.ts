/**
 * The built binary against a simulator that this test owns, in a real pseudo-terminal at
 * 80×24: when the feed goes dead (the socket stays open, nothing arrives, no pong), the
 * screen must stop looking live within seconds, and come back when the feed does.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/sim/index.js';
import { ROOT, exitCodeOf, runInPty, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
const PRICE = /\d{1,3}(,\d{3})+/;

let sim: SimServer | undefined;
let run: PtyRun | undefined;
afterEach(async () => {
  run?.kill();
  run = undefined;
  await sim?.close();
  sim = undefined;
});

async function screenWhere(r: PtyRun, predicate: (text: string, lines: string[]) => boolean, what: string, timeoutMs: number): Promise<string[]> {
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await r.screen();
      return predicate(last.join('\n'), last);
    },
    what,
    timeoutMs,
    50,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${last.join('\n')}`);
  });
  return last;
}

// With the trading session, the mode badge leads and the account follows the age (80 columns may cut throughput).
const statusLine = (lines: string[]): string => (lines.find((l) => /^(SIM|PAPER|LIVE!?) · /.test(l) || l.includes('msg/s')) ?? '').replace(/^(SIM|PAPER|LIVE!?) · /, '');
const rowOf = (lines: string[], label: string): string => lines.find((l) => l.startsWith(label)) ?? '';

describe('a feed that goes dead, on the built binary', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });

  it('shows silent and STALE rows within seconds, keeps state and age in 80 columns, and recovers', { timeout: 60_000 }, async () => {
    sim = await startSimServer({ seed: 11 });
    const r = runInPty(['--ws-url', sim.wsUrl, '--api-url', sim.restUrl]);
    run = r;
    await screenWhere(r, (text) => text.includes('live') && PRICE.test(text) && text.includes('ETH/KRW') && !text.includes('waiting'), 'live prices', 10_000);

    sim.faults.silent = true;
    const deadAt = Date.now();
    const dead = await screenWhere(r, (_t, lines) => rowOf(lines, 'BTC/KRW').includes('STALE') && rowOf(lines, 'ETH/KRW').includes('STALE'), 'both rows STALE', 12_000);
    const noticedMs = Date.now() - deadAt;
    // 5 s of silence (no tick, no pong) is the threshold; the probe ping makes it certain by then.
    expect(noticedMs).toBeLessThan(7_000);
    const status = statusLine(dead);
    // The state and the age lead, so 80 columns keep them; no live word while nothing arrives.
    expect(status).toMatch(/^(silent!?|reconnecting in \d+s \(attempt \d+\)|offline, retrying in \d+s \(attempt \d+\)) · last \d+(\.\d)?s ago/);
    expect(status.length).toBeLessThanOrEqual(80);
    // The user chose the server with --ws-url: no "try --sim".
    expect(dead.join('\n')).not.toContain('--sim');

    sim.faults.silent = false;
    sim.dropConnections();
    const back = await screenWhere(r, (text, lines) => statusLine(lines).startsWith('live') && !text.includes('STALE'), 'live again, nothing stale', 15_000);
    expect(PRICE.test(rowOf(back, 'BTC/KRW'))).toBe(true);
    r.write('q');
    expect(await exitCodeOf(r, 8000)).toBe(0);
  });
});
