/**
 * Upbit's KRW-market price unit (tick) table, effective 2025-07-31 (shared/upbit-api.md §5.1).
 * The authoritative answer per market is `GET /v1/orderbook/instruments` → `tick_size`; this
 * table is the fallback and what the simulator serves. Ticks are kept as decimal strings so
 * callers can build exact decimals from them.
 */
const KRW_TICKS: ReadonlyArray<readonly [minPrice: number, tick: string]> = [
  [1_000_000, '1000'],
  [500_000, '500'],
  [100_000, '100'],
  [50_000, '50'],
  [10_000, '10'],
  [5_000, '5'],
  [100, '1'],
  [10, '0.1'],
  [1, '0.01'],
  [0.1, '0.001'],
  [0.01, '0.0001'],
  [0.001, '0.00001'],
  [0.0001, '0.000001'],
  [0.00001, '0.0000001'],
];

/** Below the table's last band. */
const BELOW_TABLE_TICK = '0.00000001';

/** The KRW tick for a price, as a decimal string (e.g. `"1000"`, `"0.1"`). */
export function krwTickSize(price: number): string {
  for (const [min, tick] of KRW_TICKS) {
    if (price >= min) return tick;
  }
  return BELOW_TABLE_TICK;
}

/**
 * The same table as numbers (each tick is `Number` of its string, so the same double), for the
 * quotation hot path: the parser checks every KRW tick's price against it and must not convert
 * a string per message. The string table above stays the one source.
 */
const KRW_TICK_NUMBERS: readonly number[] = KRW_TICKS.map(([, tick]) => Number(tick));
const KRW_TICK_MINS: readonly number[] = KRW_TICKS.map(([min]) => min);
const KRW_FINEST_TICK = Number(BELOW_TABLE_TICK);

/** `Number(krwTickSize(price))`, without building or parsing a string. */
export function krwTickSizeNumber(price: number): number {
  const n = KRW_TICK_MINS.length;
  for (let i = 0; i < n; i++) {
    if (price >= (KRW_TICK_MINS[i] ?? Number.POSITIVE_INFINITY)) return KRW_TICK_NUMBERS[i] ?? KRW_FINEST_TICK;
  }
  return KRW_FINEST_TICK;
}

/** How many decimals a tick string has: `"0.01"` → 2, `"1000"` → 0. */
export function tickDecimals(tick: string): number {
  const dot = tick.indexOf('.');
  return dot === -1 ? 0 : tick.length - dot - 1;
}
