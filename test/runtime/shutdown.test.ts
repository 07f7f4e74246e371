import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../src/runtime/index.js';
import type { ShutdownReason } from '../../src/runtime/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { testKernel } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const waitForAbort = (signal: AbortSignal): Promise<void> => sleep(3_600_000, signal);
const never = (): Promise<never> => new Promise<never>(() => undefined);

/** Stands in for `process` in attachProcess: only its EventEmitter side is used. */
function fakeProcess(): EventEmitter & NodeJS.Process {
  return new EventEmitter() as EventEmitter & NodeJS.Process;
}

describe('shutdown sequence', () => {
  it('marks shutting down, halts tasks, then releases in reverse order of acquisition, then exits — once', async () => {
    const { kernel, exit, events } = testKernel();
    kernel.subscribe(() => {
      if (kernel.isShuttingDown && !events.includes('notified')) events.push('notified');
    });
    kernel.spawn('worker', async (signal) => {
      try {
        await waitForAbort(signal);
      } finally {
        events.push('task stopped');
      }
    });
    kernel.acquire('a', () => {
      events.push('release a');
    });
    kernel.acquire('b', async () => {
      await sleep(1);
      events.push('release b');
    });
    kernel.acquire('c', () => {
      events.push('release c');
    });

    const first = kernel.shutdown({ kind: 'user' });
    const second = kernel.shutdown({ kind: 'signal', signal: 'SIGTERM' });
    expect(second).toBe(first);
    expect(kernel.isShuttingDown).toBe(true);
    const report = await first;
    await kernel.shutdown({ kind: 'user' });

    expect(events).toEqual(['notified', 'task stopped', 'release c', 'release b', 'release a', 'exit 0']);
    expect(report).toEqual({ reason: { kind: 'user' }, exitCode: 0, overruns: [], errors: [] });
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it.each<[ShutdownReason, number]>([
    [{ kind: 'signal', signal: 'SIGINT' }, 130],
    [{ kind: 'signal', signal: 'SIGTERM' }, 143],
    [{ kind: 'signal', signal: 'SIGHUP' }, 129],
    [{ kind: 'user' }, 0],
    [{ kind: 'error', error: new Error('bug') }, 1],
  ])('exits %j with code %i', async (reason, code) => {
    const { kernel, exit } = testKernel();
    const report = await kernel.shutdown(reason);
    expect(report.exitCode).toBe(code);
    expect(exit).toHaveBeenCalledWith(code);
  });

  it('an early release runs once, leaves the stack, and is not run again by shutdown', async () => {
    const { kernel } = testKernel();
    const release = vi.fn();
    const early = kernel.acquire('socket', release);
    await early();
    await early();
    await kernel.shutdown({ kind: 'user' });
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('a release that overruns its deadline is named and skipped; one that throws is recorded; the others still run', async () => {
    const { kernel, events, reportFatal } = testKernel();
    kernel.acquire('first', () => {
      events.push('release first');
    });
    kernel.acquire('hung', never, { deadlineMs: 30 });
    kernel.acquire('broken', () => {
      throw new Error('close failed');
    });
    kernel.acquire('last', () => {
      events.push('release last');
    });
    const report = await kernel.shutdown({ kind: 'user' });
    expect(events.filter((e) => e.startsWith('release'))).toEqual(['release last', 'release first']);
    expect(report.overruns).toEqual(["release 'hung'"]);
    expect(report.errors).toEqual([{ step: "release 'broken'", error: 'Error: close failed' }]);
    // Named for the user too, once the terminal is back.
    expect(reportFatal).toHaveBeenCalledWith(expect.stringContaining("release 'hung'"));
  });

  it('a task that ignores its signal is named loudly, stays stopping, and the releases still run', async () => {
    const { kernel, events, logger } = testKernel({ stepDeadlineMs: 30 });
    kernel.spawn('stubborn', never);
    kernel.spawn('polite', waitForAbort);
    kernel.acquire('terminal', () => {
      events.push('release terminal');
    });
    const report = await kernel.shutdown({ kind: 'signal', signal: 'SIGTERM' });
    expect(report.overruns).toEqual(["task 'stubborn'"]);
    expect(events).toContain('release terminal');
    expect(events.at(-1)).toBe('exit 143');
    expect(kernel.tasks().map(({ name, state }) => ({ name, state }))).toEqual([
      { name: 'stubborn', state: 'stopping' },
      { name: 'polite', state: 'done' },
    ]);
    expect(logger.records.some((r) => r.level === 'error' && r.fields.task === 'stubborn')).toBe(true);
  });

  it('a fatal error exits 1 and is reported with its stack only after every release ran', async () => {
    const { kernel, events, reportFatal } = testKernel();
    const proc = fakeProcess();
    kernel.attachProcess(proc);
    kernel.acquire('terminal', async () => {
      await sleep(1);
      events.push('terminal restored');
    });
    const bug = new Error('undefined is not a function', { cause: new Error('root cause') });
    proc.emit('uncaughtException', bug);
    const report = await kernel.shutdown({ kind: 'user' });
    expect(report.reason).toEqual({ kind: 'error', error: bug });
    expect(events).toEqual(['terminal restored', 'fatal: Error: undefined is not a function', 'exit 1']);
    const text = reportFatal.mock.calls[0]?.[0] ?? '';
    expect(text).toMatch(/\n\s+at /); // the stack
    expect(text).toContain('Caused by: Error: root cause');
  });

  it('an unhandled rejection shuts down with the error', async () => {
    const { kernel, exit } = testKernel();
    const proc = fakeProcess();
    kernel.attachProcess(proc);
    proc.emit('unhandledRejection', new Error('lost promise'));
    const report = await kernel.shutdown({ kind: 'user' });
    expect(report.exitCode).toBe(1);
    expect(exit).toHaveBeenCalledWith(1);
  });
});

describe('forced exit', () => {
  it('a second interrupt runs every onForce hook synchronously and exits 130 at once, abandoning the releases', () => {
    const { kernel, events } = testKernel();
    kernel.acquire('slow', never, { deadlineMs: 60_000 });
    kernel.onForce(() => events.push('leave alternate screen'));
    kernel.onForce(() => {
      throw new Error('a broken hook must not stop the others');
    });
    const off = kernel.onForce(() => events.push('unregistered hook'));
    kernel.onForce(() => events.push('show cursor'));
    off();

    kernel.interrupt();
    expect(kernel.isShuttingDown).toBe(true);
    expect(kernel.shutdownReason).toEqual({ kind: 'signal', signal: 'SIGINT' });
    expect(events).toEqual([]);
    kernel.interrupt();
    expect(events).toEqual(['show cursor', 'leave alternate screen', 'exit 130']);
  });

  it('a second SIGTERM forces exit 143; an uncaught error during shutdown forces exit 1', () => {
    for (const [second, code] of [
      ['SIGTERM', 143],
      ['uncaughtException', 1],
    ] as const) {
      const { kernel, events } = testKernel();
      const proc = fakeProcess();
      kernel.attachProcess(proc);
      kernel.acquire('slow', never, { deadlineMs: 60_000 });
      kernel.onForce(() => events.push('restore'));
      proc.emit('SIGTERM');
      expect(kernel.shutdownReason).toEqual({ kind: 'signal', signal: 'SIGTERM' });
      proc.emit(second, new Error('late bug'));
      expect(events.filter((e) => !e.startsWith('fatal'))).toEqual(['restore', `exit ${code}`]);
    }
  });

  it('the shutdown watchdog forces exit with the reason code, naming what was pending', async () => {
    vi.useFakeTimers();
    const { kernel, events, reportFatal } = testKernel({ shutdownDeadlineMs: 1000 });
    kernel.acquire('wedged socket', never, { deadlineMs: 60_000 });
    kernel.onForce(() => events.push('restore'));
    void kernel.shutdown({ kind: 'signal', signal: 'SIGHUP' });
    await vi.advanceTimersByTimeAsync(999);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.filter((e) => !e.startsWith('fatal'))).toEqual(['restore', 'exit 129']);
    expect(reportFatal).toHaveBeenCalledWith(expect.stringContaining("release 'wedged socket'"));
  });
});

describe('attachProcess', () => {
  it('SIGCONT runs the onResume hooks until shutdown; a throwing hook does not stop the others', async () => {
    const { kernel } = testKernel();
    const proc = fakeProcess();
    kernel.attachProcess(proc);
    const resumed: string[] = [];
    kernel.onResume(() => {
      throw new Error('broken hook');
    });
    const off = kernel.onResume(() => resumed.push('terminal'));
    proc.emit('SIGCONT');
    expect(resumed).toEqual(['terminal']);
    off();
    proc.emit('SIGCONT');
    expect(resumed).toEqual(['terminal']);
    kernel.onResume(() => resumed.push('late'));
    await kernel.shutdown({ kind: 'user' });
    proc.emit('SIGCONT');
    expect(resumed).toEqual(['terminal']);
  });

  it('a second SIGHUP during shutdown does not force the exit; a second SIGTERM does', async () => {
    for (const [signal, forced] of [
      ['SIGHUP', false],
      ['SIGTERM', true],
    ] as const) {
      const { kernel, exit } = testKernel();
      const proc = fakeProcess();
      kernel.attachProcess(proc);
      let finish: (() => void) | undefined;
      kernel.acquire('slow', () => new Promise<void>((resolve) => (finish = resolve)));
      proc.emit(signal);
      await waitFor(() => finish !== undefined, 'the slow release to start', 2000);
      proc.emit(signal);
      expect(exit).toHaveBeenCalledTimes(forced ? 1 : 0);
      finish?.();
      await kernel.shutdown({ kind: 'user' });
      expect(exit).toHaveBeenCalledTimes(1);
    }
  });

  it('routes SIGINT to interrupt, SIGHUP to shutdown, and detach removes exactly its own listeners', async () => {
    const { kernel, exit } = testKernel();
    const proc = fakeProcess();
    const theirs = (): void => undefined;
    proc.on('SIGINT', theirs);
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGCONT', 'uncaughtException', 'unhandledRejection'];
    const detach = kernel.attachProcess(proc);
    expect(events.map((e) => proc.listenerCount(e))).toEqual([2, 1, 1, 1, 1, 1]);
    detach();
    expect(events.map((e) => proc.listenerCount(e))).toEqual([1, 0, 0, 0, 0, 0]);
    expect(proc.listeners('SIGINT')).toEqual([theirs]);

    const again = kernel.attachProcess(proc);
    proc.emit('SIGHUP');
    await kernel.shutdown({ kind: 'user' });
    expect(exit).toHaveBeenCalledWith(129);
    again();

    const second = testKernel();
    second.kernel.attachProcess(proc);
    proc.emit('SIGINT');
    expect(second.kernel.shutdownReason).toEqual({ kind: 'signal', signal: 'SIGINT' });
  });
});

describe('front ends that decide their exit code (a CLI command)', () => {
  it("a 'done' shutdown exits with the command's code, after every release, and reports no error", async () => {
    const { kernel, events, reportFatal } = testKernel();
    kernel.acquire('journal', () => void events.push('release journal'));
    const report = await kernel.shutdown({ kind: 'done', exitCode: 3 });
    expect(report.exitCode).toBe(3);
    expect(events).toEqual(['release journal', 'exit 3']);
    expect(reportFatal).not.toHaveBeenCalled();
  });

  it('signalExitCodes replaces 128+signal for a graceful shutdown and for a forced one; other signals keep theirs', async () => {
    const graceful = testKernel({ signalExitCodes: { SIGTERM: 130 } });
    const proc = fakeProcess();
    graceful.kernel.attachProcess(proc);
    proc.emit('SIGTERM');
    expect((await graceful.kernel.shutdown({ kind: 'user' })).exitCode).toBe(130);
    expect(graceful.exit).toHaveBeenCalledWith(130);

    const forced = testKernel({ signalExitCodes: { SIGTERM: 130 } });
    const other = fakeProcess();
    forced.kernel.attachProcess(other);
    forced.kernel.acquire('order in flight', never, { deadlineMs: 60_000 });
    other.emit('SIGTERM');
    other.emit('SIGTERM');
    expect(forced.events).toEqual(['exit 130']);

    const hangup = testKernel({ signalExitCodes: { SIGTERM: 130 } });
    expect((await hangup.kernel.shutdown({ kind: 'signal', signal: 'SIGHUP' })).exitCode).toBe(129);
  });
});
