/** Bounds of an exponential backoff, in milliseconds. */
export interface BackoffPolicy {
  /** Ceiling of the first delay (`attempt` 0). */
  baseMs: number;
  /** No delay ever exceeds this. */
  capMs: number;
}

/**
 * AWS "full jitter" (Architecture Blog, "Exponential Backoff And Jitter",
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
 * `random() * min(cap, base * 2 ** attempt)`, with `attempt` counted from 0. Spreading the
 * whole interval keeps many clients that failed together from retrying together.
 *
 * @param random a source in [0, 1); injected so tests can pin the jitter.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  // 2 ** 1024 is Infinity; clamping the exponent keeps the arithmetic finite and changes nothing
  // once the cap is reached.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return random() * ceiling;
}

/**
 * Resolve after `ms`, or reject with `signal.reason` as soon as `signal` aborts (at once if it
 * already has). The timer and the listener are both gone when the promise settles.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(resolve, ms);
      if (signal) {
        onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
