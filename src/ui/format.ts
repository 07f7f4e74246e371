/**
 * Pure text formatting for the ticker table and status bar. Everything returned here is
 * ASCII except the sparkline blocks and `…`, which are one column wide, so `.length` is the
 * display width (the layout relies on it).
 */
import { Decimal } from '../trading/decimal.js';
import { baseCurrency, quoteCurrency } from '../upbit/market-code.js';
import { krwTickSize, tickDecimals } from '../upbit/tick-size.js';
import { UPBIT_RULES, bandTick } from '../upbit/trading-rules.js';
import type { MarketCode } from '../upbit/types.js';

/** How many decimals a price in this market is shown with: its tick's. */
export function priceDecimals(market: MarketCode, price: number): number {
  switch (quoteCurrency(market)) {
    case 'KRW':
      return tickDecimals(krwTickSize(price));
    case 'USDT':
      return tickDecimals(bandTick(UPBIT_RULES.USDT, price));
    default:
      // BTC markets: a flat tick (src/upbit/trading-rules.ts).
      return tickDecimals(UPBIT_RULES.BTC.finestTick);
  }
}

/** Snap a price to its market's tick (KRW ticks such as 1000 or 5 are not powers of ten). */
export function roundToTick(market: MarketCode, price: number): number {
  if (quoteCurrency(market) !== 'KRW') return price;
  const tick = Number(krwTickSize(price));
  return Math.round(price / tick) * tick;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** en-US grouping with exactly `decimals` fraction digits; cached per (decimals, signed). */
function numberFormat(decimals: number, signed: boolean): Intl.NumberFormat {
  const key = `${decimals}:${signed}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      // 'exceptZero' applies after rounding, so -0.001 at 2 decimals prints "0.00", not "-0.00".
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    formatters.set(key, f);
  }
  return f;
}

/** `130512000` in KRW-BTC → `130,512,000`; `0.01234` in KRW-SHIB → `0.01234`. */
export function formatPrice(market: MarketCode, price: number): string {
  if (!Number.isFinite(price)) return '?';
  return numberFormat(priceDecimals(market, price), false).format(roundToTick(market, price));
}

/**
 * Signed change against the previous close: `+1,234,000`, `-500`, `0`. Shown with the finer
 * of the two prices' ticks, since the close may sit in a different tick band.
 */
export function formatSignedChange(market: MarketCode, price: number, change: number): string {
  if (!Number.isFinite(change) || !Number.isFinite(price)) return '?';
  const decimals = Math.max(priceDecimals(market, price), priceDecimals(market, Math.abs(price - change)));
  return numberFormat(decimals, true).format(change);
}

/** A signed ratio as a percentage: `0.0123` → `+1.23%`, `-0.005` → `-0.50%`, `0` → `0.00%`. */
export function formatPercent(rate: number): string {
  if (!Number.isFinite(rate)) return '?';
  return `${numberFormat(2, true).format(rate * 100)}%`;
}

const COMPACT_UNITS: ReadonlyArray<readonly [size: number, suffix: string]> = [
  [1e3, 'K'],
  [1e6, 'M'],
  [1e9, 'B'],
  [1e12, 'T'],
];

/** Traded value, compact and ASCII: `412.3B`, `1.2T`, `98.1M`; below 1,000 two decimals. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '?';
  const abs = Math.abs(value);
  for (let i = COMPACT_UNITS.length - 1; i >= 0; i -= 1) {
    const [size, suffix] = COMPACT_UNITS[i] ?? [1, ''];
    if (abs < size) continue;
    const scaled = Math.round((value / size) * 10) / 10;
    const next = COMPACT_UNITS[i + 1];
    // 999.96B rounds to 1000.0B: say 1.0T instead.
    if (Math.abs(scaled) >= 1000 && next !== undefined) return `${(Math.round((value / next[0]) * 10) / 10).toFixed(1)}${next[1]}`;
    return `${scaled.toFixed(1)}${suffix}`;
  }
  return value.toFixed(2);
}

/** `1234` → `1,234`. */
export function formatCount(n: number): string {
  return numberFormat(0, false).format(n);
}

/**
 * A KRW amount in whole won, rounded down (an available balance is never overstated):
 * `9989995.5` → `9,989,995`. Takes the trading core's decimals (or their string), never a float.
 */
export function formatKrw(amount: Decimal): string {
  const whole = amount.toFixed(0, Decimal.ROUND_DOWN);
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  return `${negative ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** A duration in plain words: `0.2s`, `2.1s`, `4s`, `42s`, `3m`, `2h`. Negative reads as 0. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) {
    const tenths = Math.round(s * 10) / 10;
    return Number.isInteger(tenths) ? `${tenths}s` : `${tenths.toFixed(1)}s`;
  }
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

/** `KRW-BTC` → `BTC/KRW`, the way Upbit's own screens name a pair. */
export function marketLabel(market: MarketCode): string {
  return market.includes('-') ? `${baseCurrency(market)}/${quoteCurrency(market)}` : market;
}

const BLOCKS = '▁▂▃▄▅▆▇█';
/** A constant series is drawn at mid height, so a quiet market does not read as a crash. */
const FLAT = '▄';

/**
 * The last `width` values as block characters, newest at the right, left-padded with spaces
 * when there are fewer values than columns.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const tail = values.length > width ? values.slice(values.length - width) : values;
  let min = Infinity;
  let max = -Infinity;
  for (const v of tail) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const top = BLOCKS.length - 1;
  let out = '';
  for (const v of tail) {
    out += max === min ? FLAT : BLOCKS[Math.round(((v - min) / (max - min)) * top)];
  }
  return out.padStart(width);
}

/** Cut to `width` columns, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
