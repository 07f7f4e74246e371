import { setMaxListeners } from 'node:events';
import { settleWithin } from './deadline.js';
import { cancellation, describeError, formatError } from './errors.js';
import { flushThenExit, writeStderr } from './exit.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { LoopMonitor, LoopMonitorOptions } from './loop-monitor.js';
import { createLoopMonitor } from './loop-monitor.js';
import { describeReason, exitCodeFor, SIGNAL_EXIT_CODES } from './reason.js';
import type { ShutdownReason, ShutdownReport, ShutdownSignal } from './reason.js';
import { ReleaseStack } from './releases.js';
import type { ChildOptions, Task, TaskFn, TaskHost, TaskInfo } from './task.js';
import { TaskImpl } from './task.js';

export interface KernelOptions {
  /** Where the kernel logs task failures, overruns and the shutdown sequence. @default silentLogger */
  logger?: Logger;
  /**
   * Ends the process. Called exactly once, at the end of shutdown or on a forced exit.
   * @default flush stdout and stderr (at most `forceExitMs`), then `process.exit(code)`
   */
  exit?: (code: number) => void;
  /** Deadline of each shutdown step: stopping all tasks, and each release unless it sets its own. @default 2000 */
  stepDeadlineMs?: number;
  /** If the whole shutdown takes longer than this, exit anyway, naming what was pending. @default 8000 */
  shutdownDeadlineMs?: number;
  /** Upper bound (≤ 200) on how long the default `exit` waits for stdout to flush, so a forced exit is prompt. @default 100 */
  forceExitMs?: number;
  /** Source in [0, 1) for restart jitter. @default Math.random */
  random?: () => number;
  /** Clock for task start times and run durations (restart backoff reset). @default Date.now */
  now?: () => number;
  /**
   * Prints text for the user once the terminal has been restored (after every release ran, or
   * after the onForce hooks): the stack of a fatal error, or the steps that overran.
   * @default write to process.stderr
   */
  reportFatal?: (text: string) => void;
  /** Options of the event-loop monitor started with the kernel. @default the monitor's defaults, logging to `logger` */
  loopMonitor?: LoopMonitorOptions;
  /** How many ended tasks `tasks()` keeps listing. @default 100 */
  maxEndedTasks?: number;
  /**
   * Exit codes for signals that should not end with 128+signal, also on a forced exit: the
   * trading commands exit 130 for SIGTERM as for SIGINT (README, exit codes).
   * @default {} (SIGHUP 129, SIGINT 130, SIGTERM 143)
   */
  signalExitCodes?: Partial<Record<ShutdownSignal, number>>;
}

export interface SpawnOptions extends ChildOptions {
  /** The task that owns the new one. @default the kernel (a top-level task) */
  owner?: Task;
}

/**
 * The one owner of the process's lifetime: a tree of named tasks, the stack of releases, the
 * signal handlers and the only call to `process.exit` (docs/architecture.md#one-owner-of-lifetime).
 */
export class Kernel {
  /** Event-loop lag, sampled from construction until shutdown. */
  readonly loop: LoopMonitor;
  readonly #logger: Logger;
  readonly #exit: (code: number) => void;
  readonly #stepDeadlineMs: number;
  readonly #shutdownDeadlineMs: number;
  readonly #reportFatal: (text: string) => void;
  readonly #maxEnded: number;
  readonly #signalCodes: Partial<Record<ShutdownSignal, number>>;
  readonly #root = new AbortController();
  readonly #live = new Map<number, TaskImpl<unknown>>();
  readonly #ended: TaskImpl<unknown>[] = [];
  readonly #listeners = new Set<{ fn: () => void }>();
  readonly #forceHooks = new Set<{ fn: () => void }>();
  readonly #resumeHooks = new Set<{ fn: () => void }>();
  readonly #releases = new ReleaseStack();
  readonly #errors: { step: string; error: string }[] = [];
  readonly #host: TaskHost;
  #snapshot: readonly TaskInfo[] | null = null;
  #reason: ShutdownReason | null = null;
  #shutdown: Promise<ShutdownReport> | null = null;
  /** What shutdown is waiting for right now, for the watchdog's message. */
  #pending: () => string[] = () => [];
  #watchdog: NodeJS.Timeout | undefined;
  #forced = false;
  #exited = false;
  #fatalReported = false;

  constructor(opts: KernelOptions = {}) {
    this.#logger = opts.logger ?? silentLogger;
    const forceExitMs = Math.min(200, Math.max(0, opts.forceExitMs ?? 100));
    this.#exit = opts.exit ?? ((code) => flushThenExit(code, forceExitMs));
    this.#stepDeadlineMs = opts.stepDeadlineMs ?? 2000;
    this.#shutdownDeadlineMs = opts.shutdownDeadlineMs ?? 8000;
    this.#reportFatal = opts.reportFatal ?? writeStderr;
    this.#maxEnded = opts.maxEndedTasks ?? 100;
    this.#signalCodes = { ...opts.signalExitCodes };
    setMaxListeners(0, this.#root.signal);
    const random = opts.random ?? Math.random;
    const now = opts.now ?? Date.now;
    let nextId = 1;
    const isShuttingDown = (): boolean => this.#reason !== null;
    this.#host = {
      logger: this.#logger,
      stopDeadlineMs: this.#stepDeadlineMs,
      get shuttingDown() {
        return isShuttingDown();
      },
      now,
      random,
      nextId: () => nextId++,
      assertCanSpawn: (name) => {
        if (this.#reason) throw new Error(`cannot spawn task '${name}': shutdown began (${describeReason(this.#reason)})`);
      },
      started: (task) => {
        this.#live.set(task.id, task);
        this.#changed();
      },
      changed: () => this.#changed(),
      ended: (task) => {
        this.#live.delete(task.id);
        this.#ended.push(task);
        if (this.#ended.length > this.#maxEnded) this.#ended.splice(0, this.#ended.length - this.#maxEnded);
        this.#changed();
      },
      failed: (task, error) => {
        if (this.#reason === null) void this.shutdown({ kind: 'error', error });
        else this.#errors.push({ step: `task '${task.name}'`, error: describeError(error) });
      },
    };
    this.loop = createLoopMonitor({ logger: this.#logger, ...opts.loopMonitor });
    // Acquired first, so released last: lag is still measured while everything else stops.
    this.acquire('loop monitor', () => this.loop.stop());
  }

  /** True from the moment shutdown begins. */
  get isShuttingDown(): boolean {
    return this.#reason !== null;
  }

  /** Why the kernel is shutting down, or null while it runs. */
  get shutdownReason(): ShutdownReason | null {
    return this.#reason;
  }

  /** Start a named task owned by `opts.owner`, or by the kernel. Throws once shutdown has begun. */
  spawn<T>(name: string, fn: TaskFn<T>, opts: SpawnOptions = {}): Task<T> {
    const { owner, ...child } = opts;
    if (owner) return owner.spawn(name, fn, child);
    this.#host.assertCanSpawn(name);
    return new TaskImpl(this.#host, name, fn, child, { task: null, run: null, signal: this.#root.signal });
  }

  /**
   * Register a resource's release at the moment it is acquired. Shutdown runs releases in
   * reverse order of acquisition, each within `deadlineMs`. Returns an idempotent early release,
   * which also takes it off the stack.
   */
  acquire(name: string, release: () => void | Promise<void>, opts: { deadlineMs?: number } = {}): () => Promise<void> {
    if (this.#reason) {
      throw new Error(`cannot acquire '${name}': shutdown began (${describeReason(this.#reason)}). Release the resource directly instead.`);
    }
    return this.#releases.push(name, release, opts.deadlineMs ?? this.#stepDeadlineMs);
  }

  /** Every task, live ones and the most recent ended ones, by id. The same array until something changes. */
  tasks(): readonly TaskInfo[] {
    this.#snapshot ??= [...this.#live.values(), ...this.#ended].map((task) => task.info()).sort((a, b) => a.id - b.id);
    return this.#snapshot;
  }

  /** Called whenever a task changes state or shutdown begins. Returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    const entry = { fn: listener };
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  /**
   * Register a synchronous emergency restorer (show the cursor, leave the alternate screen,
   * leave raw mode) for a forced exit, when releases are skipped. Returns the unregister.
   */
  onForce(fn: () => void): () => void {
    const entry = { fn };
    this.#forceHooks.add(entry);
    return () => void this.#forceHooks.delete(entry);
  }

  /**
   * Register a hook run when the process continues after being stopped (SIGCONT, e.g. `fg`
   * after a SIGTSTP), while no shutdown runs: the terminal may have been changed meanwhile.
   * Returns the unregister.
   */
  onResume(fn: () => void): () => void {
    const entry = { fn };
    this.#resumeHooks.add(entry);
    return () => void this.#resumeHooks.delete(entry);
  }

  /**
   * Stop everything and exit. Runs once; later calls return the same promise. Never rejects.
   * Tasks are halted (one deadline for all), then releases run last-acquired first (a deadline
   * each), then a fatal error is reported, then `exit(code)`.
   */
  shutdown(reason: ShutdownReason): Promise<ShutdownReport> {
    this.#shutdown ??= this.#runShutdown(reason);
    return this.#shutdown;
  }

  /**
   * Ctrl+C, from the keyboard (raw mode turns it into input) or as SIGINT: the first starts a
   * graceful shutdown, the next one while it runs forces the exit.
   */
  interrupt(): void {
    // The shutdown promise never rejects, and its end is the process's end: nothing to await.
    if (this.#reason === null) void this.shutdown({ kind: 'signal', signal: 'SIGINT' });
    else this.#force(this.#signalCode('SIGINT'), 'interrupted again during shutdown');
  }

  /**
   * Route the process's signals and uncaught errors to the kernel: SIGINT → `interrupt()`;
   * SIGTERM/SIGHUP → shutdown (a second SIGTERM forces; a second SIGHUP does not);
   * SIGCONT → the `onResume` hooks; `uncaughtException`/`unhandledRejection` →
   * shutdown with the error (forced, exit 1, if shutdown already runs). Returns the detach.
   */
  attachProcess(proc: NodeJS.Process = process): () => void {
    const onSignal = (signal: ShutdownSignal) => (): void => {
      if (signal === 'SIGINT') this.interrupt();
      else if (this.#reason === null) void this.shutdown({ kind: 'signal', signal });
      // A hang-up comes more than once (the terminal's, then the shell's as it exits) and is no
      // one's request to hurry: the releases (orders journaled) still run, within the deadline.
      else if (signal === 'SIGHUP') this.#logger.info({ signal }, 'hang-up again during shutdown; still releasing');
      else this.#force(this.#signalCode(signal), `${signal} again during shutdown`);
    };
    const onSigint = onSignal('SIGINT');
    const onSigterm = onSignal('SIGTERM');
    const onSighup = onSignal('SIGHUP');
    const onSigcont = (): void => {
      if (this.#reason !== null) return;
      this.#logger.info({ signal: 'SIGCONT' }, 'continued after a stop');
      for (const hook of [...this.#resumeHooks]) {
        try {
          hook.fn();
        } catch (error) {
          this.#logger.error({ err: error }, 'onResume hook threw');
        }
      }
    };
    const onCrash = (error: unknown): void => {
      if (this.#reason === null) {
        void this.shutdown({ kind: 'error', error });
        return;
      }
      this.#logger.error({ err: error }, 'uncaught error during shutdown');
      this.#force(1, `uncaught error during shutdown: ${describeError(error)}`, { error });
    };
    proc.on('SIGINT', onSigint);
    proc.on('SIGTERM', onSigterm);
    proc.on('SIGHUP', onSighup);
    proc.on('SIGCONT', onSigcont);
    proc.on('uncaughtException', onCrash);
    proc.on('unhandledRejection', onCrash);
    return () => {
      proc.off('SIGINT', onSigint);
      proc.off('SIGTERM', onSigterm);
      proc.off('SIGHUP', onSighup);
      proc.off('SIGCONT', onSigcont);
      proc.off('uncaughtException', onCrash);
      proc.off('unhandledRejection', onCrash);
    };
  }

  async #runShutdown(reason: ShutdownReason): Promise<ShutdownReport> {
    this.#reason = reason;
    const exitCode = exitCodeFor(reason, this.#signalCodes);
    const overruns: string[] = [];
    this.#logger.info({ reason: describeReason(reason), exitCode }, 'shutting down');
    this.#changed();
    this.#watchdog = setTimeout(() => this.#deadlinePassed(exitCode), this.#shutdownDeadlineMs);

    this.#root.abort(cancellation(`shutdown: ${describeReason(reason)}`));
    const live = [...this.#live.values()];
    this.#pending = () => [...this.#live.values()].map((task) => `task '${task.name}'`);
    const stopped = await settleWithin(Promise.all(live.map((task) => task.ended)), this.#stepDeadlineMs);
    if (stopped.kind === 'timeout') {
      for (const task of this.#live.values()) {
        overruns.push(`task '${task.name}'`);
        this.#logger.error({ task: task.name, id: task.id, state: task.state }, `task '${task.name}' did not stop within ${this.#stepDeadlineMs} ms of shutdown; going on without it`);
      }
    }

    for (const entry of this.#releases.drain()) {
      const step = `release '${entry.name}'`;
      this.#pending = () => [step];
      const released = await settleWithin(entry.run(), entry.deadlineMs);
      if (released.kind === 'timeout') {
        overruns.push(step);
        this.#logger.error({ release: entry.name }, `${step} did not finish within ${entry.deadlineMs} ms; skipped`);
      } else if (released.kind === 'error') {
        this.#errors.push({ step, error: describeError(released.error) });
        this.#logger.error({ release: entry.name, err: released.error }, `${step} threw`);
      }
    }
    this.#pending = () => [];
    clearTimeout(this.#watchdog);

    // The terminal is restored by now, so this text is readable.
    if (overruns.length > 0) this.#tell(`shutdown: ${overruns.join(', ')} did not finish in time (a bug; see the log)`);
    if (reason.kind === 'error') this.#reportOnce(reason.error);
    const report: ShutdownReport = { reason, exitCode, overruns, errors: [...this.#errors] };
    this.#logger.info({ exitCode, overruns, errors: report.errors }, 'shutdown complete');
    this.#exitOnce(exitCode);
    return report;
  }

  #deadlinePassed(exitCode: number): void {
    const pending = this.#pending().join(', ') || 'nothing known';
    const why = `shutdown took longer than ${this.#shutdownDeadlineMs} ms; still waiting for ${pending}`;
    this.#force(exitCode, why, { note: `${why}. Exited without finishing (a bug; see the log).` });
  }

  /** The emergency path: synchronous restorers, then exit now. Releases still pending are abandoned. */
  #force(exitCode: number, why: string, extra: { error?: unknown; note?: string } = {}): void {
    if (this.#forced) return;
    this.#forced = true;
    clearTimeout(this.#watchdog);
    this.#logger.error({ why, exitCode, pending: this.#pending() }, 'forcing exit');
    for (const hook of [...this.#forceHooks].reverse()) {
      try {
        hook.fn();
      } catch (hookError) {
        this.#logger.error({ err: hookError }, 'onForce hook threw');
      }
    }
    // After the restorers, so the text lands on a usable terminal.
    if (extra.note !== undefined) this.#tell(extra.note);
    const fatal = 'error' in extra ? extra.error : this.#reason?.kind === 'error' ? this.#reason.error : undefined;
    if (fatal !== undefined) this.#reportOnce(fatal);
    this.#exitOnce(exitCode);
  }

  #signalCode(signal: ShutdownSignal): number {
    return this.#signalCodes[signal] ?? SIGNAL_EXIT_CODES[signal];
  }

  #reportOnce(error: unknown): void {
    if (this.#fatalReported) return;
    this.#fatalReported = true;
    this.#tell(formatError(error));
  }

  #tell(text: string): void {
    try {
      this.#reportFatal(text);
    } catch (error) {
      this.#logger.error({ err: error }, 'reportFatal threw');
    }
  }

  #exitOnce(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    try {
      this.#exit(code);
    } catch (error) {
      this.#logger.error({ err: error, code }, 'exit threw');
    }
  }

  #changed(): void {
    this.#snapshot = null;
    for (const listener of [...this.#listeners]) {
      try {
        listener.fn();
      } catch (error) {
        this.#logger.error({ err: error }, 'kernel listener threw');
      }
    }
  }
}
