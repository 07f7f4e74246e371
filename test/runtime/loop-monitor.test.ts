import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLoopMonitor, memoryLogger } from '../../src/runtime/index.js';
import { testKernel, waitFor } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const MS = 1e6;

/** Histograms the monitor reads, fed the same samples the way every delay monitor sees every tick. */
function fakeDelays() {
  const made: RecordableHistogram[] = [];
  return {
    createSource: (): RecordableHistogram => {
      const h = createHistogram();
      made.push(h);
      return h;
    },
    record: (ms: number): void => {
      for (const h of made) h.record(Math.round(ms * MS));
    },
  };
}

describe('loop monitor (injected histogram, fake clock)', () => {
  it('p99 and max over the recent windows equal those of one histogram holding all their samples', () => {
    vi.useFakeTimers();
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 2000 }), { maxLength: 120 }), { minLength: 1, maxLength: 8 }), (windows) => {
        const delays = fakeDelays();
        const monitor = createLoopMonitor({ createSource: delays.createSource, resolutionMs: 0, windowMs: 1000, windows: 5 });
        try {
          for (const values of windows) {
            for (const ms of values) delays.record(ms);
            vi.advanceTimersByTime(1000);
          }
          const reference = createHistogram();
          for (const ms of windows.slice(-5).flat()) reference.record(ms * MS);
          const recent = reference.count > 0;
          expect(monitor.p99Ms()).toBe(recent ? reference.percentile(99) / MS : 0);
          expect(monitor.maxMs()).toBe(recent ? reference.max / MS : 0);
        } finally {
          monitor.stop();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('subtracts the sampling resolution, which every sample includes', () => {
    vi.useFakeTimers();
    const delays = fakeDelays();
    const monitor = createLoopMonitor({ createSource: delays.createSource, resolutionMs: 20 });
    for (let i = 0; i < 50; i += 1) delays.record(20);
    delays.record(70);
    vi.advanceTimersByTime(1000);
    // Histogram buckets keep 3 significant digits, hence "close to".
    expect(monitor.p99Ms()).toBeCloseTo(0, 1);
    expect(monitor.maxMs()).toBeCloseTo(50, 0);
    monitor.stop();
  });

  it('warns once when p99 crosses the threshold, and again only after it fell below the re-arm level', () => {
    vi.useFakeTimers();
    const delays = fakeDelays();
    const logger = memoryLogger();
    const monitor = createLoopMonitor({ createSource: delays.createSource, resolutionMs: 0, windows: 1, warnAboveMs: 100, rearmBelowMs: 80, logger });
    const onWarn = vi.fn();
    monitor.onWarn(onWarn);
    const ticks = vi.fn();
    const off = monitor.subscribe(ticks);
    const p99Series = [50, 150, 160, 120, 90, 70, 130];
    for (const ms of p99Series) {
      delays.record(ms);
      vi.advanceTimersByTime(1000);
    }
    expect(ticks).toHaveBeenCalledTimes(p99Series.length);
    expect(onWarn.mock.calls.map(([w]) => Math.round((w as { p99Ms: number }).p99Ms))).toEqual([150, 130]);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(2);
    off();
    vi.advanceTimersByTime(1000);
    expect(ticks).toHaveBeenCalledTimes(p99Series.length);
    monitor.stop();
  });

  it('stop() clears the sampler and is idempotent', () => {
    vi.useFakeTimers();
    const monitor = createLoopMonitor({ createSource: fakeDelays().createSource });
    expect(vi.getTimerCount()).toBe(1);
    monitor.stop();
    monitor.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the kernel starts one and stops it when it shuts down', async () => {
    vi.useFakeTimers();
    const delays = fakeDelays();
    const { kernel } = testKernel({ loopMonitor: { createSource: delays.createSource, resolutionMs: 0 } });
    delays.record(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(kernel.loop.p99Ms()).toBeCloseTo(5, 1);
    await kernel.shutdown({ kind: 'user' });
    delays.record(500);
    await vi.advanceTimersByTimeAsync(5000);
    expect(kernel.loop.maxMs()).toBeCloseTo(5, 1);
  });
});

describe('loop monitor (real event loop)', () => {
  it('sees a stall that starts right after a window closes (the sample a histogram reset would drop)', async () => {
    const monitor = createLoopMonitor({ resolutionMs: 10, windowMs: 100 });
    try {
      await new Promise<void>((resolve) => {
        const off = monitor.subscribe(() => {
          off();
          resolve();
        });
      });
      const until = performance.now() + 150;
      while (performance.now() < until) {
        // Block the loop on purpose.
      }
      await waitFor(() => monitor.maxMs() >= 100, 'the block to show up in maxMs');
      expect(monitor.maxMs()).toBeLessThan(2000);
    } finally {
      monitor.stop();
    }
  });
});
