/**
 * The TUI's opt-in metrics file (`--metrics-file <path>`, hidden from --help): one JSON line a
 * second of cumulative counters, for the TUI load benchmark (bench/tui-load.ts,
 * docs/performance.md#the-tui-load-benchmark-issue-9), which reads two lines and subtracts.
 * Off (no flag) nothing here runs: no listener, no hook, no byte count. On, it is a kernel task
 * that writes only to its file, never to the terminal.
 *
 * What a line holds (see {@link MetricsLine}):
 * - `ticks`: tickers the store was given (every market), i.e. messages received;
 * - `publishes`: snapshots the store published; `commits`: Ink renders, one per React commit
 *   (Ink's `onRender`, unthrottled on a terminal); `frames`/`bytes`: what the screen painter
 *   wrote to the terminal (`emptyFrames`: commits that changed nothing on screen);
 * - `lag`: the kernel's loop monitor (src/runtime/loop-monitor.ts): its rolling p99/max, and a
 *   cumulative histogram of every sample of its closed windows (ms → count);
 * - `fresh`: tick → frame, a cumulative histogram of one sample per painted frame: the age, at
 *   the moment the frame is written, of the oldest tick that (a) changed the trade price of a
 *   market on a visible row of the table, (b) arrived since that row's price was last
 *   published, and (c) is published in the snapshot this frame draws. A published change that
 *   paints nothing (an unchanged frame) is dropped, not carried to a later frame;
 * - `freshSent`: the same frames and ticks, but the age is taken from the tick's own
 *   `timestamp` on the wall clock: against the benchmark's source, which stamps each frame as
 *   it sends it, that includes the wait in the sockets (a TUI behind its feed); against Upbit it
 *   would be the exchange's clock and the network;
 * - `mem`: process.memoryUsage() in bytes;
 * - `gc`: garbage collections on the main thread (Node's `gc` performance entries): how many of
 *   each kind, and their summed pause in ms (the work V8's helper threads do beside them is not
 *   in it: the benchmark reads that from /proc as the other threads' CPU).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import type { Kernel } from '../runtime/kernel.js';
import type { MarketStore } from '../trading/market-store.js';
import type { MarketCode } from '../upbit/types.js';
import { planFrame } from '../ui/layout.js';
import type { RenderMetricsHooks } from '../ui/render-metrics.js';

/** A sparse histogram: bucket lower bound in ms (as a string key) → count. */
export type Histogram = Record<string, number>;

export interface MetricsLine {
  /** Wall clock (ms since the epoch) and seconds since the metrics started. */
  t: number;
  uptimeS: number;
  seq: number;
  ticks: number;
  publishes: number;
  commits: number;
  /** Sum of Ink's render times (ms). */
  renderMs: number;
  frames: number;
  emptyFrames: number;
  bytes: number;
  lag: { p99Ms: number; maxMs: number; hist: Histogram };
  fresh: { samples: number; hist: Histogram };
  freshSent: { samples: number; hist: Histogram };
  mem: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  /** Absent in lines of a TUI built before these counters. */
  gc?: GcCounts;
}

/** Garbage collections by kind (scavenges, full mark-compacts, incremental marking steps, weak callbacks) and their pause. */
export interface GcCounts {
  minor: number;
  major: number;
  incremental: number;
  weak: number;
  ms: number;
}

/** Count one `gc` performance entry into `into`. */
export function countGc(into: GcCounts, entry: { duration: number; detail?: unknown }): void {
  const kind = (entry.detail as { kind?: number } | null | undefined)?.kind;
  if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) into.minor += 1;
  else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) into.major += 1;
  else if (kind === perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL) into.incremental += 1;
  else into.weak += 1;
  into.ms += entry.duration;
}

/** Bucket of a value in ms: 0.1 ms steps below 10 ms, 1 ms below 100, 10 ms below 1 s, then 100 ms. */
export function bucketOf(ms: number): number {
  const v = Math.max(0, ms);
  if (v < 10) return Math.floor(v * 10) / 10;
  if (v < 100) return Math.floor(v);
  if (v < 1000) return Math.floor(v / 10) * 10;
  return Math.floor(v / 100) * 100;
}

/** The upper edge of a bucket, as a percentile reports it (a conservative reading). */
function bucketTop(lower: number): number {
  if (lower < 10) return lower + 0.1;
  if (lower < 100) return lower + 1;
  if (lower < 1000) return lower + 10;
  return lower + 100;
}

export function addTo(hist: Histogram, ms: number, weight = 1): void {
  const key = String(bucketOf(ms));
  hist[key] = (hist[key] ?? 0) + weight;
}

/** `later − earlier`, for the span between two cumulative lines. */
export function histDiff(later: Histogram, earlier: Histogram | undefined): Histogram {
  const out: Histogram = {};
  for (const [k, v] of Object.entries(later)) {
    const d = v - (earlier?.[k] ?? 0);
    if (d > 1e-9) out[k] = d;
  }
  return out;
}

export function histCount(hist: Histogram): number {
  return Object.values(hist).reduce((a, b) => a + b, 0);
}

/** The `p`th percentile (0–100), as the top of its bucket; null for an empty histogram. `p = 100` is the largest bucket's top. */
export function histPercentile(hist: Histogram, p: number): number | null {
  const entries = Object.entries(hist)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  if (total <= 0) return null;
  const target = Math.max((p / 100) * total, 1e-9);
  let seen = 0;
  for (const [k, v] of entries) {
    seen += v;
    if (seen >= target - 1e-9) return Math.round(bucketTop(k) * 10) / 10;
  }
  const last = entries.at(-1);
  return last === undefined ? null : bucketTop(last[0]);
}

export interface TuiMetricsOptions {
  path: string;
  store: MarketStore;
  /** The terminal's height, for which rows of the table are visible. */
  rows: () => number;
  /** @default performance.now */
  now?: () => number;
}

/**
 * Start writing `opts.path` (truncated) as the kernel task `metrics-file`: a line after every
 * window of the kernel's loop monitor (about once a second) and a last one when the task
 * stops. Subscribes to the store now, so call it before the UI subscribes (its listener must
 * see each published snapshot before the frame that draws it). Returns the renderer's hooks.
 */
export function startTuiMetrics(kernel: Kernel, opts: TuiMetricsOptions): RenderMetricsHooks {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const fd = openSync(opts.path, 'w', 0o600);
  kernel.acquire('metrics file', () => closeSync(fd));
  const c = { ticks: 0, publishes: 0, commits: 0, renderMs: 0, frames: 0, emptyFrames: 0, bytes: 0, seq: 0 };
  const lagHist: Histogram = {};
  const freshHist: Histogram = {};
  let freshSamples = 0;
  const freshSentHist: Histogram = {};
  let freshSentSamples = 0;
  const gc: GcCounts = { minor: 0, major: 0, incremental: 0, weak: 0, ms: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) countGc(gc, e);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  kernel.acquire('metrics gc observer', () => gcObserver.disconnect());

  // Freshness state, per visible market: the price last published and the arrival of the
  // first tick since that moved it.
  let visible = new Set<MarketCode>();
  let visibleKey = '';
  const shown = new Map<MarketCode, number | undefined>();
  const firstChangeAt = new Map<MarketCode, number>();
  /** The `timestamp` (wall clock) of that tick. */
  const firstChangeStamp = new Map<MarketCode, number>();
  let pendingOldest: number | undefined;
  let pendingOldestStamp: number | undefined;

  const offTick = opts.store.onTick('metrics-file', (t) => {
    c.ticks += 1;
    if (!visible.has(t.market) || firstChangeAt.has(t.market)) return;
    if (t.tradePrice !== shown.get(t.market)) {
      firstChangeAt.set(t.market, now());
      firstChangeStamp.set(t.market, t.timestamp);
    }
  });
  kernel.acquire('metrics tick listener', offTick);
  const offStore = opts.store.subscribe(() => {
    c.publishes += 1;
    const snap = opts.store.getSnapshot();
    const plan = planFrame({ rows: opts.rows(), itemCount: snap.markets.length, hasNotice: snap.notice !== null });
    const key = `${plan.visibleRows}:${snap.markets.length}:${snap.markets[0] ?? ''}`;
    if (key !== visibleKey) {
      visibleKey = key;
      visible = new Set(snap.markets.slice(0, plan.visibleRows));
    }
    for (const m of visible) {
      const price = snap.rows.get(m)?.ticker?.tradePrice;
      const at = firstChangeAt.get(m);
      if (price !== shown.get(m)) {
        if (at !== undefined && (pendingOldest === undefined || at < pendingOldest)) pendingOldest = at;
        const stamp = firstChangeStamp.get(m);
        if (stamp !== undefined && (pendingOldestStamp === undefined || stamp < pendingOldestStamp)) pendingOldestStamp = stamp;
        shown.set(m, price);
      }
      // Published (or moved back to the price on screen): a later tick starts a new wait.
      if (at !== undefined) {
        firstChangeAt.delete(m);
        firstChangeStamp.delete(m);
      }
    }
  });
  kernel.acquire('metrics store listener', offStore);

  const line = (): string => {
    c.seq += 1;
    const m = process.memoryUsage();
    const out: MetricsLine = {
      t: Date.now(),
      uptimeS: Math.round(now() - started) / 1000,
      seq: c.seq,
      ticks: c.ticks,
      publishes: c.publishes,
      commits: c.commits,
      renderMs: Math.round(c.renderMs * 1000) / 1000,
      frames: c.frames,
      emptyFrames: c.emptyFrames,
      bytes: c.bytes,
      lag: { p99Ms: kernel.loop.p99Ms(), maxMs: kernel.loop.maxMs(), hist: lagHist },
      fresh: { samples: freshSamples, hist: freshHist },
      freshSent: { samples: freshSentSamples, hist: freshSentHist },
      mem: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers },
      gc: { ...gc, ms: Math.round(gc.ms * 1000) / 1000 },
    };
    return `${JSON.stringify(out)}\n`;
  };
  const write = (): void => {
    try {
      writeSync(fd, line());
    } catch {
      // A full disk must not stop the TUI; the benchmark notices the missing lines.
    }
  };

  kernel.spawn('metrics-file', async (signal) => {
    const off = kernel.loop.subscribe(() => {
      for (const s of kernel.loop.lastWindow()) addTo(lagHist, s.ms, s.weight);
      write();
    });
    write();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    off();
    write();
  });

  return {
    rendered: (renderMs) => {
      c.commits += 1;
      c.renderMs += renderMs;
    },
    painted: (bytes) => {
      if (bytes === 0) {
        c.emptyFrames += 1;
        pendingOldest = undefined;
        pendingOldestStamp = undefined;
        return;
      }
      c.frames += 1;
      c.bytes += bytes;
      if (pendingOldest !== undefined) {
        addTo(freshHist, now() - pendingOldest);
        freshSamples += 1;
        pendingOldest = undefined;
      }
      if (pendingOldestStamp !== undefined) {
        addTo(freshSentHist, Date.now() - pendingOldestStamp);
        freshSentSamples += 1;
        pendingOldestStamp = undefined;
      }
    },
  };
}
