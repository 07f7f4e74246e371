/**
 * One measured run of the TUI load benchmark: a fresh load source and a fresh TUI, a warm-up,
 * then a window whose figures come from /proc (CPU, RSS) and from two lines of the TUI's
 * metrics file (src/app/tui-metrics.ts) subtracted. Everything it starts is stopped before it
 * returns or throws.
 */
import { benchMarkets } from '../ingest/frames.js';
import { histCount, histDiff, histPercentile, type MetricsLine } from '../../src/app/tui-metrics.js';
import { startLoadSource, type LoadSource } from './source-client.js';
import { cpuSeconds, cpuSplit, rssBytes, startTui, type CpuSplit, type TuiRun } from './tui-process.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Size {
  cols: number;
  rows: number;
}

/** Figures over one window (between two metrics lines and two /proc reads). */
export interface WindowFigures {
  seconds: number;
  cpuPct: number;
  /** CPU time per painted frame: less sensitive than cpuPct to a machine that starves the TUI of CPU (fewer frames, less CPU). */
  cpuMsPerFrame: number | null;
  rssMB: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  commitsPerS: number;
  renderMsPerCommit: number | null;
  framesPerS: number;
  emptyFramesPerS: number;
  bytesPerS: number;
  receivedPerS: number;
  sentPerS: number;
  freshP50Ms: number | null;
  freshP99Ms: number | null;
  freshMaxMs: number | null;
  freshSamples: number;
  /** Send → frame: from the source's stamp in each frame (includes a backlog in the sockets). */
  freshSentP50Ms: number | null;
  freshSentP99Ms: number | null;
  /** Where the CPU went (steady runs): the main thread's user and system time, and every other thread (V8's GC helpers and compiler), in % of a core. */
  mainUserPct: number | null;
  mainSysPct: number | null;
  otherThreadsPct: number | null;
  /** Main-thread GC pause in ms a second, and collections a second (scavenges, full mark-compacts). */
  gcMsPerS: number | null;
  scavengesPerS: number | null;
  fullGcsPerS: number | null;
}

export function windowFigures(a: MetricsLine, b: MetricsLine, cpu: number, wallS: number, sent: number, rss: number, split?: { from: CpuSplit; to: CpuSplit }): WindowFigures {
  const s = (b.t - a.t) / 1000;
  const lag = histDiff(b.lag.hist, a.lag.hist);
  const fresh = histDiff(b.fresh.hist, a.fresh.hist);
  const freshSent = histDiff(b.freshSent.hist, a.freshSent.hist);
  const commits = b.commits - a.commits;
  const r = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    seconds: r(s, 2),
    cpuPct: r((100 * cpu) / wallS),
    cpuMsPerFrame: b.frames > a.frames ? r((1000 * cpu) / (b.frames - a.frames), 2) : null,
    rssMB: r(rss / 2 ** 20),
    lagP50Ms: histPercentile(lag, 50),
    lagP99Ms: histPercentile(lag, 99),
    lagMaxMs: histPercentile(lag, 100),
    commitsPerS: r(commits / s),
    renderMsPerCommit: commits > 0 ? r((b.renderMs - a.renderMs) / commits, 2) : null,
    framesPerS: r((b.frames - a.frames) / s),
    emptyFramesPerS: r((b.emptyFrames - a.emptyFrames) / s),
    bytesPerS: Math.round((b.bytes - a.bytes) / s),
    receivedPerS: Math.round((b.ticks - a.ticks) / s),
    sentPerS: Math.round(sent / wallS),
    freshP50Ms: histPercentile(fresh, 50),
    freshP99Ms: histPercentile(fresh, 99),
    freshMaxMs: histPercentile(fresh, 100),
    freshSamples: Math.round(histCount(fresh)),
    freshSentP50Ms: histPercentile(freshSent, 50),
    freshSentP99Ms: histPercentile(freshSent, 99),
    mainUserPct: split === undefined ? null : r((100 * (split.to.mainUser - split.from.mainUser)) / wallS),
    mainSysPct: split === undefined ? null : r((100 * (split.to.mainSys - split.from.mainSys)) / wallS),
    otherThreadsPct:
      split === undefined ? null : r((100 * (split.to.total - split.from.total - (split.to.mainUser - split.from.mainUser) - (split.to.mainSys - split.from.mainSys))) / wallS),
    // Lines from a TUI built before the gc counters have none.
    gcMsPerS: a.gc === undefined || b.gc === undefined ? null : r((b.gc.ms - a.gc.ms) / s, 2),
    scavengesPerS: a.gc === undefined || b.gc === undefined ? null : r((b.gc.minor - a.gc.minor) / s),
    fullGcsPerS: a.gc === undefined || b.gc === undefined ? null : r((b.gc.major - a.gc.major) / s, 2),
  };
}

interface Rig {
  source: LoadSource;
  tui: TuiRun;
}

/** Start a source and a TUI, wait for the TUI's subscription and first metrics line. */
async function openRig(markets: number, size: Size): Promise<Rig> {
  const source = await startLoadSource(markets);
  let tui: TuiRun | undefined;
  try {
    tui = startTui({ apiUrl: source.apiUrl, wsUrl: source.wsUrl, markets: benchMarkets(markets), cols: size.cols, rows: size.rows });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (tui.exited()) throw new Error('the TUI exited during start-up (run it by hand with the same flags to see why)');
      if ((await source.stats()).subscribed > 0 && tui.metrics.last() !== undefined) break;
      if (Date.now() > deadline) throw new Error('the TUI did not subscribe to the load source within 30 s');
      await sleep(100);
    }
    return { source, tui };
  } catch (error) {
    await tui?.stop();
    source.close();
    throw error;
  }
}

async function closeRig(rig: Rig): Promise<void> {
  await rig.tui.stop();
  rig.source.close();
}

/** The newest metrics line written after `afterT` (waits up to 3 s for it). */
async function lineAfter(tui: TuiRun, afterT: number): Promise<MetricsLine> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const last = tui.metrics.last();
    if (last !== undefined && last.t > afterT) return last;
    if (Date.now() > deadline || tui.exited()) throw new Error('the TUI stopped writing its metrics file');
    await sleep(50);
  }
}

/** Pause the source, then wait until the TUI has received all it was sent (or `timeoutMs`). */
async function drain(rig: Rig, timeoutMs: number): Promise<{ sent: number; received: number; catchUpS: number | null }> {
  const stopped = Date.now();
  const { sent } = await rig.source.setRate(0);
  for (;;) {
    const line = await lineAfter(rig.tui, Date.now() - 1);
    if (line.ticks >= sent) return { sent, received: line.ticks, catchUpS: (line.t - stopped) / 1000 };
    if (Date.now() - stopped > timeoutMs) return { sent, received: line.ticks, catchUpS: null };
  }
}

/** The focused view of a steady run: Enter on the watchlist, and its streams at `rate`. */
export interface FocusSpec {
  /** Book + trade frames a second of the focused market (half each), plus a candle a second. */
  rate: number;
  /** The keys that open it. @default '\r' (Enter: the first market is selected) */
  keys?: string;
}

/** What a steady run with a focused view adds: the market, what the source sent of its streams, and the TUI's requests. */
export interface FocusFigures {
  market: string;
  /** From Enter to the source seeing the TUI's request for the market's book, trades and candles and its REST candle read, s. */
  openS: number;
  /** Focus frames a second in the window (books, trades, candles). */
  focusSentPerS: number;
  focusSentPerSByType: Record<string, number>;
  /** WebSocket requests the TUI sent (1 at start, 1 more for the focus). */
  wsRequests: number;
  restCandleReads: number;
}

/** Type Enter and wait for the focus request and its REST history to reach the source. */
async function openFocus(rig: Rig, market: string, spec: FocusSpec): Promise<number> {
  const t0 = performance.now();
  await rig.source.setFocusRate(spec.rate);
  rig.tui.write(spec.keys ?? '\r');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const st = await rig.source.stats();
    const asked = st.focus.orderbook.includes(market) && st.focus.trade.includes(market) && st.focus['candle.1m'].includes(market);
    if (asked && (st.requests['GET /v1/candles/minutes/1'] ?? 0) > 0) return Math.round(performance.now() - t0) / 1000;
    if (rig.tui.exited()) throw new Error('the TUI exited after Enter on the watchlist (run it by hand with the same flags to see why)');
    if (Date.now() > deadline) throw new Error(`the TUI did not ask for ${market}'s orderbook, trade and candle.1m and its REST candles within 10 s of Enter (the load source saw ${JSON.stringify({ focus: st.focus, requests: st.requests })})`);
    await sleep(50);
  }
}

/**
 * A window at a steady rate: CPU, RSS, lag, commits, frames, bytes, freshness, drops. With
 * `focus`, Enter goes to the TUI as the warm-up starts, and the window measures the focused
 * market's view (book, trades, chart) under the ticker rate and its own streams.
 *
 * `backlogS`: how far behind the feed the TUI is at the window's end, in seconds of feed: the
 * bytes the source could not yet hand to the kernel's socket (the socket buffers of both ends
 * come on top). Freshness is measured from a tick's arrival, so it cannot see this wait.
 * `dropped` counts tickers (what the TUI's metrics count); focus frames share the socket and
 * its order, so once the last ticker is in, every focus frame sent before it is in too.
 */
export async function steadyRun(o: {
  markets: number;
  rate: number;
  size: Size;
  warmupS: number;
  windowS: number;
  focus?: FocusSpec;
}): Promise<WindowFigures & { sent: number; received: number; dropped: number; maxBufferedBytes: number; backlogS: number; focus?: FocusFigures }> {
  const rig = await openRig(o.markets, o.size);
  try {
    await rig.source.setRate(o.rate);
    const market = benchMarkets(o.markets)[0] ?? '';
    const openS = o.focus === undefined ? 0 : await openFocus(rig, market, o.focus);
    await sleep(o.warmupS * 1000);
    const l0 = await lineAfter(rig.tui, Date.now() - 1);
    const p0 = cpuSplit(rig.tui.pid);
    const w0 = performance.now();
    const st0 = await rig.source.stats();
    await sleep(o.windowS * 1000);
    const l1 = await lineAfter(rig.tui, Date.now() - 1);
    const p1 = cpuSplit(rig.tui.pid);
    const wallS = (performance.now() - w0) / 1000;
    const st = await rig.source.stats();
    const split = p0 !== null && p1 !== null ? { from: p0, to: p1 } : undefined;
    const fig = windowFigures(l0, l1, (p1?.total ?? 0) - (p0?.total ?? 0), wallS, st.sent - st0.sent, rssBytes(rig.tui.pid) ?? 0, split);
    if (o.focus !== undefined) await rig.source.setFocusRate(0);
    const d = await drain(rig, 10_000);
    const feedBytesPerS = (st.frameBytes * (st.sent - st0.sent) + st.focusBytes - st0.focusBytes) / wallS;
    const backlogS = feedBytesPerS > 0 ? Math.round((st.buffered / feedBytesPerS) * 100) / 100 : 0;
    const perS = (n: number): number => Math.round((n / wallS) * 10) / 10;
    const focus: FocusFigures | undefined =
      o.focus === undefined
        ? undefined
        : {
            market,
            openS,
            focusSentPerS: perS(Object.values(st.focusSent).reduce((a, b) => a + b, 0) - Object.values(st0.focusSent).reduce((a, b) => a + b, 0)),
            focusSentPerSByType: Object.fromEntries(Object.entries(st.focusSent).map(([k, v]) => [k, perS(v - (st0.focusSent[k as keyof typeof st0.focusSent] ?? 0))])),
            wsRequests: st.wsRequests,
            restCandleReads: st.requests['GET /v1/candles/minutes/1'] ?? 0,
          };
    return { ...fig, sent: d.sent, received: d.received, dropped: d.sent - d.received, maxBufferedBytes: st.maxBuffered, backlogS, ...(focus === undefined ? {} : { focus }) };
  } finally {
    await closeRig(rig);
  }
}

export interface BurstFigures {
  baseRate: number;
  burstRate: number;
  burstS: number;
  during: WindowFigures;
  /** Per metrics line after the burst: seconds since its end and that second's lag p99. */
  after: { s: number; lagP99Ms: number | null }[];
  /** From the burst's end until lag p99 was ≤ `recoverBelowMs` (see {@link recoveryAfter}); null: not within the tail. */
  recoveryS: number | null;
  recoverBelowMs: number;
  sent: number;
  received: number;
  dropped: number;
  catchUpS: number | null;
  maxBufferedBytes: number;
}

/**
 * The metrics seconds that end after a burst (`endAt`, wall clock ms) with their lag p99, and
 * when lag was back under `belowMs`: the start of the first such second whose p99 is under
 * it, counted from the end, 0 when that second began before the end (the burst's own last
 * moments were already under), null when no second in `lines` was. Resolution: the metrics
 * file's period (1 s). The seconds after may rise again; they are all in `after`.
 */
export function recoveryAfter(lines: readonly MetricsLine[], endAt: number, belowMs: number): { after: BurstFigures['after']; recoveryS: number | null } {
  const after: BurstFigures['after'] = [];
  let recoveryS: number | null = null;
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1];
    const cur = lines[i];
    if (prev === undefined || cur === undefined || cur.t <= endAt) continue;
    const p99 = histPercentile(histDiff(cur.lag.hist, prev.lag.hist), 99);
    after.push({ s: Math.round(((cur.t - endAt) / 1000) * 100) / 100, lagP99Ms: p99 });
    if (recoveryS === null && p99 !== null && p99 <= belowMs) recoveryS = Math.max(0, Math.round(((prev.t - endAt) / 1000) * 100) / 100);
  }
  return { after, recoveryS };
}

/** `baseRate` for the warm-up, `burstRate` for `burstS`, then `baseRate` for `tailS`. */
export async function burstRun(o: { markets: number; baseRate: number; burstRate: number; burstS: number; tailS: number; size: Size; warmupS: number; recoverBelowMs: number }): Promise<BurstFigures> {
  const rig = await openRig(o.markets, o.size);
  try {
    await rig.source.setRate(o.baseRate);
    await sleep(o.warmupS * 1000);
    const l0 = await lineAfter(rig.tui, Date.now() - 1);
    const c0 = cpuSeconds(rig.tui.pid) ?? 0;
    const s0 = (await rig.source.setRate(o.burstRate)).sent;
    const w0 = performance.now();
    await sleep(o.burstS * 1000);
    const sEnd = (await rig.source.setRate(o.baseRate)).sent;
    const endAt = Date.now();
    const wallS = (performance.now() - w0) / 1000;
    const c1 = cpuSeconds(rig.tui.pid) ?? 0;
    const l1 = await lineAfter(rig.tui, endAt - 1);
    const during = windowFigures(l0, l1, c1 - c0, wallS, sEnd - s0, rssBytes(rig.tui.pid) ?? 0);
    await sleep(o.tailS * 1000);
    const { after, recoveryS } = recoveryAfter(rig.tui.metrics.poll(), endAt, o.recoverBelowMs);
    const st = await rig.source.stats();
    const d = await drain(rig, 15_000);
    return { baseRate: o.baseRate, burstRate: o.burstRate, burstS: o.burstS, during, after, recoveryS, recoverBelowMs: o.recoverBelowMs, sent: d.sent, received: d.received, dropped: d.sent - d.received, catchUpS: d.catchUpS, maxBufferedBytes: st.maxBuffered };
  } finally {
    await closeRig(rig);
  }
}

export interface RssFigures {
  rate: number;
  minutes: number;
  /** [seconds since the rate started, RSS MB], every `sampleS`. */
  samples: [number, number][];
  startMB: number;
  endMB: number;
  maxMB: number;
  warmupS: number;
  /** Least-squares slope of RSS over the samples after the warm-up, MB an hour. */
  slopeMBPerH: number | null;
  cpuPct: number;
  heapUsedMB: number;
  externalMB: number;
}

export function slope(points: readonly (readonly [number, number])[]): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  if (sxx === 0) return null;
  return points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / sxx;
}

/** `rate` msg/s for `minutes`, RSS sampled; the first fifth (at most 5 minutes) is warm-up. */
export async function rssRun(o: { markets: number; rate: number; minutes: number; size: Size; sampleS: number; progress?: (text: string) => void }): Promise<RssFigures> {
  const rig = await openRig(o.markets, o.size);
  try {
    await rig.source.setRate(o.rate);
    const t0 = performance.now();
    const c0 = cpuSeconds(rig.tui.pid) ?? 0;
    const total = o.minutes * 60;
    const samples: [number, number][] = [];
    for (;;) {
      const s = (performance.now() - t0) / 1000;
      const rss = rssBytes(rig.tui.pid);
      if (rss === null) throw new Error('the TUI exited during the RSS run');
      samples.push([Math.round(s * 10) / 10, Math.round((rss / 2 ** 20) * 10) / 10]);
      if (s >= total) break;
      if (samples.length % 60 === 0) o.progress?.(`rss ${Math.round(s)} s: ${samples.at(-1)?.[1]} MB`);
      await sleep(Math.min(o.sampleS, total - s) * 1000);
    }
    const cpu = (cpuSeconds(rig.tui.pid) ?? 0) - c0;
    const wallS = (performance.now() - t0) / 1000;
    const warmupS = Math.min(300, total / 5);
    const mb = samples.map((p) => p[1]);
    const k = slope(samples.filter((p) => p[0] >= warmupS));
    const last = rig.tui.metrics.last();
    return {
      rate: o.rate,
      minutes: o.minutes,
      samples,
      startMB: mb[0] ?? 0,
      endMB: mb.at(-1) ?? 0,
      maxMB: Math.max(...mb),
      warmupS,
      slopeMBPerH: k === null ? null : Math.round(k * 3600 * 10) / 10,
      cpuPct: Math.round((1000 * cpu) / wallS) / 10,
      heapUsedMB: Math.round(((last?.mem.heapUsed ?? 0) / 2 ** 20) * 10) / 10,
      externalMB: Math.round(((last?.mem.external ?? 0) / 2 ** 20) * 10) / 10,
    };
  } finally {
    await closeRig(rig);
  }
}
