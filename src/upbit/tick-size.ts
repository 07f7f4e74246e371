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

/** How many decimals a tick string has: `"0.01"` → 2, `"1000"` → 0. */
export function tickDecimals(tick: string): number {
  const dot = tick.indexOf('.');
  return dot === -1 ? 0 : tick.length - dot - 1;
}
