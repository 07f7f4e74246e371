// Smoke test of the TUI load benchmark (bench/tui-load.ts, `npm run bench -- tui`): the load
// source serves the market list and sends exactly what it is asked to, and the built TUI's
// --metrics-file fills with sane counters when it runs against it. No timing is asserted; this
// keeps the instrument from rotting. Needs the build (npm test builds first).
import { existsSync } from 'node:fs';
import { constants as perf } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { benchMarkets } from '../../bench/ingest/frames.js';
import { focusWalk } from '../../bench/tui-load/focus-frames.js';
import { recoveryAfter, slope } from '../../bench/tui-load/measure.js';
import { startLoadSource, type LoadSource } from '../../bench/tui-load/source-client.js';
import { BUNDLE, cpuSplit, startTui, type TuiRun } from '../../bench/tui-load/tui-process.js';
import { addTo, bucketOf, countGc, histDiff, histPercentile, type GcCounts, type Histogram, type MetricsLine } from '../../src/app/tui-metrics.js';
import { ScreenPainter } from '../../src/ui/screen-painter.js';
import { parseQuotationFrame } from '../../src/upbit/parse.js';
import { parseCandle, parseList } from '../../src/upbit/rest/parse.js';
import type { QuotationEvent } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';

let source: LoadSource | undefined;
let tui: TuiRun | undefined;
afterEach(async () => {
  await tui?.stop();
  source?.close();
  tui = undefined;
  source = undefined;
});

/** A load source of 5 markets and the built TUI (100 columns, `rows`) against it, once it has subscribed. */
async function startSubscribedTui(rows: number): Promise<LoadSource> {
  expect(existsSync(BUNDLE), `${BUNDLE}: run npm run build`).toBe(true);
  const src = await startLoadSource(5);
  source = src;
  tui = startTui({ apiUrl: src.apiUrl, wsUrl: src.wsUrl, markets: benchMarkets(5), cols: 100, rows });
  await waitFor(async () => (await src.stats()).subscribed === 1, 'the TUI to subscribe', 15_000, 50);
  return src;
}

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

  it("focus frames: books, trades and 1-minute candles the project's parsers accept, one market walk for all three", () => {
    const kinds = (frames: Buffer[]): QuotationEvent[] => frames.flatMap((f) => parseQuotationFrame(f));
    for (const market of ['KRW-BTC', 'KRW-B042', 'KRW-B007']) {
      const w = focusWalk({ market, seed: 7 });
      const at = Date.UTC(2026, 11, 2, 8, 59, 50);
      const events: QuotationEvent[] = [];
      // 20 s of a focused view at 100 msg/s across a minute's edge.
      for (let k = 0; k < 2000; k++) {
        const t = at + k * 10;
        events.push(...kinds([k % 2 === 0 ? w.orderbook(t) : w.trade(t)]));
        if (k % 100 === 0) events.push(...kinds([w.candle(t)]));
      }
      expect(events.filter((e) => e.kind === 'invalid')).toEqual([]);
      expect(events.filter((e) => e.kind === 'orderbook')).toHaveLength(1000);
      expect(events.filter((e) => e.kind === 'trade')).toHaveLength(1000);
      const candles = events.flatMap((e) => (e.kind === 'candle' ? [e.candle] : []));
      expect(candles).toHaveLength(20);
      expect(new Set(candles.map((c) => c.start))).toEqual(new Set([Date.UTC(2026, 11, 2, 8, 59), Date.UTC(2026, 11, 2, 9, 0)]));
      const book = events.find((e) => e.kind === 'orderbook');
      expect(book?.kind === 'orderbook' && book.orderbook).toMatchObject({ market, level: 0, streamType: 'REALTIME' });
      expect(book?.kind === 'orderbook' && book.orderbook.units).toHaveLength(15);
      // Every trade takes the best quote of its side in the book sent before it.
      let lastBook: { askPrice: number; bidPrice: number } | undefined;
      let seq = 0;
      for (const e of events) {
        if (e.kind === 'orderbook') lastBook = e.orderbook.units[0];
        if (e.kind !== 'trade') continue;
        expect(e.trade.price).toBe(e.trade.askBid === 'ASK' ? lastBook?.bidPrice : lastBook?.askPrice);
        expect(e.trade.sequentialId).toBeGreaterThan(seq);
        seq = e.trade.sequentialId;
      }
    }
    const snap = parseQuotationFrame(focusWalk({ market: 'KRW-BTC' }).candle(Date.now(), 'SNAPSHOT'));
    expect(snap).toMatchObject([{ kind: 'candle', candle: { market: 'KRW-BTC', unit: '1m', streamType: 'SNAPSHOT' } }]);
  });

  it('load source: GET /v1/candles/minutes/1 answers 200 Upbit-shape candles, newest first, one a minute up to the streamed one', async () => {
    source = await startLoadSource(4);
    const res = await fetch(`${source.apiUrl}/v1/candles/minutes/1?market=KRW-ETH&count=200`);
    expect(res.status).toBe(200);
    const candles = parseList(await res.json(), 'candles', parseCandle);
    expect(candles).toHaveLength(200);
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    expect(candles[0]?.start).toBeGreaterThanOrEqual(minute - 60_000);
    for (const [i, c] of candles.entries()) {
      expect(c.market).toBe('KRW-ETH');
      expect(c.start).toBe((candles[0]?.start ?? 0) - i * 60_000);
      expect(c.high.gte(c.open) && c.high.gte(c.close) && c.low.lte(c.open) && c.low.lte(c.close)).toBe(true);
      // Each minute closes where the next one opened.
      if (i > 0) expect(c.close.eq(candles[i - 1]?.open ?? 0)).toBe(true);
    }
    expect((await fetch(`${source.apiUrl}/v1/candles/minutes/1?market=KRW-NOPE&count=5`)).status).toBe(404);
    expect((await fetch(`${source.apiUrl}/v1/candles/minutes/1?market=KRW-ETH&count=201`)).status).toBe(400);
    expect(parseList(await (await fetch(`${source.apiUrl}/v1/candles/minutes/1?market=KRW-ETH`)).json(), 'candles', parseCandle)).toHaveLength(1);
  });

  it("load source: a later request replaces the last; the focus types stream for the markets asked, parsed by the project's parsers", async () => {
    source = await startLoadSource(4);
    const src = source;
    await source.setRate(200);
    await source.setFocusRate(200);
    const ws = new WebSocket(source.wsUrl);
    const events: QuotationEvent[] = [];
    ws.on('message', (data: Buffer) => events.push(...parseQuotationFrame(data)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const request = (...types: { type: string; codes: string[] }[]): void => ws.send(JSON.stringify([{ ticket: 't' }, ...types, { format: 'DEFAULT' }]));
    const count = (kind: QuotationEvent['kind'], market?: string): number =>
      events.filter((e) => e.kind === kind && (market === undefined || (e.kind === 'ticker' ? e.ticker.market : e.kind === 'orderbook' ? e.orderbook.market : e.kind === 'trade' ? e.trade.market : e.kind === 'candle' ? e.candle.market : '') === market)).length;
    const markets = benchMarkets(4);
    request({ type: 'ticker', codes: markets.slice(0, 2) });
    await waitFor(() => count('ticker') >= 20, '20 tickers');
    expect(count('orderbook') + count('trade') + count('candle')).toBe(0);
    expect(events.every((e) => e.kind === 'ticker' && markets.slice(0, 2).includes(e.ticker.market))).toBe(true);
    // The union, as the TUI sends it when a market is focused: the watchlist's tickers and the market's three.
    request({ type: 'ticker', codes: markets }, { type: 'orderbook', codes: ['KRW-ETH.15'] }, { type: 'trade', codes: ['KRW-ETH'] }, { type: 'candle.1m', codes: ['KRW-ETH'] });
    await waitFor(() => count('orderbook', 'KRW-ETH') >= 10 && count('trade', 'KRW-ETH') >= 10 && count('candle', 'KRW-ETH') >= 1 && count('ticker', 'KRW-SOL') >= 1, 'the focus streams and the new tickers');
    expect(events.filter((e) => e.kind === 'invalid')).toEqual([]);
    const first = events.find((e) => e.kind === 'orderbook');
    expect(first?.kind === 'orderbook' && first.orderbook.streamType).toBe('SNAPSHOT');
    const st = await src.stats();
    expect(st.focus).toEqual({ orderbook: ['KRW-ETH'], trade: ['KRW-ETH'], 'candle.1m': ['KRW-ETH'] });
    expect(st.wsRequests).toBe(2);
    // Focus off again: the last request is the one in force.
    request({ type: 'ticker', codes: markets });
    await waitFor(async () => (await src.stats()).focus.orderbook.length === 0, 'the focus to end');
    await src.setRate(0);
    const pong = new Promise<void>((resolve) => ws.once('pong', () => resolve()));
    ws.ping();
    await pong;
    const focusBefore = count('orderbook') + count('trade') + count('candle');
    const tickersBefore = count('ticker');
    await src.setRate(200);
    await waitFor(() => count('ticker') >= tickersBefore + 20, '20 more tickers');
    expect(count('orderbook') + count('trade') + count('candle')).toBe(focusBefore);
    ws.close();
  });

  it('the built TUI writes its metrics file with sane counters against the load source', async () => {
    const src = await startSubscribedTui(20);
    await src.setRate(500);
    const run = tui as TuiRun;
    const line = await waitFor(
      () => {
        const l = run.metrics.last();
        return l !== undefined && l.ticks > 0 && l.frames > 0 && l.fresh.samples > 0 && Object.keys(l.lag.hist).length > 0 ? l : undefined;
      },
      'a metrics line with ticks, frames, fresh samples and lag samples',
      15_000,
      50,
    );
    const sent = (await src.stats()).sent;
    expect(line.ticks).toBeLessThanOrEqual(sent);
    expect(line.commits).toBeGreaterThanOrEqual(line.frames);
    expect(line.bytes).toBeGreaterThan(0);
    expect(line.bytes).toBeLessThanOrEqual(run.ptyBytes());
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

  it("the built TUI, sent Enter in its terminal, asks the load source for the first market's book, trades, candles and REST history", async () => {
    const src = await startSubscribedTui(30);
    const run = tui as TuiRun;
    await src.setRate(200);
    await src.setFocusRate(100);
    run.write('\r');
    const st = await waitFor(
      async () => {
        const s = await src.stats();
        return s.focus.orderbook.includes('KRW-BTC') && s.focus.trade.includes('KRW-BTC') && s.focus['candle.1m'].includes('KRW-BTC') && (s.requests['GET /v1/candles/minutes/1'] ?? 0) === 1 ? s : undefined;
      },
      'the focus request and the REST candle read',
      15_000,
      50,
    );
    // One more request on the same connection, with the union (the tickers stay).
    expect(st).toMatchObject({ connections: 1, wsRequests: 2 });
    await waitFor(async () => (await src.stats()).focusSent.trade > 10, 'trades sent to the focused view', 5000, 50);
    expect(run.exited()).toBe(false);
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
