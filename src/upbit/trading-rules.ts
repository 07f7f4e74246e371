/**
 * Upbit's trading rules, the one table: price steps (ticks) by band, minimum and maximum order
 * totals, fee rates, volume decimals, how deep a market order may walk the book, and which
 * fields and times in force each order type takes. The client's pre-trade check
 * (src/trading/rules.ts, src/trading/money.ts), the tick lookup (src/upbit/tick-size.ts) and
 * the exchange's validation (src/exchange, which the simulator and paper trading run) all read
 * these figures from here, so a change by Upbit is one edit and the two sides cannot disagree.
 *
 * What the exchange tells an account wins over the table: `GET /v1/orderbook/instruments`
 * (`tick_size`) for a market's step, `GET /v1/orders/chance` for its fees and limits. The table
 * is the fallback, and what the simulator serves.
 *
 * Sources:
 * - KRW ticks, effective 2025-07-31: https://docs.upbit.com/kr/docs/krw-market-info and
 *   https://docs.upbit.com/kr/changelog/krw_tick_unit_change_250731 (the rows under 10 KRW
 *   come from third-party transcriptions of that change, which agree with each other).
 * - BTC and USDT markets: https://docs.upbit.com/kr/docs/btc-market-info,
 *   https://docs.upbit.com/kr/docs/usdt-market-info,
 *   https://docs.upbit.com/kr/changelog/usdt_tick_unit_change.
 * - Order fields, times in force, the 30-level book limit: https://docs.upbit.com/kr/reference/new-order,
 *   https://docs.upbit.com/kr/changelog/orderbook_expansion.
 */
import { splitMarketCode } from './market-code.js';
import type { OrdType, Side, TimeInForce } from './order-types.js';

/** Upbit's three markets, by the currency orders are priced and paid in. */
export type QuoteCurrency = 'KRW' | 'BTC' | 'USDT';

/** Price bands, coarsest first: a price at or above `minPrice` (and below the previous band) has step `tick`. */
export type PriceBands = ReadonlyArray<readonly [minPrice: number, tick: string]>;

/** One market's rules. Amounts are decimal strings, so callers build exact decimals from them. */
export interface QuoteRules {
  quote: QuoteCurrency;
  /** Price steps by band; empty when one step holds at every price. */
  ticks: PriceBands;
  /** The step below the lowest band (every price, when `ticks` is empty). */
  finestTick: string;
  /** Smallest order total (price × volume, or a market buy's total), bids and asks alike. */
  minTotal: string;
  /** Largest order total; null where Upbit publishes none. */
  maxTotal: string | null;
  /** Fee rate, maker and taker, bids and asks. */
  fee: string;
  /** Whether `fee` was observed on Upbit (`orders/chance`) rather than taken from ccxt's defaults. */
  feeObserved: boolean;
  /**
   * Decimal places the client gives a market or best-price buy's total (the wire's `price`):
   * whole won on KRW, {@link AMOUNT_DECIMALS} elsewhere. UNCERTAIN for KRW: Upbit may take
   * fractions of a won there, as the exchange does (up to AMOUNT_DECIMALS on every market);
   * the client stays on whole won, which Upbit takes for certain.
   */
  totalDecimals: number;
}

/** The KRW table (2025-07-31), also what `tickSize` of src/upbit/tick-size.ts walks. */
export const KRW_TICK_BANDS: PriceBands = [
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

export const UPBIT_RULES: Readonly<Record<QuoteCurrency, QuoteRules>> = {
  KRW: {
    quote: 'KRW',
    ticks: KRW_TICK_BANDS,
    finestTick: '0.00000001',
    // `orders/chance` answers min_total "5000" for bid and ask and max_total "1000000000".
    minTotal: '5000',
    maxTotal: '1000000000',
    fee: '0.0005',
    feeObserved: true,
    totalDecimals: 0,
  },
  BTC: {
    quote: 'BTC',
    ticks: [],
    finestTick: '0.00000001',
    // 0.00005 BTC since 2024-08-19; at most 10 BTC per order since 2025-05-19.
    minTotal: '0.00005',
    maxTotal: '10',
    // UNCERTAIN: ccxt's 0.25 %; the higher figure keeps "% of balance" orders affordable.
    fee: '0.0025',
    feeObserved: false,
    totalDecimals: 8,
  },
  USDT: {
    quote: 'USDT',
    // Since 2024-08-19 (it was a flat 0.001).
    ticks: [
      [10, '0.01'],
      [1, '0.001'],
      [0.1, '0.0001'],
      [0.01, '0.00001'],
      [0.001, '0.000001'],
      [0.0001, '0.0000001'],
    ],
    finestTick: '0.00000001',
    minTotal: '0.5',
    maxTotal: null,
    // UNCERTAIN, as for BTC.
    fee: '0.0025',
    feeObserved: false,
    totalDecimals: 8,
  },
};

/** The rules of a market code's quote currency, or undefined when the code is not one of Upbit's. */
export function quoteRulesOf(market: string): QuoteRules | undefined {
  const parts = splitMarketCode(market);
  if (parts === null) return undefined;
  const byQuote: Readonly<Record<string, QuoteRules | undefined>> = UPBIT_RULES;
  return byQuote[parts.quote];
}

/**
 * The step of a band table at `price` (a float; see src/trading/rules.ts for exact decimals
 * just under a band floor). The band floors are exact in binary's shortest decimal form.
 */
export function bandTick(rules: Pick<QuoteRules, 'ticks' | 'finestTick'>, price: number): string {
  for (const [min, tick] of rules.ticks) if (price >= min) return tick;
  return rules.finestTick;
}

/** Upbit's amounts (balances, volumes, totals) carry at most 8 decimal places. */
export const AMOUNT_DECIMALS = 8;

/** Upbit volumes carry at most 8 decimal places. */
export const VOLUME_DECIMALS = AMOUNT_DECIMALS;

/** Levels 1–30 per side: a market order larger than they can fill is refused (since 2025-05-07; 15 before). */
export const BOOK_DEPTH = 30;

/** An order's amounts, by meaning: `total` (what a market or best-price buy spends) goes on the wire as `price`. */
export type OrderAmount = 'price' | 'volume' | 'total';

/**
 * Which amounts each order type takes, per side; null where the type has no such side
 * (`price` is a market buy, `market` a market sell). An amount not listed must not be sent.
 */
export const ORDER_AMOUNTS: Readonly<Record<OrdType, Readonly<Record<Side, readonly OrderAmount[] | null>>>> = {
  limit: { bid: ['price', 'volume'], ask: ['price', 'volume'] },
  price: { bid: ['total'], ask: null },
  market: { bid: null, ask: ['volume'] },
  best: { bid: ['total'], ask: ['volume'] },
};

/** The wire field an amount is sent in. */
export function wireField(amount: OrderAmount): 'price' | 'volume' {
  return amount === 'volume' ? 'volume' : 'price';
}

/**
 * The times in force each order type allows, and whether it needs one: `best` needs ioc or
 * fok, `post_only` is for limit orders only (and never with an `smp_type`), market orders
 * take none.
 */
export const TIME_IN_FORCE_RULES: Readonly<Record<OrdType, { required: boolean; allowed: readonly TimeInForce[] }>> = {
  limit: { required: false, allowed: ['ioc', 'fok', 'post_only'] },
  price: { required: false, allowed: [] },
  market: { required: false, allowed: [] },
  best: { required: true, allowed: ['ioc', 'fok'] },
};
