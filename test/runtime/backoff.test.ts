import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fullJitterDelay, sleep } from '../../src/runtime/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('fullJitterDelay', () => {
  it('is random() times min(cap, base * 2^attempt)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 120_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, baseMs, capMs, r) => {
        const delay = fullJitterDelay(attempt, { baseMs, capMs }, () => r);
        const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
        expect(delay).toBeCloseTo(r * ceiling, 6);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(capMs);
        expect(Number.isFinite(delay)).toBe(true);
      }),
    );
  });

  it('grows by doubling until the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5].map((attempt) => fullJitterDelay(attempt, { baseMs: 100, capMs: 1000 }, () => 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('sleep', () => {
  it('resolves after the delay and leaves no timer or listener behind', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let done = false;
    const slept = sleep(1000, controller.signal).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with signal.reason when aborted, clearing its timer and listener', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const reason = new Error('stop');
    const slept = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once, without a timer, when the signal has already aborted', async () => {
    vi.useFakeTimers();
    const reason = new Error('already');
    await expect(sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });
});
