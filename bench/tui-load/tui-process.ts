/**
 * The built TUI (`node bin/upbit-tui.js`, i.e. dist/bundle after `npm run build`) in a
 * pseudo-terminal of a given size (@lydell/node-pty), against the load source, with
 * `--metrics-file`; and what the benchmark reads of it from outside: CPU time and RSS from
 * /proc, the bytes that reached the terminal, and the metrics file's lines.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from '@lydell/node-pty';

import type { MetricsLine } from '../../src/app/tui-metrics.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(REPO, 'bin', 'upbit-tui.js');
export const BUNDLE = path.join(REPO, 'dist', 'bundle', 'upbit-tui.mjs');

let clockTicks: number | null = null;
/** Clock ticks a second of /proc/PID/stat's utime and stime. */
export function clkTck(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process, in seconds, or null once it has gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readProcFile(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clkTck();
  } catch {
    return null;
  }
}

/** A process's CPU time in seconds: all threads, and its main thread's user and system time. */
export interface CpuSplit {
  total: number;
  mainUser: number;
  mainSys: number;
}

/**
 * {@link cpuSeconds} split: the main thread (where JavaScript, Ink and React run) from
 * `/proc/PID/task/PID/stat`, user and system time apart; the other threads (V8's GC helpers
 * and compiler, libuv's pool) are the rest. Null once the process has gone.
 */
export function cpuSplit(pid: number): CpuSplit | null {
  try {
    const fields = (file: string): string[] => {
      const stat = readProcFile(file);
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    };
    const all = fields(`/proc/${pid}/stat`);
    const main = fields(`/proc/${pid}/task/${pid}/stat`);
    return { total: (Number(all[11]) + Number(all[12])) / clkTck(), mainUser: Number(main[11]) / clkTck(), mainSys: Number(main[12]) / clkTck() };
  } catch {
    return null;
  }
}

/** VmRSS of a process in bytes, or null once it has gone. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readProcFile(`/proc/${pid}/status`));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

function readProcFile(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads the metrics file's lines as they are appended. */
class MetricsReader {
  readonly #file: string;
  #offset = 0;
  #rest = '';
  readonly lines: MetricsLine[] = [];
  constructor(file: string) {
    this.#file = file;
  }
  poll(): MetricsLine[] {
    if (!existsSync(this.#file)) return this.lines;
    const fd = openSync(this.#file, 'r');
    try {
      const buf = Buffer.alloc(1 << 16);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.#offset);
        if (n <= 0) break;
        this.#offset += n;
        this.#rest += buf.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const parts = this.#rest.split('\n');
    this.#rest = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') this.lines.push(JSON.parse(p) as MetricsLine);
    return this.lines;
  }
  last(): MetricsLine | undefined {
    return this.poll().at(-1);
  }
}

export interface TuiRun {
  readonly pid: number;
  /** Bytes the terminal received from the TUI so far. */
  ptyBytes(): number;
  readonly metrics: MetricsReader;
  /** Type into the terminal, as a user at its keyboard (`\r` is Enter). */
  write(keys: string): void;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Throws with what to do when the bundle is missing; warns when a source file is newer than it. */
export function checkBuild(): string | null {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "npm run build" first (the benchmark measures the built TUI)`);
  const built = statSync(BUNDLE).mtimeMs;
  const newer = execFileSync('find', [path.join(REPO, 'src'), '-newer', BUNDLE, '-name', '*.ts*'], { encoding: 'utf8' }).trim();
  return newer === '' || built === 0 ? null : `src/ has changes newer than the build (${newer.split('\n')[0] ?? ''}…): run "npm run build" to measure them`;
}

let tuiNode: { file: string; args: string[] } = { file: process.execPath, args: [] };
/**
 * Run the TUI under another Node (`--node "PATH|COMMAND [NODE-ARGS…]"`, e.g. a Node 22 or 24
 * binary, words split on spaces): a path must exist, a bare name is looked up on PATH; it must
 * answer `--version` and load the TUI's native better-sqlite3 with those arguments. Returns
 * its version. Throws with what to do otherwise. Default: the Node running the benchmark.
 */
export function useTuiNode(command: string): string {
  const [spec = '', ...args] = command.trim().split(/\s+/);
  let file = spec;
  if (!spec.includes('/')) {
    try {
      file = execFileSync('which', [spec], { encoding: 'utf8' }).trim();
    } catch {
      throw new Error(`--node: no "${spec}" on PATH; give the path of a Node binary (e.g. the output of "npx -p node@22 which node")`);
    }
  }
  if (!existsSync(file)) throw new Error(`--node: ${file} does not exist; give the path of a Node binary (e.g. the output of "npx -p node@22 which node")`);
  let version: string;
  try {
    version = execFileSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    throw new Error(`--node: ${file} did not run as Node ("${file} --version" failed: ${error instanceof Error ? error.message : String(error)})`);
  }
  if (!/^v\d+\./.test(version)) throw new Error(`--node: ${file} --version printed "${version}", not a Node version`);
  try {
    const probe = "const { default: D } = await import('better-sqlite3'); new D(':memory:').close();";
    execFileSync(file, [...args, '--input-type=module', '-e', probe], { cwd: REPO, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const why = (error as { stderr?: string }).stderr?.split('\n').find((l) => /NODE_MODULE_VERSION|Error/.test(l)) ?? String(error);
    throw new Error(
      `--node: the TUI's better-sqlite3 (native) does not load under ${file} ${version} (${why.trim()}); build better-sqlite3 for that Node outside this tree and pass --node "${file} --import ./scripts/bench-sqlite-from.mjs" with BENCH_BETTER_SQLITE3 set (docs/performance.md, "Node 22/24 and Ink 8")`,
    );
  }
  tuiNode = { file, args };
  return version;
}

const live = new Map<TuiRun, string>();
/** Kill every TUI still running and remove its directory (for exit and signal handlers: synchronous). */
export function killAllTuis(): void {
  for (const [run, home] of live) {
    try {
      process.kill(run.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(home, { recursive: true, force: true });
  }
  live.clear();
}

export function startTui(o: { apiUrl: string; wsUrl: string; markets: readonly string[]; cols: number; rows: number }): TuiRun {
  const home = mkdtempSync(path.join(tmpdir(), 'upbit-tui-load-'));
  const metricsFile = path.join(home, 'metrics.jsonl');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR' && k !== 'CI') env[k] = v;
  Object.assign(env, { XDG_STATE_HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, TERM: 'xterm-256color', NODE_ENV: 'production' });
  const args = [BIN, '--markets', o.markets.join(','), '--api-url', o.apiUrl, '--ws-url', o.wsUrl, '--metrics-file', metricsFile];
  const term = pty.spawn(tuiNode.file, [...tuiNode.args, ...args], { name: 'xterm-256color', cols: o.cols, rows: o.rows, cwd: REPO, env });
  let bytes = 0;
  let gone = false;
  // Read everything: a terminal nobody reads fills up and blocks the TUI's writes.
  term.onData((d) => {
    bytes += Buffer.byteLength(d);
  });
  const exit = new Promise<void>((resolve) =>
    term.onExit(() => {
      gone = true;
      resolve();
    }),
  );
  let stopping: Promise<void> | null = null;
  const run: TuiRun = {
    pid: term.pid,
    ptyBytes: () => bytes,
    metrics: new MetricsReader(metricsFile),
    write: (keys) => {
      if (!gone) term.write(keys);
    },
    exited: () => gone,
    stop(graceMs = 4000) {
      stopping ??= (async () => {
        if (!gone) {
          try {
            process.kill(term.pid, 'SIGTERM');
          } catch {
            // already gone
          }
          const timer = setTimeout(() => {
            try {
              process.kill(term.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }, graceMs);
          await exit;
          clearTimeout(timer);
        }
        live.delete(run);
        rmSync(home, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  live.set(run, home);
  return run;
}
