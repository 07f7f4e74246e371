/**
 * The config file on the real command line: the built binary in a pseudo-terminal with its own
 * XDG_CONFIG_HOME. A bad file names itself, the key and what is allowed, and the app starts
 * with that key's default; a remapped key works and the footer shows it; the file is never
 * written.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, runInPty } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

function configHome(config: string): { home: string; file: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'upbit-tui-config-'));
  mkdirSync(path.join(home, 'upbit-tui'));
  const file = path.join(home, 'upbit-tui', 'config.json');
  writeFileSync(file, config);
  return { home, file };
}

async function screenWith(run: ReturnType<typeof runInPty>, what: string, test: (text: string) => boolean): Promise<string> {
  return waitFor(
    async () => {
      const text = (await run.screen()).join('\n');
      return test(text) ? text : undefined;
    },
    what,
    10_000,
  ).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${(await run.screen()).join('\n')}`);
  });
}

describe('the config file, on the built binary', () => {
  it('a bad key is named with its file and what is allowed, the others apply, and the file is left as it was', async () => {
    const text = '{"orderType": "stop", "quickSizes": [10, 20], "keys": {"buy": ["ctrl+1"]}}\n';
    const { home, file } = configHome(text);
    const before = statSync(file).mtimeMs;
    const run = runInPty(['--sim'], { cols: 200, rows: 30, env: { XDG_CONFIG_HOME: home } });
    const screen = await screenWith(run, 'the config notice', (t) => t.includes('orderType') && /\d{1,3}(,\d{3})+/.test(t));
    expect(screen.replace(/\s+/g, ' ')).toContain(`${file}: orderType: "stop" is not an order type; use one of "limit", "market", "best".`);
    expect(screen).toMatch(/\(\+1 more: press l\)/);
    // The log pane has them all.
    run.write('l');
    const log = await screenWith(run, 'the log pane', (t) => t.includes('LOG'));
    expect(log.replace(/\s+/g, ' ')).toContain('keys.buy');
    // The bad remap kept b; the good key (quickSizes) applies.
    expect(screen).toContain('b buy');
    run.write('q');
    expect(await exitCodeOf(run)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('a remapped key works and the footer and help show it', async () => {
    const { home } = configHome('{"keys": {"buy": ["B"], "orders": ["O"]}}');
    const run = runInPty(['--sim'], { cols: 120, rows: 30, env: { XDG_CONFIG_HOME: home } });
    await screenWith(run, 'the remapped footer', (t) => t.includes('B buy') && /\d{1,3}(,\d{3})+/.test(t));
    run.write('b');
    run.write('B');
    await screenWith(run, 'the ticket', (t) => t.includes('BUY BTC/KRW'));
    run.write('\x1b');
    await screenWith(run, 'the watchlist', (t) => !t.includes('BUY BTC/KRW') && t.includes('B buy'));
    run.write('q');
    expect(await exitCodeOf(run)).toBe(0);
  });
});
