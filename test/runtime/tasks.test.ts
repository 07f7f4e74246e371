import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../src/runtime/index.js';
import type { Task } from '../../src/runtime/index.js';
import { testKernel, waitFor } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Wait on the signal and nothing else: the well-behaved task. */
const waitForAbort = (signal: AbortSignal): Promise<void> => sleep(3_600_000, signal);
/** A turn of the event loop (setImmediate stays real under fake timers). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('task tree', () => {
  it('a parent whose function returns halts its children and waits for them before its result settles', async () => {
    const { kernel } = testKernel();
    const order: string[] = [];
    let child: Task<void> | undefined;
    const parent = kernel.spawn('parent', (_signal, task) => {
      child = task.spawn('child', async (signal) => {
        try {
          await waitForAbort(signal);
        } finally {
          await turn();
          order.push('child cleaned up');
        }
      });
      return Promise.resolve('value');
    });
    const value = await parent.result;
    order.push('parent result');
    expect(value).toBe('value');
    expect(order).toEqual(['child cleaned up', 'parent result']);
    expect(child?.state).toBe('done');
    expect(parent.state).toBe('done');
  });

  it('halting a parent aborts its children with the same reason and waits for them', async () => {
    const { kernel } = testKernel();
    const order: string[] = [];
    let childReason: unknown;
    const parent = kernel.spawn('parent', async (signal, task) => {
      task.spawn('child', async (childSignal) => {
        try {
          await waitForAbort(childSignal);
        } finally {
          childReason = childSignal.reason;
          await turn();
          order.push('child stopped');
        }
      });
      try {
        await waitForAbort(signal);
      } finally {
        order.push('parent fn stopped');
      }
    });
    await parent.halt();
    order.push('halt returned');
    expect(order).toEqual(['parent fn stopped', 'child stopped', 'halt returned']);
    expect(childReason).toBe(parent.signal.reason);
    await expect(parent.result).rejects.toMatchObject({ name: 'AbortError', message: "task 'parent' was halted" });
    await parent.halt(); // idempotent
  });

  it("a child's failure aborts its parent with the error and fails it, even if the parent ignores its signal", async () => {
    const { kernel, events } = testKernel();
    const boom = new Error('child broke');
    let parentSignal: AbortSignal | undefined;
    let sibling: Task<void> | undefined;
    const parent = kernel.spawn('parent', async (signal, task) => {
      parentSignal = signal;
      sibling = task.spawn('sibling', waitForAbort);
      task.spawn('child', () => Promise.reject(boom));
      await waitFor(() => signal.aborted, 'the parent to be aborted');
      await turn(); // carries on regardless of the abort …
      return 'finished anyway'; // … and returns a value that must not win
    });
    await expect(parent.result).rejects.toBe(boom);
    expect(parentSignal?.reason).toBe(boom);
    expect(parent.state).toBe('failed');
    expect(sibling?.state).toBe('done'); // cancelled, not failed
    // A top-level failure reaches the kernel.
    expect(kernel.shutdownReason).toEqual({ kind: 'error', error: boom });
    const report = await kernel.shutdown({ kind: 'user' });
    expect(report.exitCode).toBe(1);
    expect(events.at(-1)).toBe('exit 1');
  });

  it('a parent that never settles after its child fails is declared failed after its stop deadline', async () => {
    const { kernel, logger } = testKernel();
    const boom = new Error('child broke');
    const parent = kernel.spawn(
      'deaf-parent',
      (_signal, task) => {
        task.spawn('child', () => Promise.reject(boom));
        return new Promise<never>(() => undefined);
      },
      { stopDeadlineMs: 20 },
    );
    await expect(parent.result).rejects.toBe(boom);
    expect(parent.state).toBe('failed');
    expect(logger.records.some((r) => r.level === 'error' && r.msg?.includes("task 'deaf-parent' did not stop within 20 ms"))).toBe(true);
  });

  it('an unobserved failure never becomes an unhandledRejection', async () => {
    const onUnhandled = vi.fn();
    process.on('unhandledRejection', onUnhandled);
    try {
      const { kernel } = testKernel();
      kernel.spawn('parent', async (signal, task) => {
        task.spawn('child', () => Promise.reject(new Error('nobody awaits me')));
        await waitForAbort(signal);
      });
      await waitFor(() => kernel.isShuttingDown, 'the failure to reach the kernel');
      await kernel.shutdown({ kind: 'user' });
      await turn();
      await turn();
      expect(onUnhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('cancellation', () => {
  it('a task that rejects with its own abort reason ends done, not failed', async () => {
    const { kernel } = testKernel();
    const task = kernel.spawn('waiter', waitForAbort);
    await task.halt();
    expect(task.state).toBe('done');
    expect(kernel.tasks().find((t) => t.id === task.id)).toMatchObject({ state: 'done', lastError: null });
    await expect(task.result).rejects.toMatchObject({ name: 'AbortError' });
    expect(kernel.isShuttingDown).toBe(false);
  });

  it('a task that returns a value after abort ends done with that value', async () => {
    const { kernel } = testKernel();
    const task = kernel.spawn('graceful', async (signal) => {
      await waitForAbort(signal).catch(() => undefined);
      return 42;
    });
    await task.halt();
    await expect(task.result).resolves.toBe(42);
  });

  it('a task that throws something else while stopping has failed', async () => {
    const { kernel } = testKernel();
    const task = kernel.spawn('messy', async (signal) => {
      await waitForAbort(signal).catch(() => {
        throw new Error('cleanup failed');
      });
    });
    await task.halt();
    expect(task.state).toBe('failed');
    await expect(task.result).rejects.toThrow('cleanup failed');
  });
});

describe('restart with backoff', () => {
  it('re-runs a failing task after full-jitter delays that double up to the cap, then fails once restarts run out', async () => {
    vi.useFakeTimers();
    const random = vi.fn(() => 0.5);
    const { kernel, exit } = testKernel({ random });
    const starts: number[] = [];
    const task = kernel.spawn(
      'flaky',
      () => {
        starts.push(Date.now());
        return Promise.reject(new Error(`failure ${starts.length}`));
      },
      { restart: { baseMs: 100, capMs: 400, maxRestarts: 5 } },
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
    // 0.5 × min(400, 100 · 2^attempt)
    expect(gaps).toEqual([50, 100, 200, 200, 200]);
    expect(random).toHaveBeenCalledTimes(5);
    expect(task.state).toBe('failed');
    expect(kernel.tasks().find((t) => t.id === task.id)).toMatchObject({ restarts: 5, lastError: 'Error: failure 6' });
    await expect(task.result).rejects.toThrow('failure 6');
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('starts the backoff over after a run that lasted longer than the cap', async () => {
    vi.useFakeTimers();
    const { kernel } = testKernel({ random: () => 0.5 });
    const durations = [0, 0, 500, 0];
    const starts: number[] = [];
    kernel.spawn(
      'flaky',
      async (signal) => {
        const run = starts.push(Date.now()) - 1;
        const duration = durations[run] ?? 0;
        if (duration > 0) await sleep(duration, signal);
        throw new Error(`failure ${run}`);
      },
      { restart: { baseMs: 100, capMs: 400, maxRestarts: 3 } },
    );
    await vi.advanceTimersByTimeAsync(5_000);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
    // run time + delay; the third run lasted 500 ms > cap, so attempt is back to 0 (50, not 200).
    expect(gaps).toEqual([0 + 50, 0 + 100, 500 + 50]);
  });

  it('a restartable child does not fail its parent while it has restarts left, and halting it during backoff ends it done', async () => {
    vi.useFakeTimers();
    const { kernel } = testKernel({ random: () => 1 });
    let runs = 0;
    let child: Task<void> | undefined;
    const parent = kernel.spawn('parent', async (signal, task) => {
      child = task.spawn(
        'child',
        () => {
          runs += 1;
          return Promise.reject(new Error('flaky'));
        },
        { restart: { baseMs: 1000, capMs: 1000 } },
      );
      await waitForAbort(signal);
    });
    await vi.advanceTimersByTimeAsync(2_500);
    expect(runs).toBe(3);
    expect(parent.state).toBe('running');
    expect(child?.state).toBe('running');
    await child?.halt();
    expect(child?.state).toBe('done');
    expect(parent.state).toBe('running');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(3);
  });
});

describe('tasks() and subscribe()', () => {
  it('lists every task with its owner, state, last error and restarts, and notifies on change', async () => {
    const { kernel } = testKernel({ stepDeadlineMs: 50 });
    const notified = vi.fn();
    const off = kernel.subscribe(notified);
    const root = kernel.spawn('root', async (signal, task) => {
      task.spawn('worker', waitForAbort);
      await waitForAbort(signal);
    });
    const stubborn = kernel.spawn('stubborn', () => new Promise<never>(() => undefined));
    const quick = kernel.spawn('quick', () => Promise.resolve('ok'));
    await quick.result;
    expect(notified).toHaveBeenCalled();

    const snapshot = kernel.tasks();
    expect(kernel.tasks()).toBe(snapshot); // stable until something changes (useSyncExternalStore)
    expect(snapshot.map(({ name, owner, state }) => ({ name, owner, state }))).toEqual([
      { name: 'root', owner: null, state: 'running' },
      { name: 'worker', owner: 'root', state: 'running' },
      { name: 'stubborn', owner: null, state: 'running' },
      { name: 'quick', owner: null, state: 'done' },
    ]);

    void stubborn.halt(); // never ends: it ignores its signal
    expect(kernel.tasks().find((t) => t.name === 'stubborn')?.state).toBe('stopping');
    await root.halt();
    expect(kernel.tasks().filter((t) => t.name === 'root' || t.name === 'worker').map((t) => t.state)).toEqual(['done', 'done']);

    const broken = kernel.spawn('broken', () => Promise.reject(new Error('bad input')));
    await broken.result.catch(() => undefined);
    expect(kernel.tasks().find((t) => t.name === 'broken')).toMatchObject({ state: 'failed', lastError: 'Error: bad input', restarts: 0, owner: null });
    off();
  });

  it('keeps only the most recent ended tasks', async () => {
    const { kernel } = testKernel({ maxEndedTasks: 3 });
    for (let i = 0; i < 6; i += 1) await kernel.spawn(`job-${i}`, () => Promise.resolve()).result;
    expect(kernel.tasks().map((t) => t.name)).toEqual(['job-3', 'job-4', 'job-5']);
  });
});

describe('spawning during shutdown', () => {
  it('throws an error naming the task and the reason, from the kernel and from a task', async () => {
    const { kernel } = testKernel();
    const spawnedLate: unknown[] = [];
    const owner = kernel.spawn('owner', async (signal, task) => {
      try {
        await waitForAbort(signal);
      } finally {
        try {
          task.spawn('cleanup-helper', () => Promise.resolve());
        } catch (error) {
          spawnedLate.push(error);
        }
      }
    });
    const shutdown = kernel.shutdown({ kind: 'signal', signal: 'SIGTERM' });
    expect(() => kernel.spawn('late', () => Promise.resolve())).toThrow("cannot spawn task 'late': shutdown began (SIGTERM)");
    expect(() => kernel.acquire('late resource', () => undefined)).toThrow(/cannot acquire 'late resource': shutdown began \(SIGTERM\)/);
    await shutdown;
    expect(owner.state).toBe('done');
    expect(spawnedLate).toHaveLength(1);
    expect(String(spawnedLate[0])).toContain("cannot spawn task 'cleanup-helper': shutdown began (SIGTERM)");
  });
});
