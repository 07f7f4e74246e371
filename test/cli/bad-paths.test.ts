/**
 * Unusable data, state and log locations, and a full disk under the log: every command ends
 * within a bound, with one line naming the path, what is wrong and what to do, exit 2 — never
 * a hang (Node's recursive mkdir spins for ever under /proc), never a stack trace. And a full
 * disk under the log file does not stop a command: it does its work, exits as usual, and says
 * once that log lines were dropped.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { homeEnv, startCli, type CliResult } from './trade-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-bad-paths-'));
const home = path.join(dir, 'home');
const aFile = path.join(dir, 'a-file');
const dangling = path.join(dir, 'dangling');
const fifo = path.join(dir, 'fifo');
const readOnly = path.join(dir, 'read-only');
/** Root writes through permission bits: an immutable directory (chattr +i) refuses root too. */
let readOnlyHow: 'immutable' | 'mode 0500' | null = null;
const BOUND_MS = 15_000;

beforeAll(() => {
  writeFileSync(aFile, 'not a directory\n');
  symlinkSync(path.join(dir, 'nowhere', 'at-all'), dangling);
  execFileSync('mkfifo', [fifo]);
  mkdirSync(readOnly);
  if (process.getuid?.() === 0) {
    try {
      execFileSync('chattr', ['+i', readOnly], { stdio: 'ignore' });
      readOnlyHow = 'immutable';
    } catch {
      readOnlyHow = null; // no chattr, or a file system without attributes: not testable as root
    }
  } else {
    chmodSync(readOnly, 0o500);
    readOnlyHow = 'mode 0500';
  }
});

afterAll(() => {
  if (readOnlyHow === 'immutable') execFileSync('chattr', ['-i', readOnly]);
  else chmodSync(readOnly, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI to completion, or a failure once `BOUND_MS` has passed (the process is killed). */
async function runBounded(args: string[], env: Record<string, string> = {}): Promise<CliResult & { ms: number }> {
  const at = Date.now();
  const run = startCli(args, home, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), BOUND_MS);
  try {
    const result = await run.result;
    return { ...result, ms: Date.now() - at };
  } finally {
    clearTimeout(timer);
  }
}

function expectOneLine(r: CliResult & { ms: number }, code: number, mentions: RegExp): void {
  expect(r.ms, `finished within ${BOUND_MS} ms`).toBeLessThan(BOUND_MS);
  expect(r.stderr).not.toMatch(/a bug|\n\s+at |Error:/);
  const lines = r.stderr.trimEnd().split('\n');
  const last = lines.at(-1) ?? '';
  expect(last).toMatch(/^upbit-tui: /);
  expect(last).toMatch(mentions);
  // The mode notice may come first; the failure is one line.
  expect(lines.filter((l) => !/^upbit-tui: (Simulated|Paper|using)/.test(l))).toHaveLength(1);
  expect(r.code, r.stderr).toBe(code);
}

describe('unusable directories and flags: one line, exit 2, bounded', () => {
  const esc = (p: string): string => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  it.each<[string, () => string[], () => Record<string, string>, () => RegExp]>([
    ['a data dir under a file (/etc/passwd/x)', () => ['--data-dir', '/etc/passwd/x'], () => ({}), () => /\/etc\/passwd is a file, not a directory.*--data-dir/],
    ['a data dir that is a file', () => ['--data-dir', aFile], () => ({}), () => new RegExp(`${esc(aFile)} is a file, not a directory`)],
    ['a data dir that is a dangling symlink', () => ['--data-dir', dangling], () => ({}), () => new RegExp(`${esc(dangling)} is a symbolic link to .*which does not exist`)],
    ['a data dir under a dangling symlink', () => ['--data-dir', path.join(dangling, 'sub')], () => ({}), () => new RegExp(`${esc(dangling)} is a symbolic link`)],
    ['a data dir under /proc (Node\'s recursive mkdir spins for ever)', () => ['--data-dir', '/proc/nonexistent'], () => ({}), () => /\/proc\/nonexistent cannot be used: directories cannot be created in \/proc/],
    ['a deeper data dir under /proc', () => ['--data-dir', '/proc/nonexistent/a/b'], () => ({}), () => /directories cannot be created in \/proc/],
    ['--data-dir swallowing the next flag', () => ['--data-dir', '--live'], () => ({}), () => /--data-dir needs a path, but the next word is the flag --live/],
    ['an empty --data-dir', () => ['--data-dir', ''], () => ({}), () => /--data-dir needs a path \(it was given an empty one\)/],
    ['an XDG_STATE_HOME that is a file', () => [], () => ({ XDG_STATE_HOME: aFile }), () => new RegExp(`Cannot write the log file ${esc(aFile)}/upbit-tui/upbit-tui.log: ${esc(aFile)} is a file.*XDG_STATE_HOME`)],
    ['an XDG_STATE_HOME under /proc', () => [], () => ({ XDG_STATE_HOME: '/proc/nonexistent' }), () => /Cannot write the log file \/proc\/nonexistent\/upbit-tui\/upbit-tui\.log: directories cannot be created in \/proc/],
    ['a log file that is a directory', () => [], () => ({ XDG_STATE_HOME: logIsDir() }), () => /Cannot write the log file .*upbit-tui\.log \(it is a directory\)/],
    ['an invalid UPBIT_TUI_LOG_LEVEL', () => [], () => ({ UPBIT_TUI_LOG_LEVEL: 'loud' }), () => /UPBIT_TUI_LOG_LEVEL="loud" is not a log level: set it to one of .*debug/],
    ['a FIFO as key file (opening it would wait for a writer)', () => ['--api-url', 'http://127.0.0.1:9', '--key-file', fifo], () => ({}), () => new RegExp(`The key file ${esc(fifo)} is not a regular file`)],
    ['a device as key file', () => ['--api-url', 'http://127.0.0.1:9', '--key-file', '/dev/zero'], () => ({}), () => /The key file \/dev\/zero is not a regular file/],
    ['--key-file swallowing the next flag', () => ['--key-file', '--json'], () => ({}), () => /--key-file needs a path, but the next word is the flag --json/],
  ])('%s', async (_what, args, env, mentions) => {
    const r = await runBounded(['balance', '--sim', ...args()], env());
    expectOneLine(r, 2, mentions());
  });

  it('a read-only data directory (immutable as root, mode 0500 otherwise)', async () => {
    // As root, permission bits do not stop a write; without chattr there is no read-only
    // directory root cannot write to, and then there is nothing to refuse.
    if (readOnlyHow === null) return;
    const r = await runBounded(['balance', '--sim', '--data-dir', readOnly]);
    expectOneLine(r, 2, new RegExp(`${esc(readOnly)} is not writable \\((operation not permitted|permission denied)\\)`));
  });

  it.each([
    ['under a file', () => path.join(aFile, 'state.json'), () => new RegExp(`${esc(aFile)} is a file, not a directory`)],
    ['under /proc', () => '/proc/nonexistent/state.json', () => /directories cannot be created in \/proc/],
    ['empty', () => '', () => /--state needs a path/],
  ])('sim --state %s', async (_what, file, mentions) => {
    const r = await runBounded(['sim', '--state', file()]);
    expectOneLine(r, 2, mentions());
  });
});

function logIsDir(): string {
  const stateHome = path.join(dir, 'log-is-dir');
  mkdirSync(path.join(stateHome, 'upbit-tui', 'upbit-tui.log'), { recursive: true });
  return stateHome;
}

describe('a full disk under the log file', () => {
  /** The log file is /dev/full: every write fails with ENOSPC. */
  function fullDiskEnv(): Record<string, string> {
    const stateHome = path.join(dir, 'full-state');
    const log = path.join(stateHome, 'upbit-tui', 'upbit-tui.log');
    if (!existsSync(log) && !isLink(log)) {
      mkdirSync(path.dirname(log), { recursive: true });
      symlinkSync('/dev/full', log);
    }
    return { XDG_STATE_HOME: stateHome };
  }

  it.each([
    ['balance --sim', ['balance', '--sim'], /KRW\s+10,000,000/],
    ['buy --sim', ['buy', 'KRW-BTC', '--total', '10000', '--sim'], /^Placed market buy 10,000 KRW of KRW-BTC/],
  ])('%s does its work and exits 0, then says once that log lines were dropped', async (_what, args, stdout) => {
    const r = await runBounded([...args], fullDiskEnv());
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(stdout);
    const drops = r.stderr.split('\n').filter((l) => l.includes('log line(s) could not be written'));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(/^upbit-tui: \d+ log line\(s\) could not be written to .*upbit-tui\.log \(ENOSPC: no space left on the device\) and were dropped/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(drops[0]);
  });
});

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// homeEnv is what startCli uses; referenced so the layout it implies is documented here.
void homeEnv;
