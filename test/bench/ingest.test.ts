// Smoke test of the ingest benchmark (bench/ingest.ts, `npm run bench`): its functions run on a
// tiny input, in process and over a real loopback socket from the sender process, and produce
// every figure of the table. No timing is asserted; this only keeps the benchmark from rotting.
import { describe, expect, it } from 'vitest';

import { armRules, DEFAULT_INGEST_OPTIONS, formatTable, ingestTable, projectPath, runIngest, type IngestOptions } from '../../bench/ingest.js';
import { benchMarkets, buildTickerFrames, tickerWalk } from '../../bench/ingest/frames.js';
import { krwTickSizeNumber } from '../../src/upbit/tick-size.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { parseQuotationFrame } from '../../src/upbit/parse.js';

const tiny: IngestOptions = {
  ...DEFAULT_INGEST_OPTIONS,
  markets: 5,
  ticksPerMarket: 3,
  repeats: 1,
  rules: 7,
  inProcessMessages: 40,
  flatOutMessages: 30,
  fixedRate: 2_000,
  fixedRateMessages: 20,
};

describe('ingest benchmark', () => {
  it('builds frames in the DEFAULT ticker shape that the project parses, for every market', () => {
    const markets = benchMarkets(200);
    expect(new Set(markets).size).toBe(200);
    const frames = buildTickerFrames({ markets, ticksPerMarket: 2 });
    expect(frames).toHaveLength(400);
    const seen = new Set<string>();
    for (const frame of frames) {
      const [ev] = parseQuotationFrame(frame);
      expect(ev?.kind).toBe('ticker');
      if (ev?.kind === 'ticker') seen.add(ev.ticker.market);
    }
    expect(seen.size).toBe(200);
    // Same arguments, same bytes: the sender process and the in-process run agree.
    expect(buildTickerFrames({ markets, ticksPerMarket: 2 })[123]?.equals(frames[123] ?? Buffer.alloc(0))).toBe(true);
  });

  it('walks prices on for ever (the TUI load source): no cycle of row texts, every price on the tick grid, stamped with the send time', () => {
    const markets = benchMarkets(4);
    const walk = tickerWalk({ markets });
    const texts = new Set<string>();
    const total = 4 * 400;
    for (let k = 0; k < total; k++) {
      const [ev] = parseQuotationFrame(walk.next(1_800_000_000_000 + k));
      expect(ev?.kind).toBe('ticker');
      if (ev?.kind !== 'ticker') continue;
      expect(ev.ticker.timestamp).toBe(1_800_000_000_000 + k);
      const price = ev.ticker.tradePrice;
      const tick = krwTickSizeNumber(price);
      expect(Math.abs(price / tick - Math.round(price / tick))).toBeLessThan(1e-6);
      texts.add(`${ev.ticker.market} ${price} ${ev.ticker.accTradeVolume24h}`);
    }
    // A replayed cycle (the ingest benchmark's 50 ticks a market) would give 200 texts here.
    expect(texts.size).toBe(total);
  });

  it.each(['listener-per-rule', 'market-index'] as const)('runs the armed rules (%s) on every tick of the store, and removes them', (by) => {
    const markets = benchMarkets(3);
    const store = new MarketStore({ markets });
    const armed = armRules(store, markets, 6, by);
    let seen = 0;
    const off = store.onTick('test', () => void seen++);
    const apply = projectPath(store);
    for (const frame of buildTickerFrames({ markets, ticksPerMarket: 4 })) apply(frame);
    expect(seen).toBe(12);
    // 12 ticks, two rules per market: each tick checked by the two rules of its market.
    expect(armed.checked()).toBe(24);
    expect(armed.hits()).toBe(0);
    armed.off();
    for (const frame of buildTickerFrames({ markets, ticksPerMarket: 1 })) apply(frame);
    expect(armed.checked()).toBe(24);
    off();
    store.flush();
    expect(store.getSnapshot().invalidCount).toBe(0);
  });

  it('produces every figure of the table, in process and over loopback', async () => {
    const result = await runIngest(tiny);
    expect(result.machine.nproc).toBeGreaterThan(0);
    expect(result.machine.node).toBe(process.version);
    expect(result.loopback?.flatOut.messages).toBe(30);
    expect(result.loopback?.fixedRate?.rate).toBe(2_000);
    const rows = ingestTable(result);
    const figures = rows.map((r) => r.figure);
    for (const wanted of [
      '(a) in process: raw JSON.parse',
      '(a) in process: ours',
      '(a) in process: ours + 7 rules',
      '(a) ratio ours / raw',
      '(c) ratio ours + 7 rules / raw',
      '(a) in process: ours + 7 rules by market index',
      '(c) ratio ours + 7 rules by market index / raw',
      '(b) loopback flat out: raw CPU',
      '(b) loopback flat out: ours CPU',
      '(b) loopback flat out: ours + 7 rules CPU',
      '(b) loopback flat out: ours',
      '(b) flat out CPU ratio ours / raw',
      '(c) flat out CPU ratio ours + 7 rules / raw',
      '(b) flat out throughput ratio ours / raw',
      '(b) loopback 2000 msg/s: ours CPU',
      '(b) 2000 msg/s CPU ratio ours / raw',
      '(c) 2000 msg/s CPU ratio ours + 7 rules / raw',
    ]) {
      expect(figures).toContain(wanted);
    }
    for (const row of rows) {
      expect(Number.isFinite(row.min) && Number.isFinite(row.median) && Number.isFinite(row.max), row.figure).toBe(true);
      expect(row.min).toBeGreaterThan(0);
      expect(row.min <= row.median && row.median <= row.max, row.figure).toBe(true);
    }
    const table = formatTable(rows);
    expect(table.split('\n')).toHaveLength(rows.length + 2);
    // The JSON written by bench/run.ts is this object: it must survive a round trip.
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ benchmark: 'ingest', options: { markets: 5, rules: 7 } });
  });
});
