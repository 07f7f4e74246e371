/**
 * `--markets` when the exchange's market list cannot be had at start-up (no network): the
 * TUI starts anyway, says on screen which markets are unverified, and once the list answers
 * names the one the exchange does not list. Runs from source in a real pseudo-terminal.
 */
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { ROOT, exitCodeOf, runInPty, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function screenWith(run: PtyRun, text: string, timeoutMs: number): Promise<string> {
  let last = '';
  await waitFor(
    async () => {
      last = (await run.screen()).join('\n');
      return last.includes(text);
    },
    `"${text}" on screen`,
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${last}`);
  });
  return last;
}

describe('--markets without a reachable market list', () => {
  it('says on screen that the markets are unverified, then names the unknown one once the list answers', async () => {
    // A port nothing listens on (yet): the list request is refused, as with no network.
    const probe = await startSimServer({ port: 0, markets: ['KRW-BTC'] });
    const port = new URL(probe.restUrl).port;
    await probe.close();

    const entry = path.join(ROOT, 'test', 'cli', 'cli-entry.ts');
    const args = ['--markets', 'KRW-BTC,KRW-FAKE', '--api-url', `http://127.0.0.1:${port}`, '--ws-url', `ws://127.0.0.1:${port}/websocket/v1`, '--no-color'];
    const run = runInPty([], { cols: 200, command: `node --import tsx ${entry} ${args.join(' ')}`, env: { CI: '0', CONTINUOUS_INTEGRATION: '0' } });
    cleanups.push(() => run.kill('SIGKILL'));

    const first = await screenWith(run, 'Not verified', 15_000);
    expect(first).toMatch(/Not verified \(127\.0\.0\.1:\d+ market list unreachable\): KRW-BTC, KRW-FAKE\./);

    // The exchange comes up on that port: the next look names KRW-FAKE, and only it.
    let sim: SimServer | undefined;
    await waitFor(
      async () => {
        sim = await startSimServer({ port: Number(port), markets: ['KRW-BTC', 'KRW-ETH'] }).catch(() => undefined);
        return sim;
      },
      'the port to be free again',
      5_000,
      100,
    );
    cleanups.push(() => sim?.close());
    const later = await screenWith(run, 'is not a market', 20_000);
    expect(later).toMatch(/KRW-FAKE is not a market on 127\.0\.0\.1:\d+\./);
    expect(later).not.toContain('Not verified');

    run.write('q');
    expect(await exitCodeOf(run, 8_000)).toBe(0);
  }, 60_000);
});
