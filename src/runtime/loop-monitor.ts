import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';

/**
 * A histogram of loop-delay samples in nanoseconds: `monitorEventLoopDelay()` in production;
 * anything with the same read side (e.g. `createHistogram()`) in tests.
 */
export interface DelaySource {
  readonly count: number;
  percentile(percentile: number): number;
  reset(): void;
  enable?(): boolean;
  disable?(): boolean;
}

export interface LoopMonitorOptions {
  /** Sampling period of `monitorEventLoopDelay`; every sample includes it, so it is subtracted. @default 20 */
  resolutionMs?: number;
  /** How often the current histogram is folded into the ring of recent windows. @default 1000 */
  windowMs?: number;
  /** How many recent windows `p99Ms()` and `maxMs()` cover. @default 5 */
  windows?: number;
  /** Warn when p99 rises above this. @default 100 */
  warnAboveMs?: number;
  /** After a warning, warn again only once p99 has dropped below this (hysteresis). @default 0.8 × warnAboveMs */
  rearmBelowMs?: number;
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Makes the (two) histograms the monitor reads; each is enabled here and disabled by stop()
   * if it has those methods. @default () => monitorEventLoopDelay({ resolution: resolutionMs })
   */
  createSource?: () => DelaySource;
}

export interface LoopLagWarning {
  p99Ms: number;
  maxMs: number;
  thresholdMs: number;
}

/** Event-loop lag over the last few seconds, minus the sampling resolution. */
export interface LoopMonitor {
  /** p99 of the samples in the recent windows, in ms (0 until the first window closes). */
  p99Ms(): number;
  /** Largest sample in the recent windows, in ms. */
  maxMs(): number;
  /**
   * The samples of the window that closed last (ms, minus the resolution; each with its
   * weight, which is the count of samples at that value): for a metrics export that keeps its
   * own histogram over a longer span (src/app/tui-metrics.ts). Empty before the first window.
   */
  lastWindow(): readonly LagSample[];
  /** Called after every window closes (about once a second). Returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Called when p99 crosses `warnAboveMs`, once per excursion. Returns the unsubscribe. */
  onWarn(listener: (warning: LoopLagWarning) => void): () => void;
  /** Stop sampling. Idempotent. */
  stop(): void;
}

interface Sample {
  valueNs: number;
  weight: number;
}

/** One value of a window's histogram: `weight` samples of `ms`. */
export interface LagSample {
  ms: number;
  weight: number;
}

/** More samples than this in a histogram are summarised by this many quantiles, each weighted. */
const MAX_POINTS = 1000;

/**
 * The `percentile` of weighted samples, rounded the way HdrHistogram (and so Node's
 * `histogram.percentile`) rounds: the smallest value with at least round(p% of total) at or
 * below it. 0 for no samples.
 */
export function weightedPercentile(samples: readonly Sample[], percentile: number): number {
  const total = samples.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0) return 0;
  const target = Math.max(Math.round((percentile / 100) * total), 1e-9);
  const sorted = [...samples].sort((a, b) => a.valueNs - b.valueNs);
  let seen = 0;
  for (const sample of sorted) {
    seen += sample.weight;
    if (seen >= target - 1e-9) return sample.valueNs;
  }
  return sorted.at(-1)?.valueNs ?? 0;
}

/**
 * A histogram's contents as value → count. The histogram does not expose raw samples, but the
 * i-th of n order statistics is `percentile(100·i/n)`, so its contents can be rebuilt exactly
 * (to bucket precision) and windows merged or subtracted.
 */
function contents(source: DelaySource): Map<number, number> {
  const counts = new Map<number, number>();
  const count = source.count;
  const points = Math.min(count, MAX_POINTS);
  for (let i = 1; i <= points; i += 1) {
    const value = source.percentile((100 * i) / points);
    counts.set(value, (counts.get(value) ?? 0) + count / points);
  }
  return counts;
}

/** The samples in `now` that were not yet in `before` (a histogram only grows between resets). */
function added(now: Map<number, number>, before: Map<number, number>): Sample[] {
  const samples: Sample[] = [];
  for (const [valueNs, weight] of now) {
    const extra = weight - (before.get(valueNs) ?? 0);
    if (extra > 1e-9) samples.push({ valueNs, weight: extra });
  }
  return samples;
}

export function createLoopMonitor(opts: LoopMonitorOptions = {}): LoopMonitor {
  const resolutionMs = opts.resolutionMs ?? 20;
  const windowCount = Math.max(1, opts.windows ?? 5);
  const warnAboveMs = opts.warnAboveMs ?? 100;
  const rearmBelowMs = opts.rearmBelowMs ?? warnAboveMs * 0.8;
  const logger = opts.logger ?? silentLogger;
  const createSource = opts.createSource ?? (() => monitorEventLoopDelay({ resolution: resolutionMs }));
  // Resetting a delay histogram drops the sample that spans the reset (it restarts its
  // previous-tick time), so a stall just after a fold — e.g. in a listener woken by it — would
  // never be seen. Two histograms, each reset every other window, cover each other: a window is
  // what the histogram not reset at its start gained during it.
  let used = createSource();
  let other = createSource();
  used.enable?.();
  other.enable?.();
  let baseline = new Map<number, number>();

  const ring: Sample[][] = [];
  const listeners = new Set<{ fn: () => void }>();
  const warnListeners = new Set<{ fn: (w: LoopLagWarning) => void }>();
  const toMs = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
  let p99 = 0;
  let max = 0;
  let warned = false;
  let stopped = false;

  const call = (fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      logger.error({ err: error }, 'loop monitor listener threw');
    }
  };

  const fold = (): void => {
    ring.push(added(contents(used), baseline));
    used.reset();
    baseline = contents(other);
    [used, other] = [other, used];
    if (ring.length > windowCount) ring.shift();
    const samples = ring.flat();
    p99 = toMs(weightedPercentile(samples, 99));
    max = toMs(samples.reduce((m, s) => Math.max(m, s.valueNs), 0));
    for (const l of [...listeners]) call(l.fn);
    if (!warned && p99 > warnAboveMs) {
      warned = true;
      const warning: LoopLagWarning = { p99Ms: p99, maxMs: max, thresholdMs: warnAboveMs };
      logger.warn({ ...warning }, `event-loop lag p99 ${p99.toFixed(1)} ms is above ${warnAboveMs} ms: the UI and stop checks are running late`);
      for (const l of [...warnListeners]) call(() => l.fn(warning));
    } else if (warned && p99 < rearmBelowMs) {
      warned = false;
      logger.info({ p99Ms: p99, maxMs: max }, 'event-loop lag back to normal');
    }
  };

  const timer = setInterval(fold, opts.windowMs ?? 1000);
  // Sampling must never be what keeps the process alive.
  timer.unref();

  return {
    p99Ms: () => p99,
    maxMs: () => max,
    lastWindow: () => (ring.at(-1) ?? []).map((s) => ({ ms: toMs(s.valueNs), weight: s.weight })),
    subscribe(fn) {
      const entry = { fn };
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    onWarn(fn) {
      const entry = { fn };
      warnListeners.add(entry);
      return () => void warnListeners.delete(entry);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      used.disable?.();
      other.disable?.();
    },
  };
}
