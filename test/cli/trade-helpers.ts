/**
 * Runs a trading command of the CLI in a child process (from source, through tsx) with its
 * data and log in a temporary home, and collects what it printed and its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/cli/cli-entry.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function homeEnv(home: string): Record<string, string> {
  return { HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_STATE_HOME: path.join(home, 'state') };
}

export function logFileOf(home: string): string {
  return path.join(home, 'state', 'upbit-tui', 'upbit-tui.log');
}

/** The CLI with `args`, to completion; UPBIT_* keys only when given in `env`. */
export function runCli(args: readonly string[], home: string, env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, home, env).result;
}

/**
 * The CLI with `args`, and its process (to signal it). `stdout`: a file descriptor to write
 * to instead of a pipe (e.g. `/dev/full`); `stdout` in the result is then empty.
 */
export function startCli(args: readonly string[], home: string, env: Record<string, string> = {}, opts: { stdout?: number } = {}): { child: ChildProcess; result: Promise<CliResult> } {
  const base: NodeJS.ProcessEnv = { ...process.env, ...homeEnv(home), ...env };
  for (const key of ['UPBIT_ACCESS_KEY', 'UPBIT_SECRET_KEY', 'NO_COLOR', 'FORCE_COLOR']) if (env[key] === undefined) delete base[key];
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: ROOT, env: base, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, result };
}

/** The one JSON document a `--json` command printed. */
export function jsonOf(result: CliResult): Record<string, unknown> {
  const value: unknown = JSON.parse(result.stdout);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a JSON object: ${result.stdout}`);
  return value as Record<string, unknown>;
}

export function arrayOf(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value as Array<Record<string, unknown>>;
}
