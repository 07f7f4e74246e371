/**
 * Upbit's KRW-market price unit (tick) for a price. The table is the one in
 * src/upbit/trading-rules.ts (effective 2025-07-31, https://docs.upbit.com/kr/docs/krw-market-info).
 * The authoritative answer per market is `GET /v1/orderbook/instruments` → `tick_size`; the
 * table is the fallback and what the simulator serves. Ticks are decimal strings so callers
 * can build exact decimals from them.
 */
import { KRW_TICK_BANDS, UPBIT_RULES } from './trading-rules.js';

const KRW_TICKS = KRW_TICK_BANDS;
const KRW_FINEST_TICK = UPBIT_RULES.KRW.finestTick;

/** The KRW tick for a price, as a decimal string (e.g. `"1000"`, `"0.1"`). */
export function krwTickSize(price: number): string {
  for (const [min, tick] of KRW_TICKS) {
    if (price >= min) return tick;
  }
  return KRW_FINEST_TICK;
}

/**
 * The same table as numbers (each tick is `Number` of its string, so the same double), for the
 * quotation hot path: the parser checks every KRW tick's price against it and must not convert
 * a string per message. The string table stays the one source.
 */
const KRW_TICK_NUMBERS: readonly number[] = KRW_TICKS.map(([, tick]) => Number(tick));
const KRW_TICK_MINS: readonly number[] = KRW_TICKS.map(([min]) => min);
const KRW_FINEST_TICK_NUMBER = Number(KRW_FINEST_TICK);

/** `Number(krwTickSize(price))`, without building or parsing a string. */
export function krwTickSizeNumber(price: number): number {
  const n = KRW_TICK_MINS.length;
  for (let i = 0; i < n; i++) {
    if (price >= (KRW_TICK_MINS[i] ?? Number.POSITIVE_INFINITY)) return KRW_TICK_NUMBERS[i] ?? KRW_FINEST_TICK_NUMBER;
  }
  return KRW_FINEST_TICK_NUMBER;
}

/** How many decimals a tick string has: `"0.01"` → 2, `"1000"` → 0. */
export function tickDecimals(tick: string): number {
  const dot = tick.indexOf('.');
  return dot === -1 ? 0 : tick.length - dot - 1;
}
