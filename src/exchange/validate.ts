/**
 * Validation of an order request, in Upbit's order (https://docs.upbit.com/kr/reference/new-order,
 * the rules in src/upbit/trading-rules.ts):
 * field presence and format → combinations of fields → market → tick grid → volume decimals →
 * minimum and maximum total → funds → book depth. Pure: it reads balances and the book
 * through `ValidationContext` and changes nothing. The identifier is not checked here: it is
 * consumed before any of this can fail (see `engine.ts`).
 */
import { ORD_TYPES, SIDES, TIMES_IN_FORCE } from '../upbit/order-types.js';
import type { Decimal } from 'decimal.js';

import { VOLUME_DECIMALS, ZERO, dec, floorVolume, plain, sumDec } from './decimal.js';
import {
  createError,
  insufficientFunds,
  invalidMessage,
  invalidPrice,
  marketNotFound,
  missingMessage,
  overMaxTotal,
  tooLargeForBook,
  underMinTotal,
  validationError,
} from './errors.js';
import type { MarketRules } from './rules.js';
import { BOOK_DEPTH, marketRules } from './rules.js';
import { AMOUNT_DECIMALS, ORDER_AMOUNTS, TIME_IN_FORCE_RULES, wireField } from '../upbit/trading-rules.js';
import type { MarketView, OrdType, OrderRequest, Side, SmpType, TimeInForce } from './types.js';

/** An order request that passed every check, with what it must lock. */
export interface ValidOrder {
  rules: MarketRules;
  side: Side;
  ordType: OrdType;
  /** Unit price (limit) or total to spend (`price`, best bid). */
  price: Decimal | null;
  volume: Decimal | null;
  timeInForce: TimeInForce | null;
  smpType: SmpType | null;
  /** The quote currency for bids, the base currency for asks. */
  lockCurrency: string;
  /** Bid: price×volume (or the total) plus the fee; ask: the volume. */
  lock: Decimal;
  /** Fee reserved up front on bids; zero on asks (their fee comes out of the proceeds). */
  reservedFee: Decimal;
}

export interface ValidationContext {
  market: MarketView;
  /** Overrides the market's fee rate in Upbit's table. @default rules.feeRate */
  feeRate?: Decimal;
  /** What the account can spend in a currency now. */
  available(currency: string): Decimal;
  /** The name the client used for a field (`new_price` in `cancel_and_new`). @default the field itself */
  label?: (field: string) => string;
}

const SMP_TYPES: readonly SmpType[] = ['reduce', 'cancel_maker', 'cancel_taker'];

const AMOUNT = /^\d+(\.\d+)?$/;

const isAbsent = (v: unknown): v is undefined | null => v === undefined || v === null;

function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === v);
}

/** A positive decimal amount from a JSON string (Upbit's form) or a finite JSON number. */
function amount(v: unknown): Decimal | undefined {
  let d: Decimal;
  if (typeof v === 'string' && AMOUNT.test(v)) d = dec(v);
  else if (typeof v === 'number' && Number.isFinite(v)) d = dec(String(v));
  else return undefined;
  return d.isPositive() && !d.isZero() ? d : undefined;
}

/** The identifier a request carries, or null; throws validation_error for a non-string. */
export function parseIdentifier(v: unknown, label = 'identifier'): string | null {
  if (isAbsent(v)) return null;
  if (typeof v !== 'string' || v.length === 0) throw validationError(invalidMessage(label));
  return v;
}

export function validateOrder(req: OrderRequest, ctx: ValidationContext): ValidOrder {
  const label = ctx.label ?? ((f: string) => f);

  // 1. The fields every order needs, all reported at once as Upbit does.
  const problems: string[] = [];
  const required = <T extends string>(field: 'market' | 'side' | 'ord_type', parse: (v: unknown) => T | undefined): T | undefined => {
    const v = req[field];
    if (isAbsent(v) || v === '') {
      problems.push(missingMessage(label(field)));
      return undefined;
    }
    const ok = parse(v);
    if (ok === undefined) problems.push(invalidMessage(label(field)));
    return ok;
  };
  const market = required('market', (v) => (typeof v === 'string' ? v : undefined));
  const side = required('side', (v) => oneOf(v, SIDES));
  const ordType = required('ord_type', (v) => oneOf(v, ORD_TYPES));
  if (market === undefined || side === undefined || ordType === undefined) throw validationError(problems.join(', '));

  const optionalEnum = <T extends string>(field: 'time_in_force' | 'smp_type', allowed: readonly T[]): T | null => {
    const v = req[field];
    if (isAbsent(v)) return null;
    // v1.6.4 docs add `none` as the explicit "no SMP".
    if (field === 'smp_type' && v === 'none') return null;
    const ok = oneOf(v, allowed);
    if (ok === undefined) throw validationError(invalidMessage(label(field)));
    return ok;
  };
  const timeInForce = optionalEnum('time_in_force', TIMES_IN_FORCE);
  const smpType = optionalEnum('smp_type', SMP_TYPES);

  const optionalAmount = (field: 'price' | 'volume'): Decimal | null => {
    const v = req[field];
    if (isAbsent(v)) return null;
    const d = amount(v);
    if (d === undefined) throw validationError(invalidMessage(label(field)));
    return d;
  };
  const price = optionalAmount('price');
  const volume = optionalAmount('volume');

  // 2. Fields that must, or must not, come together.
  checkCombination({ side, ordType, price, volume, timeInForce, smpType }, label);

  // 3. The market.
  const rules = marketRules(market);
  if (rules === undefined || !ctx.market.has(market)) throw marketNotFound(market);

  // 4. Tick grid (limit prices only: `price` of a market buy is a total, not a unit price).
  if (ordType === 'limit' && price !== null) {
    const tick = dec(ctx.market.tickSize(market, price));
    if (!price.mod(tick).isZero()) throw invalidPrice(side);
  }

  // 5. Volume precision, and a total's: no currency has more than 8 decimals to pay with.
  if (volume !== null && volume.decimalPlaces() > VOLUME_DECIMALS) {
    throw validationError(`${invalidMessage(label('volume'))} (at most ${VOLUME_DECIMALS} decimal places)`);
  }
  if (ordType !== 'limit' && price !== null && price.decimalPlaces() > AMOUNT_DECIMALS) {
    throw validationError(`${invalidMessage(label('price'))} (a total takes at most ${AMOUNT_DECIMALS} decimal places)`);
  }

  // 6. Order total against the market's limits.
  const book = ctx.market.book(market);
  const total = orderTotal(ordType, price, volume, () => referenceBid(ctx, market, book.bids[0]?.price));
  if (total.lt(rules.minTotal)) throw underMinTotal(side, plain(rules.minTotal), rules.quote);
  if (rules.maxTotal !== null && total.gt(rules.maxTotal)) throw overMaxTotal(side, plain(rules.maxTotal), rules.quote);

  // 7. Funds.
  const lockCurrency = side === 'bid' ? rules.quote : rules.base;
  let lock: Decimal;
  let reservedFee = ZERO;
  if (side === 'bid') {
    const spend = ordType === 'limit' ? total : (price ?? ZERO);
    reservedFee = spend.mul(ctx.feeRate ?? rules.feeRate);
    lock = spend.plus(reservedFee);
  } else {
    lock = volume ?? ZERO;
  }
  if (dec(ctx.available(lockCurrency)).lt(lock)) throw insufficientFunds(side, lockCurrency);

  // 8. Market orders no larger than the visible book.
  if (ordType === 'price' && price !== null) {
    const depth = sumDec(book.asks.slice(0, BOOK_DEPTH).map((l) => dec(l.price).mul(floorVolume(dec(l.size)))));
    if (price.gt(depth)) throw tooLargeForBook(side);
  }
  if (ordType === 'market' && volume !== null) {
    const depth = sumDec(book.bids.slice(0, BOOK_DEPTH).map((l) => floorVolume(dec(l.size))));
    if (volume.gt(depth)) throw tooLargeForBook(side);
  }

  return { rules, side, ordType, price, volume, timeInForce, smpType, lockCurrency, lock, reservedFee };
}

interface Combination {
  side: Side;
  ordType: OrdType;
  price: Decimal | null;
  volume: Decimal | null;
  timeInForce: TimeInForce | null;
  smpType: SmpType | null;
}

/**
 * Which fields each order type takes, and which times in force: Upbit's table
 * (src/upbit/trading-rules.ts, `ORDER_AMOUNTS` and `TIME_IN_FORCE_RULES`), the one the
 * client's pre-trade check reads. A missing field is a `validation_error`; a side the type does
 * not have, a field that does not belong (price on a market sell, volume on a market buy) or an
 * option the type does not support is a `create_<side>_error`, the name Upbit documents for
 * "price on a market order" (https://docs.upbit.com/kr/reference/rest-api-guide; UNCERTAIN for
 * the option cases).
 */
function checkCombination(c: Combination, label: (field: string) => string): void {
  const amounts = ORDER_AMOUNTS[c.ordType][c.side];
  if (amounts === null) {
    const [what, side] = c.ordType === 'price' ? ['a market buy', 'bid'] : ['a market sell', 'ask'];
    throw createError(c.side, `${label('ord_type')} ${c.ordType} is ${what}: ${label('side')} must be ${side}.`);
  }
  const tif = TIME_IN_FORCE_RULES[c.ordType];
  if (tif.required && c.timeInForce === null) {
    throw validationError(`${missingMessage(label('time_in_force'))} (ord_type ${c.ordType} needs ${tif.allowed.join(' or ')})`);
  }
  const takes = new Set(amounts.map(wireField));
  const given = { price: c.price, volume: c.volume } as const;
  const spends = amounts.includes('total');
  for (const field of ['volume', 'price'] as const) {
    if (!takes.has(field) && given[field] !== null) {
      const why = spends ? `; ${label('price')} is the total to spend` : '';
      throw createError(c.side, `${label(field)} must not be set on ord_type ${c.ordType} ${c.side === 'bid' ? 'bids' : 'asks'}${why}.`);
    }
  }
  for (const field of ['price', 'volume'] as const) {
    if (takes.has(field) && given[field] === null) throw validationError(missingMessage(label(field)));
  }
  const asked = c.timeInForce;
  if (asked !== null && !tif.allowed.includes(asked)) {
    const types = ORD_TYPES.filter((t) => TIME_IN_FORCE_RULES[t].allowed.includes(asked));
    throw createError(c.side, `${label('time_in_force')} ${asked} is only for ord_type ${types.join(' and ')}.`);
  }
  if (c.timeInForce === 'post_only' && c.smpType !== null) {
    throw createError(c.side, `${label('time_in_force')} post_only cannot be combined with ${label('smp_type')}.`);
  }
}

/**
 * The order's total in quote currency, as Upbit checks `min_total`/`max_total`
 * (https://docs.upbit.com/kr/docs/krw-market-info): limit
 * price × volume; market and best bids their total; market and best asks volume × the best
 * bid (UNCERTAIN which price Upbit uses; the best bid is what the order would get).
 */
function orderTotal(ordType: OrdType, price: Decimal | null, volume: Decimal | null, bid: () => Decimal): Decimal {
  if (ordType === 'limit') return (price ?? ZERO).mul(volume ?? ZERO);
  if (price !== null) return price;
  return (volume ?? ZERO).mul(bid());
}

/** The best bid, or the last trade price when the book has no bids. */
function referenceBid(ctx: ValidationContext, market: string, bestBid: Decimal | undefined): Decimal {
  return dec(bestBid ?? ctx.market.lastPrice(market));
}
