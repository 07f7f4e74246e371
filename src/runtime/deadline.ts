/** How a promise settled within a deadline, or that it did not. */
export type Settled<T> = { kind: 'ok'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/**
 * Wait for `promise`, but no longer than `ms`. Never rejects: a rejection comes back as
 * `{kind:'error'}`. The promise itself keeps running past the deadline (nothing can stop a
 * promise); the caller decides what an overrun means. The timer is cleared either way.
 */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race<Settled<T>>([
      promise.then(
        (value) => ({ kind: 'ok', value }),
        (error: unknown) => ({ kind: 'error', error }),
      ),
      new Promise<Settled<T>>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
