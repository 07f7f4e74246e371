/**
 * The UI's view of the running tasks. A UI-side interface, so nothing in src/ui depends on the
 * runtime: src/app adapts the kernel to it.
 */

export type TaskRowState = 'running' | 'stopping' | 'failed' | 'done';

/** One task as the tasks panel shows it. */
export interface TaskRow {
  readonly id: number;
  readonly name: string;
  /** The owning task's name; null for a top-level task. */
  readonly owner: string | null;
  readonly state: TaskRowState;
  /** The newest failure's one-line description (a restarting task keeps running with one). */
  readonly lastError: string | null;
  readonly restarts: number;
  /** Start time in ms, on the same clock as the market store's `publishedAt`. */
  readonly startedAt: number;
}

/**
 * An external store of task rows, read with `useSyncExternalStore`: `getSnapshot` must return
 * the same array until something changes, and both functions must be stable (they are passed
 * detached), or React re-subscribes on every render.
 */
export interface TaskSource {
  readonly getSnapshot: () => readonly TaskRow[];
  /** Calls `listener` whenever the rows may have changed. Returns the unsubscribe. */
  readonly subscribe: (listener: () => void) => () => void;
}
