import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { waitFor } from './wait-for.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'upbit-tui.js');

export interface PtyRun {
  /** Everything the program wrote, raw. */
  output(): string;
  /** The screen as a terminal emulator would show it now, one string per row. */
  screen(): Promise<string[]>;
  /**
   * Every line of the main (normal) screen, scrollback included, whichever screen is shown:
   * what the user finds in the terminal once the alternate screen is left.
   */
  mainScreen(): Promise<string[]>;
  /** Resize the terminal as a user dragging the window would: the screen first, then SIGWINCH. */
  resize(cols: number, rows: number): void;
  write(data: string): void;
  /** pid of the shell's child (the upbit-tui node process). */
  childPid(): number;
  exited: Promise<{ exitCode: number }>;
  kill(signal?: string): void;
}

/**
 * Run `node bin/upbit-tui.js ARGS` in a real pseudo-terminal, inside `bash -c` so that after
 * it exits we print its exit code and the terminal modes (`stty -a`) as the user would see them.
 */
export function runInPty(args: string[], opts: { cols?: number; rows?: number; env?: Record<string, string | undefined>; command?: string } = {}): PtyRun {
  const cols = opts.cols ?? 80;
  let rows = opts.rows ?? 24;
  const stateHome = mkdtempSync(path.join(tmpdir(), 'upbit-tui-e2e-'));
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = opts.command ?? `node ${BIN} ${quoted}`;
  const script = `${command}; echo "EXIT=$?"; stty -a; echo "${STTY_END}"; sleep 0.3`;
  // A key of opts.env set to undefined is removed from the child's environment.
  const env = Object.fromEntries(
    Object.entries({ ...process.env, XDG_STATE_HOME: stateHome, XDG_DATA_HOME: stateHome, XDG_CONFIG_HOME: stateHome, TERM: 'xterm-256color', FORCE_COLOR: '1', ...opts.env }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const term = pty.spawn('bash', ['--norc', '--noprofile', '-c', script], { name: 'xterm-256color', cols, rows, cwd: ROOT, env });
  const emulator = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  let out = '';
  term.onData((d) => {
    out += d;
    emulator.write(d);
  });
  const exited = new Promise<{ exitCode: number }>((resolve) => term.onExit((e) => resolve({ exitCode: e.exitCode })));
  return {
    output: () => out,
    screen: () =>
      new Promise((resolve) => {
        emulator.write('', () => {
          const buf = emulator.buffer.active;
          const lines: string[] = [];
          for (let i = 0; i < rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? '');
          resolve(lines);
        });
      }),
    mainScreen: () =>
      new Promise((resolve) => {
        emulator.write('', () => {
          const buf = emulator.buffer.normal;
          const lines: string[] = [];
          for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
          resolve(lines);
        });
      }),
    resize: (c, r) => {
      rows = r;
      emulator.resize(c, r);
      term.resize(c, r);
    },
    write: (d) => term.write(d),
    childPid: () => {
      const pids = execFileSync('pgrep', ['-P', String(term.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      const pid = Number(pids[0]);
      if (!Number.isInteger(pid)) throw new Error('upbit-tui process not found under the pty shell');
      return pid;
    },
    exited,
    kill: (signal) => term.kill(signal),
  };
}

/** The exit code bash printed after upbit-tui returned. */
export async function exitCodeOf(run: PtyRun, timeoutMs = 5000): Promise<number> {
  const m = await waitFor(() => /EXIT=(\d+)/.exec(run.output()), 'the exit code line', timeoutMs);
  return Number(m[1]);
}

/** The `stty -a` line bash printed after upbit-tui returned (terminal modes as left). */
/**
 * Printed after `stty -a`: a pty's last output can arrive after its process has exited, and on a
 * loaded machine a pty closed at once may lose it (seen once on Node 22 in CI), so bash stays a
 * moment after printing it.
 */
const STTY_END = 'STTY-END';

export async function sttyAfter(run: PtyRun): Promise<string> {
  await run.exited;
  await waitFor(() => run.output().includes(STTY_END), 'the whole stty -a report', 15_000);
  const out = run.output();
  return out.slice(out.indexOf('EXIT='), out.lastIndexOf(STTY_END));
}

/**
 * The screen, as one string, once `test` holds for it; failing after `timeoutMs` with the
 * last screen in the message (what the user saw instead).
 */
export async function screenWhere(run: PtyRun, test: (text: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
  let text = '';
  await waitFor(
    async () => {
      text = (await run.screen()).join('\n');
      return test(text);
    },
    what,
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${text}`, { cause: error });
  });
  return text;
}
