/**
 * The publication side of an external store (React's `useSyncExternalStore` contract,
 * https://react.dev/reference/react/useSyncExternalStore): a versioned, immutable snapshot,
 * the same object until something changed, and subscribers told at most `hz` times a second
 * however fast changes come. Changes are applied to the store's own mutable state at once;
 * only the snapshot is built at the throttled rate (docs/architecture.md#high-rate-data-stays-out-of-react).
 *
 * A burst of changes within one interval costs one snapshot: the first change after a quiet
 * spell is published on the next turn of the event loop, later ones wait out the interval
 * since the last publication.
 */
import { silentLogger, type Logger } from '../../runtime/logger.js';

/** Ink renders well at 10–15 frames a second; the stores publish no faster. */
export const DEFAULT_PUBLISH_HZ = 12;

export interface PublisherOptions {
  /** Most publications a second. @default 12 */
  hz?: number;
  /** @default Date.now */
  now?: () => number;
  /** Where a throwing subscriber is logged. @default silentLogger */
  logger?: Logger;
}

export interface ExternalStore<S> {
  /** The latest published snapshot: the same object until a change is published. */
  readonly getSnapshot: () => S;
  /** Told after each publication. Returns the unsubscribe. */
  readonly subscribe: (listener: () => void) => () => void;
}

export class Publisher<S extends { version: number }> implements ExternalStore<S> {
  readonly #build: (version: number) => S;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #listeners = new Set<{ fn: () => void }>();
  #snapshot: S;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #publishedAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  /** `build(version)` makes the snapshot of the store's current state. */
  constructor(build: (version: number) => S, options: PublisherOptions = {}) {
    this.#build = build;
    this.#intervalMs = 1000 / Math.max(1, options.hz ?? DEFAULT_PUBLISH_HZ);
    this.#now = options.now ?? Date.now;
    this.#log = options.logger ?? silentLogger;
    this.#snapshot = build(0);
  }

  readonly getSnapshot = (): S => this.#snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    const entry = { fn: listener };
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  };

  /** The store's state changed: publish within the interval. */
  changed(): void {
    this.#dirty = true;
    if (this.#timer !== undefined || this.#closed) return;
    const wait = Math.max(0, this.#publishedAt + this.#intervalMs - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, wait);
    // Never what keeps the process alive.
    this.#timer.unref();
  }

  /** Publish now if anything changed. Returns whether a snapshot was published. */
  flush(): boolean {
    if (!this.#dirty) return false;
    this.#dirty = false;
    this.#publishedAt = this.#now();
    this.#snapshot = this.#build(this.#snapshot.version + 1);
    for (const { fn } of [...this.#listeners]) {
      try {
        fn();
      } catch (error) {
        this.#log.error({ err: error }, 'a store subscriber threw');
      }
    }
    return true;
  }

  /** Publish what is pending and stop the timer; later changes are kept but not published. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }
}
