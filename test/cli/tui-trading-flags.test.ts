/**
 * The TUI's trading flags mean what the trading commands' mean, and their contradictions are
 * the commands' usage errors: said as one line before the TUI takes the terminal, exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { runCli } from './trade-helpers.js';

const home = mkdtempSync(path.join(tmpdir(), 'upbit-tui-flags-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the TUI\'s trading flags', () => {
  it.each([
    [['--live', '--paper'], '--live and --paper contradict each other. Use --live for real orders or --paper for paper trading.'],
    [['--live', '--sim'], '--live sends real orders to Upbit, --sim uses the built-in exchange: pick one.'],
  ])('%j is the trading commands\' usage error, before anything starts', async (args, line) => {
    const tui = await runCli(args, home);
    const command = await runCli(['balance', ...args], home);
    expect([tui.code, tui.stderr]).toEqual([2, `upbit-tui: ${line}\n`]);
    expect([command.code, command.stderr]).toEqual([2, `upbit-tui: ${line}\n`]);
  });

  it('takes --paper, --live and --key-file (not an unknown option); typed before a command, they are refused with where they go', async () => {
    // Not a terminal: past the flags, the TUI says it needs one.
    const tui = await runCli(['--paper', '--key-file', path.join(home, 'keys.json')], home);
    expect(tui.code).toBe(2);
    expect(tui.stderr).toMatch(/^upbit-tui: the TUI needs an interactive terminal/);
    const before = await runCli(['--live', 'balance'], home);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/^upbit-tui: --live before "balance" is an option of the TUI: put it after the command name \(upbit-tui balance --live …\)\./);
  });
});
