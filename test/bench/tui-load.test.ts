// Smoke test of the TUI load benchmark (bench/tui-load.ts, `npm run bench -- tui`): the load
// source serves the market list and sends exactly what it is asked to, and the built TUI's
// --metrics-file fills with sane counters when it runs against it. No timing is asserted; this
// keeps the instrument from rotting. Needs the build (npm test builds first).
import { existsSync } from 'node:fs';
import { constants as perf } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { benchMarkets } from '../../bench/ingest/frames.js';
import { recoveryAfter, slope } from '../../bench/tui-load/measure.js';
import { startLoadSource, type LoadSource } from '../../bench/tui-load/source-client.js';
import { BUNDLE, cpuSplit, startTui, type TuiRun } from '../../bench/tui-load/tui-process.js';
import { addTo, bucketOf, countGc, histDiff, histPercentile, type GcCounts, type Histogram, type MetricsLine } from '../../src/app/tui-metrics.js';
import { ScreenPainter } from '../../src/ui/screen-painter.js';
import { waitFor } from '../helpers/wait-for.js';

let source: LoadSource | undefined;
let tui: TuiRun | undefined;
afterEach(async () => {
  await tui?.stop();
  source?.close();
  tui = undefined;
  source = undefined;
});

describe('TUI load benchmark', () => {
  it('load source: serves /v1/market/all with Hangul names for half, and sends exactly the frames asked for', async () => {
    source = await startLoadSource(6);
    const res = await fetch(`${source.apiUrl}/v1/market/all`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { market: string; korean_name: string; english_name: string }[];
    expect(list.map((m) => m.market)).toEqual(benchMarkets(6));
    expect(list.filter((m) => /[\uac00-\ud7a3]/.test(m.korean_name))).toHaveLength(3);
    expect((await fetch(`${source.apiUrl}/v1/ticker`)).status).toBe(404);

    const ws = new WebSocket(source.wsUrl);
    const got: Buffer[] = [];
    ws.on('message', (data: Buffer, isBinary) => {
      expect(isBinary).toBe(true);
      got.push(data);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify([{ ticket: 't' }, { type: 'ticker', codes: benchMarkets(6) }]));
    const src = source;
    await waitFor(async () => (await src.stats()).subscribed === 1, 'the subscription');
    await source.send(250, 5000);
    await waitFor(() => got.length >= 250, '250 frames');
    const stats = await source.stats();
    expect(stats.sent).toBe(250);
    expect(stats.requests).toEqual({ 'GET /v1/market/all': 1, 'GET /v1/ticker': 1 });
    const first = JSON.parse(got[0]?.toString('utf8') ?? '{}') as { type?: string; code?: string; timestamp?: number };
    expect(first).toMatchObject({ type: 'ticker', code: 'KRW-BTC' });
    expect(Math.abs((first.timestamp ?? 0) - Date.now())).toBeLessThan(60_000);
    // A round trip after the last frame: nothing beyond the 250 asked for.
    const pong = new Promise<void>((resolve) => ws.once('pong', () => resolve()));
    ws.ping();
    await pong;
    expect(got).toHaveLength(250);
    ws.close();
  });

  it('the built TUI writes its metrics file with sane counters against the load source', async () => {
    expect(existsSync(BUNDLE), `${BUNDLE}: run npm run build`).toBe(true);
    source = await startLoadSource(5);
    tui = startTui({ apiUrl: source.apiUrl, wsUrl: source.wsUrl, markets: benchMarkets(5), cols: 100, rows: 20 });
    const src = source;
    await waitFor(async () => (await src.stats()).subscribed === 1, 'the TUI to subscribe', 15_000, 50);
    await source.setRate(500);
    const run = tui;
    const line = await waitFor(
      () => {
        const l = run.metrics.last();
        return l !== undefined && l.ticks > 0 && l.frames > 0 && l.fresh.samples > 0 && Object.keys(l.lag.hist).length > 0 ? l : undefined;
      },
      'a metrics line with ticks, frames, fresh samples and lag samples',
      15_000,
      50,
    );
    const sent = (await source.stats()).sent;
    expect(line.ticks).toBeLessThanOrEqual(sent);
    expect(line.commits).toBeGreaterThanOrEqual(line.frames);
    expect(line.bytes).toBeGreaterThan(0);
    expect(line.bytes).toBeLessThanOrEqual(tui.ptyBytes());
    expect(line.mem.rss).toBeGreaterThan(10 * 2 ** 20);
    // The source stamps each frame as it sends it: send → frame ages are of this run, not of the fixture's date.
    expect(line.freshSent.samples).toBeGreaterThan(0);
    expect(Math.max(...Object.keys(line.freshSent.hist).map(Number))).toBeLessThan(60_000);
    expect(line.seq).toBe(run.metrics.lines.length);
    // The gc counters are there (a TUI that has drawn frames has scavenged at least once).
    expect(line.gc?.minor).toBeGreaterThan(0);
    expect(line.gc?.ms).toBeGreaterThan(0);
    // The CPU split reads the TUI's main thread apart from the rest.
    const split = cpuSplit(run.pid);
    expect(split).not.toBeNull();
    expect((split?.mainUser ?? 0) + (split?.mainSys ?? 0)).toBeGreaterThan(0);
    expect((split?.mainUser ?? 0) + (split?.mainSys ?? 0)).toBeLessThanOrEqual(split?.total ?? 0);
  });

  it('burst recovery: from the end to the start of the first metrics second under the limit, 0 when it began before the end', () => {
    // Cumulative lag histograms, one line a second; `lag` is each second's own samples.
    const lines = (t0: number, perSecond: Histogram[]): MetricsLine[] => {
      const cum: Histogram = {};
      return [{}, ...perSecond].map((h, i) => {
        for (const [k, v] of Object.entries(h)) addTo(cum, Number(k), v);
        return { t: t0 + i * 1000, lag: { p99Ms: 0, maxMs: 0, hist: { ...cum } } } as unknown as MetricsLine;
      });
    };
    const slow = { '40': 100 };
    const fast = { '1': 100 };
    // The burst ends at 10,500: the second 10,000–11,000 straddles it.
    const burst = lines(7000, [slow, slow, slow, slow, slow, fast, fast]); // seconds ending 8,000 … 14,000
    expect(recoveryAfter(burst, 10_500, 4)).toEqual({
      after: [
        // A percentile is its bucket's top: 41 ms for the 40 ms bucket, 1.1 for the 1.0 one.
        { s: 0.5, lagP99Ms: 41 },
        { s: 1.5, lagP99Ms: 41 },
        { s: 2.5, lagP99Ms: 1.1 },
        { s: 3.5, lagP99Ms: 1.1 },
      ],
      recoveryS: 1.5, // the second 12,000–13,000 is the first under 4 ms: it begins 1.5 s after the end
    });
    // Under the limit throughout: the straddling second already is, so 0.
    expect(recoveryAfter(lines(7000, [fast, fast, fast, fast, fast]), 10_500, 4).recoveryS).toBe(0);
    // Never under within the lines: null.
    expect(recoveryAfter(lines(7000, [slow, slow, slow, slow, slow]), 10_500, 4).recoveryS).toBeNull();
  });

  it('counts gc performance entries by kind, with their pause', () => {
    const c: GcCounts = { minor: 0, major: 0, incremental: 0, weak: 0, ms: 0 };
    countGc(c, { duration: 1.5, detail: { kind: perf.NODE_PERFORMANCE_GC_MINOR } });
    countGc(c, { duration: 2, detail: { kind: perf.NODE_PERFORMANCE_GC_MINOR } });
    countGc(c, { duration: 10, detail: { kind: perf.NODE_PERFORMANCE_GC_MAJOR } });
    countGc(c, { duration: 0.5, detail: { kind: perf.NODE_PERFORMANCE_GC_INCREMENTAL } });
    countGc(c, { duration: 0.25, detail: { kind: perf.NODE_PERFORMANCE_GC_WEAKCB } });
    expect(c).toEqual({ minor: 2, major: 1, incremental: 1, weak: 1, ms: 14.25 });
  });

  it('histograms: buckets, percentiles as bucket tops, differences of cumulative lines; the RSS slope', () => {
    expect([0.04, 3.27, 42.9, 431, 4321].map(bucketOf)).toEqual([0, 3.2, 42, 430, 4300]);
    const a: Histogram = {};
    for (let i = 0; i < 98; i++) addTo(a, 0.5);
    addTo(a, 20);
    addTo(a, 250);
    expect(histPercentile(a, 50)).toBe(0.6);
    expect(histPercentile(a, 99)).toBe(21);
    expect(histPercentile(a, 100)).toBe(260);
    expect(histPercentile({}, 99)).toBeNull();
    const b = { ...a };
    addTo(b, 7, 3);
    expect(histDiff(b, a)).toEqual({ '7': 3 });
    expect(slope([[0, 100], [1, 102], [2, 104]])).toBe(2);
  });

  it('the screen painter tells its hook the bytes of each frame it writes, 0 for an unchanged one', () => {
    const written: string[] = [];
    const out = Object.assign(new (class extends EventTarget {})(), {
      columns: 20,
      rows: 5,
      writable: true,
      write: (s: string) => written.push(s) > 0,
      on: () => out,
      off: () => out,
    }) as unknown as NodeJS.WriteStream;
    const told: number[] = [];
    const signals = { on: () => signals, off: () => signals } as unknown as Pick<NodeJS.EventEmitter, 'on' | 'off'>;
    const painter = new ScreenPainter(out, { signals, onPaint: (n) => told.push(n) });
    painter.write('가격 1\nline 2');
    painter.write('가격 1\nline 2');
    painter.write('가격 2\nline 2');
    expect(told).toEqual([Buffer.byteLength(written[0] ?? ''), 0, Buffer.byteLength(written[1] ?? '')]);
    expect(told[0]).toBeGreaterThan(0);
    painter.close();
  });
});
