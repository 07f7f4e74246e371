import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/runtime/signal-child.ts', import.meta.url));

interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout contains `text`; rejects after `timeoutMs` or if the child exits first. */
  output: (text: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const proc of children.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
});

function start(mode: 'normal' | 'stubborn' | 'slow-release' | 'one-second-release'): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  const output = (text: string, timeoutMs = 15_000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!out.includes(text)) return;
        cleanup();
        resolve();
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`child exited before printing ${JSON.stringify(text)}; stdout: ${out}; stderr: ${err}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${JSON.stringify(text)} on stdout after ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        proc.off('exit', onExit);
      };
      proc.stdout?.on('data', check);
      proc.on('exit', onExit);
      check();
    });
  return { proc, stdout: () => out, stderr: () => err, output, exited };
}

describe('signals in a real process', () => {
  it.each([
    ['SIGINT', 130, 130, null],
    ['SIGTERM', 143, 143, null],
    // Ended by SIGHUP's default action once released (a shell's $? is 129): Node's own exit
    // would restore a hung-up terminal's modes and crash on the EIO (see src/runtime/exit.ts).
    ['SIGHUP', 129, null, 'SIGHUP'],
  ] as const)('%s runs the releases and ends with status %i', async (signal, _status, code, killed) => {
    const child = start('normal');
    await child.output('ready');
    child.proc.kill(signal);
    const { code: exitCode, signal: killedBy } = await child.exited;
    expect({ exitCode, killedBy }).toEqual({ exitCode: code, killedBy: killed });
    expect(child.stdout()).toContain('released');
    expect(child.stdout()).not.toContain('forced');
  });

  it('a second SIGHUP during shutdown (the shell passing the hang-up on) does not skip the releases', async () => {
    const child = start('one-second-release');
    await child.output('ready');
    child.proc.kill('SIGHUP');
    await child.output('releasing slowly');
    child.proc.kill('SIGHUP');
    const { code, signal } = await child.exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGHUP' });
    expect(child.stdout()).toContain('released');
    expect(child.stdout()).not.toContain('forced');
  });

  it('a task that ignores its signal still lets the process exit after the deadline, named on stderr', async () => {
    const child = start('stubborn');
    await child.output('ready');
    child.proc.kill('SIGTERM');
    const { code } = await child.exited;
    expect(code).toBe(143);
    expect(child.stdout()).toContain('released');
    expect(child.stderr()).toContain("task 'stubborn'");
  });

  it('a second SIGINT during shutdown runs the onForce hooks and exits 130 promptly', async () => {
    const child = start('slow-release');
    await child.output('ready');
    child.proc.kill('SIGINT');
    await child.output('releasing slowly');
    const sentAt = performance.now();
    child.proc.kill('SIGINT');
    const { code, at } = await child.exited;
    expect(code).toBe(130);
    expect(child.stdout()).toContain('forced');
    expect(child.stdout()).not.toContain('released');
    // The kernel exits within 200 ms; the bound is generous for a loaded 2-core machine.
    expect(at - sentAt).toBeLessThan(1000);
  });
});
