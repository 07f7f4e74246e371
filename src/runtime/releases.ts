/** A resource's release, registered when the resource was acquired. */
export interface ReleaseEntry {
  readonly name: string;
  readonly deadlineMs: number;
  /** Runs the release at most once; later calls return the same promise. */
  run(): Promise<void>;
}

/** The kernel's stack of releases: early release removes an entry, shutdown drains the rest in reverse. */
export class ReleaseStack {
  #entries: ReleaseEntry[] = [];

  /** Register `release`; returns an idempotent early release that also removes it from the stack. */
  push(name: string, release: () => void | Promise<void>, deadlineMs: number): () => Promise<void> {
    let running: Promise<void> | null = null;
    const entry: ReleaseEntry = {
      name,
      deadlineMs,
      run: () => {
        running ??= (async () => {
          await release();
        })();
        return running;
      },
    };
    this.#entries.push(entry);
    return () => {
      this.#entries = this.#entries.filter((other) => other !== entry);
      return entry.run();
    };
  }

  /** Take every entry still registered, most recently acquired first. */
  drain(): ReleaseEntry[] {
    const entries = this.#entries.reverse();
    this.#entries = [];
    return entries;
  }
}
