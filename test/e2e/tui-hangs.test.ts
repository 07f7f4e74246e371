/**
 * The built binary in a real pseudo-terminal when the world around it fails: a full disk under
 * the log file, the terminal hanging up (the pty master closed, as an SSH drop does), and a
 * stop and continue from outside (SIGTSTP, the shell taking the terminal back, SIGCONT).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pty from '@lydell/node-pty';
import { beforeAll, describe, expect, it } from 'vitest';

import { BIN, ROOT, exitCodeOf, runInPty, sttyAfter, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
const PRICE = /\d{1,3}(,\d{3})+/;
/** A price in a market row of a screen (not the status bar's KRW figures, which look alike). */
const PRICE_ROW = /^.{0,3}[A-Z0-9]+\/KRW\b.*?\d{1,3}(,\d{3})+/m;

beforeAll(() => {
  if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
});

async function waitForPrices(run: PtyRun): Promise<void> {
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await run.screen();
      const text = last.join('\n');
      return text.includes('BTC') && PRICE_ROW.test(text);
    },
    'a frame with prices',
    8000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${last.join('\n')}`);
  });
}

/** A state home whose log file is /dev/full: every write fails with ENOSPC, as on a full disk. */
function fullDiskStateHome(): string {
  const home = mkdtempSync(path.join(tmpdir(), 'upbit-tui-full-'));
  mkdirSync(path.join(home, 'upbit-tui'));
  symlinkSync('/dev/full', path.join(home, 'upbit-tui', 'upbit-tui.log'));
  return home;
}

describe('a full disk under the log file', () => {
  it.each([
    ['q', 0, 'q'],
    ['Ctrl+C', 130, '\x03'],
    ['SIGTERM', 143, 'SIGTERM'],
  ] as const)('%s still quits promptly (exit %i), the drop said on screen', async (_what, code, action) => {
    const run = runInPty(['--sim'], { env: { XDG_STATE_HOME: fullDiskStateHome() } });
    await waitForPrices(run);
    // The first lines fail within the sink's first write (at most ~200 ms after start-up).
    await waitFor(async () => (await run.screen()).join('\n').includes('Log lines cannot be written'), 'the dropped-lines notice', 5000);
    const at = Date.now();
    if (action === 'SIGTERM') process.kill(run.childPid(), 'SIGTERM');
    else run.write(action);
    expect(await exitCodeOf(run, 5000)).toBe(code);
    expect(Date.now() - at).toBeLessThan(3000);
    const stty = await sttyAfter(run);
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  });
});

/** `node bin/upbit-tui.js --sim` as the pty's own process (its session leader, as a login shell's job is). */
function spawnDirect(stateHome: string) {
  const term = pty.spawn(process.execPath, [BIN, '--sim'], {
    name: 'xterm-256color',
    cols: 80,
    rows: 24,
    cwd: ROOT,
    env: { ...process.env, XDG_STATE_HOME: stateHome, XDG_DATA_HOME: stateHome, TERM: 'xterm-256color' },
  });
  let out = '';
  term.onData((d) => (out += d));
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => term.onExit(resolve));
  return { term, output: () => out, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('the terminal hanging up', () => {
  it('closing the pty master ends the TUI as SIGHUP does (a shell sees 129), releases done, no crash', { timeout: 30_000 }, async () => {
    for (let i = 0; i < 3; i++) {
      const stateHome = mkdtempSync(path.join(tmpdir(), 'upbit-tui-hup-'));
      const run = spawnDirect(stateHome);
      await waitFor(() => PRICE.test(run.output()), 'a frame with prices', 8000);
      // What sshd does when the connection drops: close the master; the kernel hangs the terminal up.
      // UnixTerminal.destroy (not in node-pty's typings): close the master fd, then SIGHUP the child.
      (run.term as unknown as { destroy(): void }).destroy();
      const { exitCode, signal } = await within(run.exited, 10_000, 'the TUI to exit after the hang-up');
      // Killed by SIGHUP (status 128 + 1 = 129 in a shell), not by SIGSEGV (11) or an abort.
      expect({ exitCode, signal }).toEqual({ exitCode: 0, signal: constants.signals.SIGHUP });
      const log = readFileSync(path.join(stateHome, 'upbit-tui', 'upbit-tui.log'), 'utf8');
      expect(log).toContain('"msg":"shutdown complete"');
      expect(log).toMatch(/"exitCode":129,"overruns":\[\],"errors":\[\],"msg":"shutdown complete"/);
      expect(log).not.toContain('forcing exit');
    }
  });
});

function processState(pid: number): string {
  // Field 3 of /proc/PID/stat, after the parenthesised command name.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

describe('stopped and continued from outside', () => {
  it('after SIGTSTP (the shell takes the terminal back, cooked) and fg: the frame is redrawn and q quits with 0', { timeout: 30_000 }, async () => {
    // A shell with job control, as the user's: the TUI is its foreground job; when the job
    // stops, the shell has the terminal in cooked mode (icanon, echo) and prints its prompt;
    // the test then types Enter, and the shell runs fg (SIGCONT, the terminal given back).
    const command = `set -m; node ${BIN} --sim; stty sane; printf 'PROMPT-WHILE-STOPPED$ '; read -r _; fg`;
    const run = runInPty([], { command });
    await waitForPrices(run);
    const pid = run.childPid();
    process.kill(pid, 'SIGTSTP');
    await waitFor(() => processState(pid) === 'T', 'the process to stop', 5000);
    await waitFor(async () => (await run.screen()).join('\n').includes('PROMPT-WHILE-STOPPED'), 'the prompt on screen', 5000);
    run.write('\r');
    await waitFor(() => processState(pid) !== 'T', 'the process to continue', 5000);
    // Redrawn whole: the prompt is gone and the prices are back.
    await waitFor(
      async () => {
        const text = (await run.screen()).join('\n');
        return !text.includes('PROMPT-WHILE-STOPPED') && text.includes('BTC') && PRICE_ROW.test(text);
      },
      'the frame redrawn over the prompt',
      5000,
    );
    const at = Date.now();
    run.write('q');
    expect(await exitCodeOf(run, 5000)).toBe(0);
    expect(Date.now() - at).toBeLessThan(2000);
    expect(await sttyAfter(run)).toMatch(/(^|\s)icanon(\s|$)/);
  });
});

describe('an unusable log location for the TUI', () => {
  it.each([
    ['under /proc (Node\'s recursive mkdir spins for ever there)', '/proc/nonexistent'],
    ['under a file', '/etc/passwd'],
  ])('%s: one line naming the log file, exit 2, the UI never started', async (_what, stateHome) => {
    const run = runInPty(['--sim'], { env: { XDG_STATE_HOME: stateHome } });
    expect(await exitCodeOf(run, 10_000)).toBe(2);
    const out = run.output().slice(0, run.output().indexOf('EXIT='));
    expect(out.trim()).toMatch(new RegExp(`^upbit-tui: Cannot write the log file ${stateHome}/upbit-tui/upbit-tui\\.log: .*XDG_STATE_HOME`));
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).not.toContain('\x1b[?1049h');
    expect(out).not.toMatch(/a bug|\n\s+at /);
  });
});
