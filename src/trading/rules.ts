/**
 * Upbit's per-market trading rules for the client: price steps (ticks), minimum and maximum
 * order totals, fee rates, as exact decimals. What the exchange tells us wins
 * (`/v1/orderbook/instruments` for ticks, `/v1/orders/chance` for fees and limits); the
 * fallback is Upbit's table in src/upbit/trading-rules.ts, the same one the exchange validates
 * against (https://docs.upbit.com/kr/docs/krw-market-info, /kr/docs/btc-market-info,
 * /kr/docs/usdt-market-info).
 */
import { splitMarketCode, type MarketParts } from '../upbit/market-code.js';
import { krwTickSize } from '../upbit/tick-size.js';
import { UPBIT_RULES, VOLUME_DECIMALS, quoteRulesOf } from '../upbit/trading-rules.js';
import { Money, toMoney, type Decimal, type MoneyInput } from './decimal.js';

export type { MarketParts };
/** The quote and base of a market code, or null when it is not one (src/upbit/market-code.ts). */
export const marketParts = splitMarketCode;

/**
 * `tick_size` per market, as `GET /v1/orderbook/instruments` answers it (e.g. KRW-BTC → `"1000"`).
 * Build it with `new Map(instruments.map((i) => [i.market, i.tickSize]))`.
 */
export type InstrumentTicks = ReadonlyMap<string, MoneyInput>;

/**
 * The price step for `market` at `price`.
 *
 * Without an instrument tick the fallback tables apply: the KRW table (effective 2025-07-31),
 * BTC's flat 0.00000001 and the USDT table. The KRW band is chosen on the exact decimal, not a
 * rounded float, so 999,999.99999999999999999 is in the 500 band, not the 1,000 one.
 *
 * An instrument tick is the exchange's step for the band the market traded in when it was
 * fetched, which need not be the band of `price` (a limit far from the market). For KRW
 * markets the coarser of the instrument tick and the table tick is used: every Upbit tick
 * divides the next coarser one, so a price on the coarser grid is valid whichever of the two
 * is right for that price, and rounding with it never earns an `invalid_price_*` rejection.
 * The cost: a per-pair finer exception (USDT/KRW's 0.5 since 2025-03-21) rounds to whole won instead.
 * For other quote currencies the instrument tick is used as is.
 *
 * Throws a RangeError for a price ≤ 0, and an Error when neither source knows the market.
 */
export function tickSize(market: string, price: MoneyInput, instruments?: InstrumentTicks): Decimal {
  const p = toMoney(price, 'Price');
  if (!p.isPositive() || p.isZero()) throw new RangeError(`Price ${p.toFixed()} has no price step: prices must be above zero.`);
  const known = instruments?.get(market);
  const instrument = known === undefined ? undefined : toMoney(known, `${market} tick_size`);
  if (instrument !== undefined && (!instrument.isPositive() || instrument.isZero())) {
    throw new RangeError(`${market} tick_size ${instrument.toFixed()} from /v1/orderbook/instruments is not positive.`);
  }
  const rules = quoteRulesOf(market);
  if (rules?.quote === 'KRW') {
    const table = new Money(krwTickSize(floatAtOrBelow(p)));
    return instrument === undefined || table.gt(instrument) ? table : instrument;
  }
  if (instrument !== undefined) return instrument;
  if (rules !== undefined) {
    for (const [min, tick] of rules.ticks) if (p.gte(min)) return new Money(tick);
    return new Money(rules.finestTick);
  }
  throw new Error(`No price step is known for ${market}: load /v1/orderbook/instruments for it before pricing orders.`);
}

/**
 * A float whose shortest decimal form is ≤ `p` and in the same tick band.
 *
 * krwTickSize compares floats with float band floors (`1_000_000`, `0.1`, …). Comparing
 * floats is the same as comparing their shortest decimal forms, and every band floor is its
 * own shortest form, so the float only has to stay on the right side of every floor: the
 * nearest float can round a price just under a floor (999,999.99999999999999999) up onto it,
 * in which case the float one step below is taken.
 */
function floatAtOrBelow(p: Decimal): number {
  const n = p.toNumber();
  if (!Number.isFinite(n) || new Money(n).lte(p)) return n;
  return previousFloat(n);
}

function previousFloat(n: number): number {
  if (n <= 0) return n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/** Default fee rates by quote currency when `/v1/orders/chance` has not been read (Upbit's table). */
export const DEFAULT_FEES: Readonly<Record<string, string>> = Object.fromEntries(Object.values(UPBIT_RULES).map((r) => [r.quote, r.fee]));

export { VOLUME_DECIMALS };

/** The rules one market's orders are checked and sized against. */
export interface TradingRules extends MarketParts {
  /** Fee rate on buys, charged on top in the quote currency. */
  bidFee: Decimal;
  /** Fee rate on sells, deducted from the proceeds. */
  askFee: Decimal;
  /** Smallest buy total (price × volume, or the market-buy total), in the quote currency. */
  bidMinTotal: Decimal | null;
  /** Smallest sell total, in the quote currency. */
  askMinTotal: Decimal | null;
  /** Largest order total, in the quote currency; null when unknown. */
  maxTotal: Decimal | null;
  /** Decimal places of a market-buy total. */
  quoteDecimals: number;
}

/**
 * The parts of a parsed `/v1/orders/chance` answer the rules use (camelCase domain shape;
 * amounts as decimals or decimal strings). Every field is optional: what is missing falls back
 * to the tables.
 */
export interface ChanceRules {
  bidFee?: MoneyInput | null;
  askFee?: MoneyInput | null;
  market?: {
    bid?: { minTotal?: MoneyInput | null } | null;
    ask?: { minTotal?: MoneyInput | null } | null;
    maxTotal?: MoneyInput | null;
  } | null;
}

/**
 * The rules for `market`, from its order chance when known, else Upbit's table
 * (src/upbit/trading-rules.ts). Throws for a malformed market code.
 */
export function tradingRules(market: string, chance?: ChanceRules): TradingRules {
  const parts = marketParts(market);
  if (parts === null) throw new RangeError(`Market ${JSON.stringify(market)} is not a code like KRW-BTC.`);
  // A market code is always one of Upbit's three markets (src/upbit/market-code.ts).
  const table = quoteRulesOf(market);
  if (table === undefined) throw new RangeError(`Market ${market} has no quote currency Upbit trades in.`);
  const fee = table.fee;
  const pick = (v: MoneyInput | null | undefined, fallback: string | null | undefined, what: string): Decimal | null =>
    v !== undefined && v !== null ? toMoney(v, what) : fallback === undefined || fallback === null ? null : new Money(fallback);
  return {
    ...parts,
    bidFee: pick(chance?.bidFee, fee, 'bid_fee') ?? new Money(fee),
    askFee: pick(chance?.askFee, fee, 'ask_fee') ?? new Money(fee),
    bidMinTotal: pick(chance?.market?.bid?.minTotal, table.minTotal, 'bid.min_total'),
    askMinTotal: pick(chance?.market?.ask?.minTotal, table.minTotal, 'ask.min_total'),
    maxTotal: pick(chance?.market?.maxTotal, table.maxTotal, 'max_total'),
    quoteDecimals: table.totalDecimals,
  };
}
