/**
 * Ticker frames for the ingest benchmark: binary frames (UTF-8 JSON in a Buffer) of Upbit's
 * DEFAULT-format ticker, with every field of the recorded sample in
 * test/fixtures/ws/ticker-default.json in its order, as the simulator sends them
 * (src/sim/wire-encode.ts: `Buffer.from(JSON.stringify(wire))`). Deterministic, so the sender
 * process and the in-process run build byte-identical frames from the same arguments.
 */
import { readFileSync } from 'node:fs';

import { krwTickSize } from '../../src/upbit/tick-size.js';

const SAMPLE_URL = new URL('../../test/fixtures/ws/ticker-default.json', import.meta.url);

/** `count` market codes: KRW-BTC, KRW-ETH, … then synthetic `KRW-B001`… up to `count`. */
export function benchMarkets(count: number): string[] {
  const real = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-ADA', 'KRW-TRX', 'KRW-LINK', 'KRW-AVAX', 'KRW-DOT'];
  const out = real.slice(0, count);
  for (let i = out.length; i < count; i++) out.push(`KRW-B${String(i).padStart(3, '0')}`);
  return out;
}

/** A small deterministic generator (mulberry32): the same seed gives the same frames. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A price on today's KRW tick for its band, printed without binary-float tails. */
export function onTick(price: number): number {
  const tick = krwTickSize(price);
  const t = Number(tick);
  const decimals = tick.includes('.') ? tick.length - tick.indexOf('.') - 1 : 0;
  return Number((Math.round(price / t) * t).toFixed(decimals));
}

export interface FrameSetOptions {
  /** Market codes, see {@link benchMarkets}. */
  markets: readonly string[];
  /** Distinct ticks per market; the frames interleave the markets round-robin. */
  ticksPerMarket: number;
  /** @default 20261201 */
  seed?: number;
}

export interface TickerWalkOptions {
  /** Market codes, see {@link benchMarkets}. */
  markets: readonly string[];
  /** @default 20261201 */
  seed?: number;
}

/**
 * An endless random walk of ticker frames, market after market, then the next tick of each:
 * every price is a fresh step on today's KRW tick grid, so no row text repeats on a cycle (a
 * replayed cycle of a few ticks would let Ink's text caches hit and hide their growth; see
 * docs/performance.md, the TUI load benchmark). `next(at)` stamps the frame's `timestamp` with
 * `at` (the send time, for the TUI's send → frame freshness); without it the times are
 * deterministic, 7 ms apart from 2025-12-01.
 */
export function tickerWalk(opts: TickerWalkOptions): { next(at?: number): Buffer } {
  const sample = JSON.parse(readFileSync(SAMPLE_URL, 'utf8')) as Record<string, unknown>;
  const random = rng(opts.seed ?? 20261201);
  const n = opts.markets.length;
  // Prices over Upbit's whole range of magnitudes: a few won up to a hundred million.
  const prev = opts.markets.map(() => onTick(10 ** (random() * 8.2)));
  const last = [...prev];
  const high = [...prev];
  const low = [...prev];
  const accVolume = opts.markets.map(() => 0);
  const accPrice = opts.markets.map(() => 0);
  const start = 1_764_547_200_000; // 2025-12-01T00:00:00Z
  let count = 0;
  return {
    next(stamp?: number): Buffer {
      const i = count % n;
      const at = stamp ?? start + count * 7;
      count += 1;
      const p0 = prev[i] ?? 1;
      const price = onTick((last[i] ?? p0) * (1 + (random() - 0.5) * 0.004));
      last[i] = price;
      high[i] = Math.max(high[i] ?? price, price);
      low[i] = Math.min(low[i] ?? price, price);
      const volume = Number((random() * 2).toFixed(8));
      accVolume[i] = Number(((accVolume[i] ?? 0) + volume).toFixed(8));
      accPrice[i] = Number(((accPrice[i] ?? 0) + volume * price).toFixed(8));
      const change = price > p0 ? 'RISE' : price < p0 ? 'FALL' : 'EVEN';
      const changePrice = Math.abs(price - p0);
      const sign = change === 'FALL' ? -1 : 1;
      const date = new Date(at).toISOString();
      const wire = {
        ...sample,
        code: opts.markets[i],
        opening_price: p0,
        high_price: high[i],
        low_price: low[i],
        trade_price: price,
        prev_closing_price: p0,
        acc_trade_price: accPrice[i],
        change,
        change_price: changePrice,
        signed_change_price: sign * changePrice,
        change_rate: Number((changePrice / p0).toFixed(10)),
        signed_change_rate: Number(((sign * changePrice) / p0).toFixed(10)),
        ask_bid: random() < 0.5 ? 'ASK' : 'BID',
        trade_volume: volume,
        acc_trade_volume: accVolume[i],
        trade_date: date.slice(0, 10).replaceAll('-', ''),
        trade_time: date.slice(11, 19).replaceAll(':', ''),
        trade_timestamp: at - 38,
        timestamp: at,
        acc_trade_price_24h: accPrice[i],
        acc_trade_volume_24h: accVolume[i],
        stream_type: 'REALTIME',
      };
      return Buffer.from(JSON.stringify(wire));
    },
  };
}

/** `markets.length * ticksPerMarket` frames of {@link tickerWalk}: market after market, then the next tick of each. */
export function buildTickerFrames(opts: FrameSetOptions): Buffer[] {
  const walk = tickerWalk(opts);
  const frames: Buffer[] = [];
  for (let k = 0; k < opts.ticksPerMarket * opts.markets.length; k++) frames.push(walk.next());
  return frames;
}
