import type { TaskRow, TaskSource } from '../../src/ui/task-source.js';

let nextId = 1;

/** A running top-level task started at `startedAt` (default: now). */
export function taskRow(name: string, over: Partial<TaskRow> = {}): TaskRow {
  return { id: nextId++, name, owner: null, state: 'running', lastError: null, restarts: 0, startedAt: Date.now(), ...over };
}

/** A TaskSource under the test's control, counting its subscribers. */
export class FakeTaskSource implements TaskSource {
  #rows: readonly TaskRow[];
  readonly #listeners = new Set<() => void>();

  constructor(rows: readonly TaskRow[]) {
    this.#rows = rows;
  }

  readonly getSnapshot = (): readonly TaskRow[] => this.#rows;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };

  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Replace the rows (a new array, as a real source would) and notify. */
  set(rows: readonly TaskRow[]): void {
    this.#rows = rows;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Notify without changing anything, as a chatty source may. */
  poke(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
