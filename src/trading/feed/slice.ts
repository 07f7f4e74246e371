/**
 * A store slice of high-rate market data (books, trade tapes, candles): updates are applied
 * synchronously and cheaply, and the immutable per-key snapshots the UI reads are built only
 * by the flush loop, at most `flushHz` times a second however fast data arrives.
 *
 * Read per key with a selector: {@link source} gives a `useSyncExternalStore` pair whose
 * snapshot is the same object until that key's data changes, and whose subscribers are told
 * only when it does, so a panel re-renders only for its own market.
 */
import { FlushLoop } from '../flush-loop.js';

/** A subscribe/getSnapshot pair for `useSyncExternalStore`, stable per key. */
export interface SliceSource<V> {
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => V | undefined;
}

export interface SliceOptions {
  /**
   * How often, at most, a new snapshot is published. 10–15 suits Ink, as for the ticker store.
   * @default 12
   */
  flushHz?: number;
}

export abstract class Slice<V> {
  readonly #published = new Map<string, V>();
  readonly #dirty = new Set<string>();
  readonly #keyListeners = new Map<string, Set<() => void>>();
  readonly #listeners = new Set<() => void>();
  readonly #sources = new Map<string, SliceSource<V>>();
  #version = 0;
  readonly #loop: FlushLoop;

  constructor(options: SliceOptions = {}) {
    const flushHz = options.flushHz ?? 12;
    if (!(flushHz > 0 && flushHz <= 60)) throw new RangeError(`flushHz must be in (0, 60], got ${flushHz}`);
    // ceil, so that no 1 s window can hold more than flushHz flushes.
    this.#loop = new FlushLoop(this.constructor.name, Math.max(1, Math.ceil(1000 / flushHz)), () => void this.flush());
  }

  /** The immutable snapshot of `key` as last published, or undefined: the same object until it changes. */
  protected selectKey(key: string): V | undefined {
    return this.#published.get(key);
  }

  /** A useSyncExternalStore pair for `key`: the same pair (and functions) every time. */
  protected sourceOf(key: string): SliceSource<V> {
    let source = this.#sources.get(key);
    if (source === undefined) {
      source = { subscribe: (listener) => this.#subscribeKey(key, listener), getSnapshot: () => this.#published.get(key) };
      this.#sources.set(key, source);
    }
    return source;
  }

  /** Build the snapshot of a changed key, or undefined when it has no data any more. */
  protected abstract build(key: string): V | undefined;

  /** Forget a key's live data (see {@link retainOnly}). */
  protected abstract forget(key: string): void;

  /** The keys that hold live data. */
  protected abstract liveKeys(): Iterable<string>;

  /** The key's data changed: publish it at the next flush. O(1). */
  protected touch(key: string): void {
    this.#dirty.add(key);
  }

  /** Drop every key `keep` refuses (its market is no longer demanded): its snapshot goes at the next flush. */
  protected retainWhere(keep: (key: string) => boolean): void {
    for (const key of [...this.liveKeys()]) {
      if (keep(key)) continue;
      this.forget(key);
      this.#dirty.add(key);
    }
  }

  /** Increases by one with every published flush. */
  version(): number {
    return this.#version;
  }

  /** Told after every flush that published something (whatever key). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Publish the changed keys now and tell their subscribers, then the slice's. Returns whether
   * anything was published. A subscriber that throws is a bug of the UI: the others are still
   * told, then the first error is thrown (the flush loop rejects with it).
   */
  flush(): boolean {
    if (this.#dirty.size === 0) return false;
    const changed = [...this.#dirty];
    this.#dirty.clear();
    for (const key of changed) {
      const v = this.build(key);
      if (v === undefined) this.#published.delete(key);
      else this.#published.set(key, v);
    }
    this.#version += 1;
    let failure: { error: unknown } | null = null;
    const call = (listener: () => void): void => {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    };
    for (const key of changed) {
      const subs = this.#keyListeners.get(key);
      if (subs !== undefined) for (const listener of [...subs]) call(listener);
    }
    for (const listener of [...this.#listeners]) call(listener);
    if (failure !== null) throw (failure as { error: unknown }).error;
    return true;
  }

  /**
   * The flush loop, to be spawned as a kernel task: every 1000/flushHz ms, publish what
   * changed. Resolves, its timer cleared, when `signal` aborts; rejects if a subscriber throws.
   */
  run(signal: AbortSignal): Promise<void> {
    return this.#loop.run(signal);
  }

  #subscribeKey(key: string, listener: () => void): () => void {
    let subs = this.#keyListeners.get(key);
    if (subs === undefined) this.#keyListeners.set(key, (subs = new Set()));
    subs.add(listener);
    return () => {
      const now = this.#keyListeners.get(key);
      if (now === undefined) return;
      now.delete(listener);
      if (now.size === 0) this.#keyListeners.delete(key);
    };
  }
}
