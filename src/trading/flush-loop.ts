/**
 * The throttle of every external store (the market store and the feed's slices): a kernel task
 * body that publishes what changed every `intervalMs`, so the UI is told at most 1000/intervalMs
 * times a second however fast data arrives (docs/terminal-rendering.md#one-throttle). The TUI
 * runs one loop for all of them ({@link flushEach}): React renders the notifications of one
 * tick in one commit (it batches them to the end of the task), so a tick is one commit, where
 * a timer each, out of phase, made one commit per store.
 */
export class FlushLoop {
  readonly #what: string;
  readonly #intervalMs: number;
  readonly #flush: () => void;
  #running = false;

  /** `what` names the store in errors (`MarketStore`, `OrderBooks`…); `flush` publishes, and may throw a subscriber's error. */
  constructor(what: string, intervalMs: number, flush: () => void) {
    this.#what = what;
    this.#intervalMs = intervalMs;
    this.#flush = flush;
  }

  /**
   * Every `intervalMs`, flush. Resolves, its timer cleared, when `signal` aborts; rejects if a
   * subscriber throws (the task fails and the kernel reports it), and if it is already running.
   */
  run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    if (this.#running) return Promise.reject(new Error(`${this.#what}.run is already running`));
    this.#running = true;
    return new Promise<void>((resolve, reject) => {
      const stop = (): void => {
        clearInterval(timer);
        signal.removeEventListener('abort', onAbort);
        this.#running = false;
      };
      const onAbort = (): void => {
        stop();
        resolve();
      };
      const timer = setInterval(() => {
        try {
          this.#flush();
        } catch (error) {
          stop();
          reject(new Error(`A ${this.#what} subscriber threw during flush`, { cause: error }));
        }
      }, this.#intervalMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Flush every store, in order, even when one throws (its subscriber's bug must not hold the
 * others' data back); then throw the first error. Returns whether any published.
 */
export function flushEach(stores: ReadonlyArray<{ flush(): boolean }>): boolean {
  let published = false;
  let failure: { error: unknown } | null = null;
  for (const store of stores) {
    try {
      if (store.flush()) published = true;
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== null) throw failure.error;
  return published;
}
