import { setMaxListeners } from 'node:events';
import { fullJitterDelay, sleep } from './backoff.js';
import { cancellation, describeError, isCancellation } from './errors.js';
import type { Logger } from './logger.js';

export type TaskState = 'running' | 'stopping' | 'failed' | 'done';

/** Re-run a failed task after a full-jitter backoff instead of failing its owner. */
export interface RestartPolicy {
  /** Ceiling of the first delay, in ms. @default 500 */
  baseMs?: number;
  /** No delay exceeds this; a run that lasted longer than this resets the backoff. @default 30000 */
  capMs?: number;
  /** After this many restarts the next failure reaches the owner. @default Infinity */
  maxRestarts?: number;
}

/** Options for a task spawned under another task. */
export interface ChildOptions {
  restart?: RestartPolicy;
  /**
   * How long the task may take to stop once aborted before it is named in the log. If it was
   * aborted because a child failed, it is then declared failed anyway, so the error keeps
   * climbing to the kernel. @default the kernel's `stepDeadlineMs`
   */
  stopDeadlineMs?: number;
}

export type TaskFn<T> = (signal: AbortSignal, task: Task<T>) => Promise<T>;

/**
 * A named unit of work with an owner. It ends when its function settles and its children have
 * ended; until then its owner cannot end either.
 */
export interface Task<T = unknown> {
  readonly id: number;
  readonly name: string;
  readonly state: TaskState;
  /** The current run's signal: aborted when the task is halted, its owner stops, a child fails, or the run ends. */
  readonly signal: AbortSignal;
  /**
   * Settles when the task has ended: resolves with the function's value, rejects with the
   * error if it failed, or with the abort reason if it was cancelled. An unobserved rejection is
   * never an unhandledRejection.
   */
  readonly result: Promise<T>;
  /** Start a task owned by this one (halted when this run ends; its failure fails this task). */
  spawn<U>(name: string, fn: TaskFn<U>, opts?: ChildOptions): Task<U>;
  /** Abort the task and wait until it has ended. Safe to call more than once. */
  halt(): Promise<void>;
}

/** A row of the kernel's task list, as the UI shows it. */
export interface TaskInfo {
  id: number;
  name: string;
  /** The owning task's name; null for a task owned by the kernel itself. */
  owner: string | null;
  ownerId: number | null;
  state: TaskState;
  lastError: string | null;
  restarts: number;
  startedAt: number;
}

/** What a task needs from the kernel that owns the tree. Not part of the public API. */
export interface TaskHost {
  readonly logger: Logger;
  readonly stopDeadlineMs: number;
  /** During shutdown the kernel names overrunning tasks itself. */
  readonly shuttingDown: boolean;
  now(): number;
  random(): number;
  nextId(): number;
  /** Throws, naming the task, if no task may start now. */
  assertCanSpawn(name: string): void;
  started(task: TaskImpl<unknown>): void;
  changed(): void;
  ended(task: TaskImpl<unknown>): void;
  /** A task owned by the kernel itself failed. */
  failed(task: TaskImpl<unknown>, error: unknown): void;
}

type Outcome<T> = { kind: 'ok'; value: T } | { kind: 'cancelled'; reason: unknown } | { kind: 'failed'; error: unknown };

/** One execution of a task's function; a restart gets a fresh one. Children belong to a run. */
class Run {
  readonly controller = new AbortController();
  readonly children = new Set<TaskImpl<unknown>>();
  failure: { error: unknown } | null = null;
  overdue = false;
  over = false;
  giveUp: (() => void) | null = null;

  constructor() {
    // Every child adds one abort listener; a wide fan-out is normal here, not a leak.
    setMaxListeners(0, this.controller.signal);
  }
}

/** Abort `child` with the parent's reason when `parent` aborts; returns the unlink. */
function link(parent: AbortSignal, child: AbortController): () => void {
  if (parent.aborted) {
    child.abort(parent.reason);
    return () => undefined;
  }
  const onAbort = (): void => child.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return () => parent.removeEventListener('abort', onAbort);
}

interface Parent {
  task: TaskImpl<unknown> | null;
  run: Run | null;
  signal: AbortSignal;
}

export class TaskImpl<T> implements Task<T> {
  readonly id: number;
  readonly name: string;
  readonly startedAt: number;
  readonly result: Promise<T>;
  /** Resolves once the task has ended; never rejects. */
  readonly ended: Promise<void>;
  readonly #host: TaskHost;
  readonly #owner: TaskImpl<unknown> | null;
  readonly #ownerRun: Run | null;
  readonly #stopDeadlineMs: number;
  readonly #lifetime = new AbortController();
  #run = new Run();
  #state: TaskState = 'running';
  #lastError: string | null = null;
  #restarts = 0;
  #isEnded = false;

  constructor(host: TaskHost, name: string, fn: TaskFn<T>, opts: ChildOptions, parent: Parent) {
    this.#host = host;
    this.id = host.nextId();
    this.name = name;
    this.startedAt = host.now();
    this.#owner = parent.task;
    this.#ownerRun = parent.run;
    this.#stopDeadlineMs = opts.stopDeadlineMs ?? host.stopDeadlineMs;
    setMaxListeners(0, this.#lifetime.signal);
    let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
    this.result = new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The owner learns of a failure through the tree, so nobody is obliged to await `result`.
    this.result.catch(() => undefined);
    parent.run?.children.add(this);
    host.started(this);
    const unlinkParent = link(parent.signal, this.#lifetime);
    this.ended = this.#life(fn, resolvePolicy(opts.restart), settle, unlinkParent);
  }

  get state(): TaskState {
    return this.#state;
  }

  get signal(): AbortSignal {
    return this.#run.controller.signal;
  }

  info(): TaskInfo {
    return {
      id: this.id,
      name: this.name,
      owner: this.#owner?.name ?? null,
      ownerId: this.#owner?.id ?? null,
      state: this.#state,
      lastError: this.#lastError,
      restarts: this.#restarts,
      startedAt: this.startedAt,
    };
  }

  spawn<U>(name: string, fn: TaskFn<U>, opts: ChildOptions = {}): Task<U> {
    this.#host.assertCanSpawn(name);
    const run = this.#run;
    if (this.#isEnded || run.over || run.controller.signal.aborted) {
      throw new Error(`cannot spawn task '${name}': its owner '${this.name}' is ${this.#isEnded ? 'over' : 'stopping'}. Spawn it from a running task, or from the kernel.`);
    }
    return new TaskImpl(this.#host, name, fn, opts, { task: this, run, signal: run.controller.signal });
  }

  halt(): Promise<void> {
    if (!this.#lifetime.signal.aborted) this.#lifetime.abort(cancellation(`task '${this.name}' was halted`));
    return this.ended;
  }

  async #life(fn: TaskFn<T>, policy: Required<RestartPolicy> | null, settle: { resolve: (v: T) => void; reject: (e: unknown) => void }, unlinkParent: () => void): Promise<void> {
    let outcome: Outcome<T>;
    try {
      outcome = await this.#live(fn, policy);
    } catch (error) {
      // Only a bug in this file lands here; never let it vanish.
      outcome = { kind: 'failed', error };
    } finally {
      unlinkParent();
    }
    this.#isEnded = true;
    this.#state = outcome.kind === 'failed' ? 'failed' : 'done';
    if (outcome.kind === 'failed') {
      this.#lastError = describeError(outcome.error);
      this.#host.logger.error({ task: this.name, id: this.id, err: outcome.error }, `task '${this.name}' failed`);
    }
    this.#ownerRun?.children.delete(this);
    this.#host.ended(this);
    if (outcome.kind === 'ok') settle.resolve(outcome.value);
    else settle.reject(outcome.kind === 'failed' ? outcome.error : outcome.reason);
    if (outcome.kind !== 'failed') return;
    if (this.#owner && this.#ownerRun) this.#owner.#childFailed(this.#ownerRun, this, outcome.error);
    else this.#host.failed(this, outcome.error);
  }

  async #live(fn: TaskFn<T>, policy: Required<RestartPolicy> | null): Promise<Outcome<T>> {
    let attempt = 0;
    for (;;) {
      const run = this.#run;
      const unlink = link(this.#lifetime.signal, run.controller);
      const startedAt = this.#host.now();
      let outcome: Outcome<T>;
      try {
        outcome = await this.#runOnce(fn, run);
      } finally {
        unlink();
      }
      if (outcome.kind !== 'failed' || !policy || this.#lifetime.signal.aborted || this.#restarts >= policy.maxRestarts) return outcome;
      // A run that stayed up longer than the cap was healthy; start the backoff over.
      if (this.#host.now() - startedAt > policy.capMs) attempt = 0;
      const delayMs = fullJitterDelay(attempt, policy, () => this.#host.random());
      attempt += 1;
      this.#restarts += 1;
      this.#lastError = describeError(outcome.error);
      this.#state = 'running';
      this.#host.logger.warn({ task: this.name, id: this.id, err: outcome.error, restarts: this.#restarts, delayMs: Math.round(delayMs) }, `task '${this.name}' failed; restarting`);
      this.#host.changed();
      try {
        await sleep(delayMs, this.#lifetime.signal);
      } catch (reason) {
        return { kind: 'cancelled', reason };
      }
      this.#run = new Run();
    }
  }

  async #runOnce(fn: TaskFn<T>, run: Run): Promise<Outcome<T>> {
    const signal = run.controller.signal;
    let stopTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      this.#setState('stopping');
      stopTimer = setTimeout(() => this.#overdue(run), this.#stopDeadlineMs);
    };
    const gaveUp = new Promise<Outcome<T>>((resolve) => {
      run.giveUp = () => resolve({ kind: 'failed', error: run.failure?.error });
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([this.#body(fn, run), gaveUp]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(stopTimer);
      run.over = true;
      run.giveUp = null;
      // Anything still holding this run's signal (a leaked listener, a straggler) learns it is over.
      if (!signal.aborted) run.controller.abort(cancellation(`task '${this.name}' ended`));
    }
  }

  async #body(fn: TaskFn<T>, run: Run): Promise<Outcome<T>> {
    const signal = run.controller.signal;
    let outcome: Outcome<T>;
    try {
      outcome = { kind: 'ok', value: await fn(signal, this) };
    } catch (error) {
      outcome = isCancellation(error, signal) ? { kind: 'cancelled', reason: error } : { kind: 'failed', error };
    }
    if (run.children.size > 0) {
      if (!signal.aborted) run.controller.abort(cancellation(`owner '${this.name}' ended`));
      await Promise.all([...run.children].map((child) => child.ended));
    }
    return run.failure ? { kind: 'failed', error: run.failure.error } : outcome;
  }

  #overdue(run: Run): void {
    run.overdue = true;
    const waitingFor = [...run.children].map((child) => child.name);
    if (run.failure) {
      this.#host.logger.error(
        { task: this.name, id: this.id, waitingFor, err: run.failure.error },
        `task '${this.name}' did not stop within ${this.#stopDeadlineMs} ms after a child failed; declaring it failed so the error is not lost`,
      );
      run.giveUp?.();
    } else if (!this.#host.shuttingDown) {
      this.#host.logger.error({ task: this.name, id: this.id, waitingFor }, `task '${this.name}' has not stopped ${this.#stopDeadlineMs} ms after it was aborted: something in it ignores its AbortSignal`);
    }
  }

  #childFailed(run: Run, child: TaskImpl<unknown>, error: unknown): void {
    if (run.over || run !== this.#run || run.failure) {
      this.#host.logger.error({ task: this.name, child: child.name, err: error }, `task '${child.name}' failed after its owner '${this.name}' had already failed or ended`);
      return;
    }
    run.failure = { error };
    this.#lastError = describeError(error);
    if (!run.controller.signal.aborted) run.controller.abort(error);
    else if (run.overdue) run.giveUp?.();
    this.#host.changed();
  }

  #setState(state: TaskState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#host.changed();
  }
}

function resolvePolicy(policy: RestartPolicy | undefined): Required<RestartPolicy> | null {
  if (!policy) return null;
  return { baseMs: policy.baseMs ?? 500, capMs: policy.capMs ?? 30_000, maxRestarts: policy.maxRestarts ?? Infinity };
}
