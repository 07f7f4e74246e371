import { performance } from 'node:perf_hooks';

export interface NonceStoreOptions {
  /**
   * How long a used nonce is remembered. Upbit does not document a window; an hour is far
   * longer than any client keeps a token, and keeps memory bounded in time.
   * @default 3_600_000
   */
  ttlMs?: number;
  /**
   * At most this many nonces are remembered per access key; the oldest go first.
   * @default 200_000 (over an hour of the 30/s default limit)
   */
  maxPerKey?: number;
  /** Monotonic ms clock. @default performance.now */
  clock?: () => number;
}

/**
 * The nonces each access key has used (docs/upbit-protocol.md#authentication: reuse → 401 `nonce_used`). Expiry is lazy: each
 * insertion drops expired entries from the front (a Map iterates in insertion order, and with
 * one TTL that is expiry order), so the store needs no timer and closes with nothing pending.
 */
export class NonceStore {
  private readonly byKey = new Map<string, Map<string, number>>();
  private readonly ttlMs: number;
  private readonly maxPerKey: number;
  private readonly clock: () => number;

  constructor(options: NonceStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.maxPerKey = options.maxPerKey ?? 200_000;
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Spend `nonce` for `accessKey`: true the first time, false when it was used already. */
  use(accessKey: string, nonce: string): boolean {
    const t = this.clock();
    let seen = this.byKey.get(accessKey);
    if (seen === undefined) this.byKey.set(accessKey, (seen = new Map<string, number>()));
    for (const [old, expiresAt] of seen) {
      if (expiresAt > t && seen.size < this.maxPerKey) break;
      seen.delete(old);
    }
    if (seen.has(nonce)) return false;
    seen.set(nonce, t + this.ttlMs);
    return true;
  }

  /** How many nonces are remembered for `accessKey` (for tests and diagnostics). */
  size(accessKey: string): number {
    return this.byKey.get(accessKey)?.size ?? 0;
  }
}
