/**
 * Money maths for orders: rounding to Upbit's grid in the user's favour, fees, "% of available
 * balance" sizing net of fees, and the pre-flight check of an order against Upbit's rules
 * (src/upbit/trading-rules.ts, the table the exchange's own validation reads).
 * Every function is pure and works in {@link Money} decimals; nothing here is a binary float.
 */
import type { OrdType, Side, TimeInForce } from '../upbit/order-types.js';
import { ORDER_AMOUNTS, TIME_IN_FORCE_RULES, type OrderAmount } from '../upbit/trading-rules.js';
import { Decimal, HUNDRED, Money, ONE, ZERO, formatAmount, parseAmount, plain, readTypedAmount, toMoney, type MoneyInput } from './decimal.js';
import { VOLUME_DECIMALS, marketParts, tickSize, tradingRules, type InstrumentTicks, type TradingRules } from './rules.js';

export { Decimal, Money, ZERO, formatAmount, parseAmount, plain, readTypedAmount, toMoney } from './decimal.js';
export type { TypedAmount } from './decimal.js';
export type { MoneyInput } from './decimal.js';
export { DEFAULT_FEES, VOLUME_DECIMALS, marketParts, tickSize, tradingRules } from './rules.js';
export type { ChanceRules, InstrumentTicks, MarketParts, TradingRules } from './rules.js';

/** The smallest volume step, 0.00000001. */
export const VOLUME_STEP: Decimal = new Money(1).div(10 ** VOLUME_DECIMALS);

/**
 * A buy price on the grid, rounded down: the buyer never pays more than they typed.
 *
 * The step is the one of the band `price` is in. Rounding down never leaves that band (each
 * band's floor is a multiple of its own step), so 1,000,400 → 1,000,000 and
 * 999,999.9 → 999,500 (the 500 band), never a finer step of a lower band.
 * A price under one step rounds to 0, which {@link checkOrder} reports.
 */
export function roundBuyPrice(market: string, price: MoneyInput, instruments?: InstrumentTicks): Decimal {
  const p = nonNegative(price, 'Price');
  if (p.isZero()) return p;
  const tick = tickSize(market, p, instruments);
  return p.div(tick).floor().mul(tick);
}

/**
 * A sell price on the grid, rounded up: the seller never receives less than they typed.
 *
 * Rounding up can cross into the next, coarser band; it then lands exactly on that band's
 * floor (999,600 → 1,000,000), which is on both grids.
 */
export function roundSellPrice(market: string, price: MoneyInput, instruments?: InstrumentTicks): Decimal {
  const p = nonNegative(price, 'Price');
  if (p.isZero()) return p;
  const tick = tickSize(market, p, instruments);
  return p.div(tick).ceil().mul(tick);
}

/** The user-favouring rounding for a side: buys down, sells up. */
export function roundPrice(market: string, side: Side, price: MoneyInput, instruments?: InstrumentTicks): Decimal {
  return side === 'bid' ? roundBuyPrice(market, price, instruments) : roundSellPrice(market, price, instruments);
}

/** Whether `price` is a positive multiple of its price step. */
export function isOnTick(market: string, price: MoneyInput, instruments?: InstrumentTicks): boolean {
  const p = toMoney(price, 'Price');
  if (!p.isPositive() || p.isZero()) return false;
  return p.mod(tickSize(market, p, instruments)).isZero();
}

/** A volume rounded down to Upbit's 8 decimals: never more than there is to buy or sell. */
export function roundVolume(volume: MoneyInput): Decimal {
  return nonNegative(volume, 'Volume').toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_DOWN);
}

/**
 * What a limit buy costs in the quote currency, fee included: price × volume × (1 + fee).
 * This is what Upbit locks (`price×volume + reserved_fee`, the `locked` of an order answer,
 * https://docs.upbit.com/kr/reference/new-order).
 */
export function bidCost(price: MoneyInput, volume: MoneyInput, fee: MoneyInput): Decimal {
  const pv = toMoney(price, 'Price').mul(toMoney(volume, 'Volume'));
  return pv.mul(ONE.plus(toMoney(fee, 'Fee rate')));
}

/** What a sell brings in after the fee: price × volume × (1 − fee). */
export function askProceeds(price: MoneyInput, volume: MoneyInput, fee: MoneyInput): Decimal {
  const pv = toMoney(price, 'Price').mul(toMoney(volume, 'Volume'));
  return pv.mul(ONE.minus(toMoney(fee, 'Fee rate')));
}

/**
 * The largest 8-decimal volume whose {@link bidCost} at `price` is ≤ `availableQuote`: one
 * more volume step would cost more than is available. 0 when not even one step fits.
 */
export function maxBuyVolume(availableQuote: MoneyInput, price: MoneyInput, fee: MoneyInput): Decimal {
  const available = nonNegative(availableQuote, 'Available balance');
  const p = positive(price, 'Price');
  const f = nonNegative(fee, 'Fee rate');
  const unitCost = p.mul(ONE.plus(f));
  // The division rounds at 40 digits, either way; step to the exact boundary.
  let v = available.div(unitCost).toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_DOWN);
  while (v.isPositive() && !v.isZero() && bidCost(p, v, f).gt(available)) v = v.minus(VOLUME_STEP);
  while (bidCost(p, v.plus(VOLUME_STEP), f).lte(available)) v = v.plus(VOLUME_STEP);
  return v.isNegative() ? ZERO : v;
}

/**
 * The total to spend on a market buy (`ord_type=price`) with `percent` % of the available
 * quote balance, net of the fee: total × (1 + fee) ≤ percent/100 × available. Rounded down to
 * the quote currency's decimals (whole won for KRW markets).
 *
 * @param percent 0–100.
 * @param quoteDecimals @default 0 (KRW)
 */
export function buyTotalForPercent(availableQuote: MoneyInput, percent: MoneyInput, fee: MoneyInput, quoteDecimals = 0): Decimal {
  const budget = budgetFor(availableQuote, percent);
  const onePlusFee = ONE.plus(nonNegative(fee, 'Fee rate'));
  const unit = new Money(1).div(new Money(10).pow(quoteDecimals));
  let total = budget.div(onePlusFee).toDecimalPlaces(quoteDecimals, Decimal.ROUND_DOWN);
  while (total.isPositive() && !total.isZero() && total.mul(onePlusFee).gt(budget)) total = total.minus(unit);
  while (total.plus(unit).mul(onePlusFee).lte(budget)) total = total.plus(unit);
  return total.isNegative() ? ZERO : total;
}

/**
 * The volume of a limit buy at `price` spending at most `percent` % of the available quote
 * balance, fee included ({@link maxBuyVolume} of that share).
 *
 * @param percent 0–100.
 */
export function buyVolumeForPercent(availableQuote: MoneyInput, percent: MoneyInput, price: MoneyInput, fee: MoneyInput): Decimal {
  return maxBuyVolume(budgetFor(availableQuote, percent), price, fee);
}

/**
 * The volume to sell for `percent` % of the available base balance, rounded down to 8
 * decimals. Sell fees come out of the proceeds, so the whole volume can be sold.
 *
 * @param percent 0–100.
 */
export function sellVolumeForPercent(availableBase: MoneyInput, percent: MoneyInput): Decimal {
  return roundVolume(budgetFor(availableBase, percent));
}

export type { OrdType, Side, TimeInForce };

/**
 * An order as the user or the monitor asked for it, before it is sent. Amounts may be typed
 * strings; `checkOrder` reports the ones that are not numbers.
 */
export interface OrderDraft {
  market: string;
  side: Side;
  ordType: OrdType;
  /** Unit price; limit orders only. */
  price?: MoneyInput | null;
  /** Base-currency volume: limit orders, market sells, best-price sells. */
  volume?: MoneyInput | null;
  /** Quote-currency amount to spend: market buys (`price`) and best-price buys. Sent as `price` on the wire. */
  total?: MoneyInput | null;
  timeInForce?: TimeInForce | null;
}

export interface CheckContext {
  /** The market's rules; @default tradingRules(market) (the tables) */
  rules?: TradingRules;
  instruments?: InstrumentTicks;
  /** Available (not locked) balances; the funds check is skipped for a side whose balance is not given. */
  available?: { quote?: MoneyInput | null; base?: MoneyInput | null };
  /**
   * A recent price to value market and best-price sells against the minimum and maximum;
   * skipped when absent. The exchange values them at the best bid: pass it for the exchange's
   * own verdict (the last trade can fall on the other side of a limit).
   */
  referencePrice?: MoneyInput | null;
}

export type OrderProblemCode =
  | 'market'
  | 'missing'
  | 'not_allowed'
  | 'not_a_number'
  | 'not_positive'
  | 'off_tick'
  | 'too_many_decimals'
  | 'below_min_total'
  | 'above_max_total'
  | 'insufficient_funds'
  | 'time_in_force';

export interface OrderProblem {
  code: OrderProblemCode;
  field: 'market' | 'side' | 'price' | 'volume' | 'total' | 'timeInForce';
  /** A sentence for the user that says what to change. */
  message: string;
}

/**
 * Everything wrong with an order before it is sent, as sentences that say what to do; an
 * empty list means Upbit's own checks (https://docs.upbit.com/kr/reference/new-order) should pass. Checks the fields each order
 * type needs and forbids, positive amounts, the price step, 8-decimal volumes, the minimum and
 * maximum total, and, when balances are given, that the order (fee included) is affordable.
 */
export function checkOrder(order: OrderDraft, context: CheckContext = {}): OrderProblem[] {
  const parts = marketParts(order.market);
  if (parts === null) {
    return [{ code: 'market', field: 'market', message: `Market ${JSON.stringify(order.market)} is not a code like KRW-BTC; use QUOTE-BASE in capitals.` }];
  }
  const rules = context.rules ?? tradingRules(order.market);
  const { quote, base } = parts;
  const problems: OrderProblem[] = [];
  const add = (code: OrderProblemCode, field: OrderProblem['field'], message: string): void => {
    problems.push({ code, field, message });
  };

  const shape = ORDER_FIELDS[order.ordType][order.side];
  if (shape === null) {
    add('not_allowed', 'side', order.ordType === 'price' ? 'A market buy by total is a buy; to sell at market, use ord_type market with a volume.' : 'A market sell by volume is a sell; to buy at market, use ord_type price with a KRW total.');
    return problems;
  }
  const describeType = TYPE_NAMES[order.ordType][order.side];
  const fields = { price: order.price, volume: order.volume, total: order.total } as const;
  const values: Partial<Record<'price' | 'volume' | 'total', Decimal>> = {};
  for (const field of ['price', 'volume', 'total'] as const) {
    const raw = fields[field];
    const given = raw !== undefined && raw !== null && raw !== '';
    if (shape.includes(field)) {
      if (!given) {
        add('missing', field, `${capital(describeType)} needs a ${FIELD_WORDS[field](quote, base)}; enter it.`);
        continue;
      }
      const d = readAmount(raw);
      if (d === null) add('not_a_number', field, notANumber(field, raw));
      else if (!d.isPositive() || d.isZero()) add('not_positive', field, `${capital(field)} must be above zero; enter a positive ${field}.`);
      else values[field] = d;
    } else if (given) {
      add('not_allowed', field, `${capital(describeType)} takes no ${field}; remove it.`);
    }
  }
  checkTimeInForce(order, add);

  const { price, volume, total } = values;
  if (price !== undefined) {
    const rounded = order.side === 'bid' ? roundBuyPrice(order.market, price, context.instruments) : roundSellPrice(order.market, price, context.instruments);
    if (!isOnTick(order.market, price, context.instruments)) {
      const step = tickSize(order.market, price, context.instruments);
      const fix = rounded.isZero() ? `enter at least ${formatAmount(step)} ${quote}` : `use ${formatAmount(rounded)} ${quote} (rounded ${order.side === 'bid' ? 'down for a buy' : 'up for a sell'})`;
      add('off_tick', 'price', `Price ${formatAmount(price)} ${quote} is not a multiple of ${order.market}'s ${formatAmount(step)} ${quote} price step; ${fix}.`);
    }
  }
  if (volume !== undefined && volume.decimalPlaces() > VOLUME_DECIMALS) {
    const fixed = roundVolume(volume);
    add('too_many_decimals', 'volume', `Volume ${plain(volume)} ${base} has more than ${VOLUME_DECIMALS} decimal places; use ${fixed.isZero() ? `at least ${plain(VOLUME_STEP)}` : plain(fixed)} ${base}.`);
  }
  if (total !== undefined && total.decimalPlaces() > rules.quoteDecimals) {
    const fixed = total.toDecimalPlaces(rules.quoteDecimals, Decimal.ROUND_DOWN);
    const rule = rules.quoteDecimals === 0 ? `is not a whole number of ${quote}` : `has more than ${rules.quoteDecimals} decimal places`;
    add('too_many_decimals', 'total', `Total ${formatAmount(total)} ${quote} ${rule}; use ${formatAmount(fixed)} ${quote}.`);
  }

  checkTotals(order, rules, { price, volume, total }, context, add);
  checkFunds(order, rules, { price, volume, total }, context, add);
  return problems;
}

type Add = (code: OrderProblemCode, field: OrderProblem['field'], message: string) => void;
type Amounts = { price: Decimal | undefined; volume: Decimal | undefined; total: Decimal | undefined };

/**
 * Which amounts each order type takes, per side; null: not a valid side for the type. `total`
 * goes on the wire as `price`. Upbit's table (src/upbit/trading-rules.ts).
 */
export const ORDER_FIELDS: Readonly<Record<OrdType, Readonly<Record<Side, readonly OrderAmount[] | null>>>> = ORDER_AMOUNTS;

const TYPE_NAMES: Record<OrdType, Record<Side, string>> = {
  limit: { bid: 'a limit buy', ask: 'a limit sell' },
  price: { bid: 'a market buy', ask: 'a market buy' },
  market: { bid: 'a market sell', ask: 'a market sell' },
  best: { bid: 'a best-price buy', ask: 'a best-price sell' },
};

const FIELD_WORDS: Record<'price' | 'volume' | 'total', (quote: string, base: string) => string> = {
  price: (quote, base) => `price (${quote} per ${base})`,
  volume: (_quote, base) => `volume (how much ${base})`,
  total: (quote) => `total (how much ${quote} to spend)`,
};

const EXAMPLES: Record<'price' | 'volume' | 'total', string> = {
  price: '95000000',
  volume: '0.001',
  total: '10000',
};

function checkTimeInForce(order: OrderDraft, add: Add): void {
  const tif = order.timeInForce ?? null;
  const { required, allowed } = TIME_IN_FORCE_RULES[order.ordType];
  if (tif === null ? !required : allowed.includes(tif)) return;
  if (required) {
    add('time_in_force', 'timeInForce', `A best-price order needs time in force ${allowed.join(' or ')}; choose one.`);
  } else if (allowed.length === 0) {
    add('time_in_force', 'timeInForce', `A market order takes no time in force; remove ${tif}.`);
  } else {
    add('time_in_force', 'timeInForce', `${tif} is not allowed for ${TYPE_NAMES[order.ordType][order.side]}; choose ${allowed.join(' or ')}.`);
  }
}

function checkTotals(order: OrderDraft, rules: TradingRules, { price, volume, total }: Amounts, context: CheckContext, add: Add): void {
  const { quote, base } = rules;
  const min = order.side === 'bid' ? rules.bidMinTotal : rules.askMinTotal;
  const max = rules.maxTotal;
  const minText = min === null ? '' : `Upbit's ${formatAmount(min)} ${quote} minimum`;
  const maxText = max === null ? '' : `Upbit's ${formatAmount(max)} ${quote} maximum per order`;

  if (total !== undefined) {
    if (min !== null && total.lt(min)) add('below_min_total', 'total', `Total ${formatAmount(total)} ${quote} is below ${minText}; raise the total to at least ${formatAmount(min)} ${quote}.`);
    if (max !== null && total.gt(max)) add('above_max_total', 'total', `Total ${formatAmount(total)} ${quote} is above ${maxText}; lower it to at most ${formatAmount(max)} ${quote} or split the order.`);
    return;
  }
  if (volume === undefined) return;
  const reference = price ?? readAmount(context.referencePrice);
  if (reference === null || !reference.isPositive() || reference.isZero()) return;
  const value = reference.mul(volume);
  const lead = price !== undefined ? `Order total ${formatAmount(value)} ${quote}` : `At the last price of ${formatAmount(reference)} ${quote}, ${formatAmount(volume)} ${base} is worth about ${formatAmount(value, 0)} ${quote}, which`;
  if (min !== null && value.lt(min)) {
    const least = min.div(reference).toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_UP);
    add('below_min_total', 'volume', `${lead} is below ${minText}; raise the volume to at least ${plain(least)} ${base}.`);
  }
  if (max !== null && value.gt(max)) {
    const most = max.div(reference).toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_DOWN);
    add('above_max_total', 'volume', `${lead} is above ${maxText}; lower the volume to at most ${plain(most)} ${base} or split the order.`);
  }
}

function checkFunds(order: OrderDraft, rules: TradingRules, { price, volume, total }: Amounts, context: CheckContext, add: Add): void {
  const { quote, base } = rules;
  if (order.side === 'bid') {
    const available = readAmount(context.available?.quote);
    if (available === null) return;
    const feeText = `the ${plain(rules.bidFee.mul(HUNDRED))}% fee`;
    const short = `only ${formatAmount(available)} ${quote} is available`;
    if (price !== undefined && volume !== undefined) {
      const cost = bidCost(price, volume, rules.bidFee);
      if (cost.lte(available)) return;
      const most = maxBuyVolume(available, price, rules.bidFee);
      const fix = most.isZero() ? `free or deposit ${quote} first` : `lower the volume to at most ${plain(most)} ${base}`;
      add('insufficient_funds', 'volume', `The order needs ${formatAmount(cost)} ${quote} including ${feeText}, but ${short}; ${fix}.`);
    } else if (total !== undefined) {
      const cost = total.mul(ONE.plus(rules.bidFee));
      if (cost.lte(available)) return;
      const most = buyTotalForPercent(available, HUNDRED, rules.bidFee, rules.quoteDecimals);
      const fix = most.isZero() ? `free or deposit ${quote} first` : `lower the total to at most ${formatAmount(most)} ${quote}`;
      add('insufficient_funds', 'total', `Spending ${formatAmount(total)} ${quote} needs ${formatAmount(cost)} ${quote} including ${feeText}, but ${short}; ${fix}.`);
    }
    return;
  }
  const available = readAmount(context.available?.base);
  if (available === null || volume === undefined || volume.lte(available)) return;
  const most = roundVolume(available);
  const fix = most.isZero() ? `there is no ${base} to sell` : `lower the volume to at most ${plain(most)} ${base}`;
  add('insufficient_funds', 'volume', `Selling ${plain(volume)} ${base} is more than the ${plain(available)} ${base} available; ${fix}.`);
}

/** A positive amount from a typed string or a decimal, or null when it is not a finite number. */
function readAmount(value: MoneyInput | null | undefined): Decimal | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    // The one parser of typed amounts (strict, unlike decimal.js); a sign is read here so a
    // negative amount is reported as "must be above zero", not as "not a number".
    const t = value.trim();
    const negative = t.startsWith('-');
    const d = parseAmount(negative ? t.slice(1) : t);
    return d === null ? null : negative ? d.neg() : d;
  }
  try {
    return toMoney(value);
  } catch {
    return null;
  }
}

/** Why a typed amount was refused: the parser's own words for separators (`0,001`), else a plain hint. */
function notANumber(field: 'price' | 'volume' | 'total', raw: MoneyInput): string {
  const read = typeof raw === 'string' ? readTypedAmount(raw.trim().replace(/^-/, '')) : null;
  if (read !== null && !read.ok && read.kind !== 'not-a-number') return `${capital(field)} ${read.message}`;
  return `${capital(field)} ${JSON.stringify(String(raw))} is not a number; type digits such as ${EXAMPLES[field]}.`;
}

function budgetFor(available: MoneyInput, percent: MoneyInput): Decimal {
  const a = nonNegative(available, 'Available balance');
  const pct = toMoney(percent, 'Percent');
  if (pct.isNegative() || pct.gt(HUNDRED)) throw new RangeError(`Percent ${pct.toFixed()} is outside 0–100.`);
  return a.mul(pct).div(HUNDRED);
}

function nonNegative(value: MoneyInput, what: string): Decimal {
  const d = toMoney(value, what);
  if (d.isNegative() && !d.isZero()) throw new RangeError(`${what} ${d.toFixed()} is negative.`);
  return d.isZero() ? ZERO : d;
}

function positive(value: MoneyInput, what: string): Decimal {
  const d = toMoney(value, what);
  if (!d.isPositive() || d.isZero()) throw new RangeError(`${what} ${d.toFixed()} must be above zero.`);
  return d;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
