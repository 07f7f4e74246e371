/**
 * What the order ticket shows, derived on every keystroke from its state (ticket-state.ts) and
 * the trading session's cached state: the price on the tick grid in the user's favour, the fee
 * and total, the session's pre-trade check (docs/trading-session.md#the-pre-trade-check), and
 * for market and best-price orders the fill walked against the current book
 * (src/exchange/estimate.ts, the matching engine's own walk). Pure: no I/O, no clock.
 */
import { bookSides, crossesBook, estimateFill, type BookSides, type FillEstimate } from '../exchange/estimate.js';
import { HUNDRED } from '../trading/decimal.js';
import { formatAmount, parseAmount, plain, roundPrice, type Decimal, type InstrumentTicks, type OrderDraft, type OrderProblem } from '../trading/money.js';
import type { OrderIntent } from '../trading/order-request.js';
import type { PreTradeCheck } from '../trading/session/pre-trade.js';
import type { VenueKind } from '../trading/venue.js';
import { splitMarketCode } from '../upbit/market-code.js';
import type { OrdType, Side, TimeInForce } from '../upbit/order-types.js';
import type { Orderbook } from '../upbit/types.js';
import { formatDuration } from './format.js';
import { amountFields, fieldsOf, focusedField, type AmountField, type TicketBalances, type TicketField, type TicketKeyEnv, type TicketState } from './ticket-state.js';

/** What the ticket is derived against: the session's check and the state it holds, read per keystroke. */
export interface TicketContext {
  /** The trading session's `check` (synchronous, no network). */
  check: (draft: OrderDraft) => PreTradeCheck;
  /** The market's current book, when one is watched. */
  book: Orderbook | undefined;
  /** How old the book is (now − its timestamp); undefined when unknown. */
  bookAgeMs: number | undefined;
  /** A book older than this is called stale. */
  staleAfterMs: number;
  /** The side's fee rate (the market rules' `bidFee` or `askFee`). */
  fee: Decimal;
  /** Available balances; undefined while they are not read. */
  available: TicketBalances | undefined;
  mode: VenueKind;
  /** Ticks from `/v1/orderbook/instruments`; @default the tables (src/trading/rules.ts) */
  instruments?: InstrumentTicks | undefined;
}

export interface TicketFieldView {
  field: TicketField;
  label: string;
  /** What is in it: the typed text, or the choice. */
  text: string;
  /** A unit to show after the text, e.g. `KRW`; empty for choices. */
  unit: string;
  focused: boolean;
}

/** Money the order moves: a buy's cost (fee on top) or a sell's proceeds (fee taken out). */
export interface TicketAmounts {
  kind: 'cost' | 'proceeds';
  /** Price × volume, or the total to spend. */
  gross: Decimal;
  fee: Decimal;
  /** gross + fee for a buy, gross − fee for a sell. */
  net: Decimal;
  /** True when it comes from the book walk (a market or best-price sell), not from typed amounts. */
  estimated: boolean;
}

export interface TicketView extends TicketKeyEnv {
  market: string;
  quote: string;
  base: string;
  side: Side;
  ordType: OrdType;
  timeInForce: TimeInForce | null;
  /** `limit buy`, `market sell`, `best-price buy`. */
  title: string;
  fields: readonly TicketFieldView[];
  /** The price as typed and as it will be sent; null when no price is typed or the type takes none. */
  price: { typed: Decimal; snapped: Decimal; rounded: 'down' | 'up' | null } | null;
  /** Said when the price was moved onto the grid. */
  priceNote: string | null;
  amounts: TicketAmounts | null;
  /** Each with the sentence of what to change (the session check's). */
  problems: readonly OrderProblem[];
  /** What the check could not vouch for. */
  caveats: readonly string[];
  /** Market and best-price orders: the fill walked against the current book. */
  estimate: FillEstimate | null;
  /** The book is stale or missing, too thin, a post-only would cross. */
  warnings: readonly string[];
  mode: VenueKind;
}

const TITLES: Readonly<Record<OrdType, string>> = { limit: 'limit', price: 'market', market: 'market', best: 'best-price' };
const TIF_WORDS: Readonly<Record<TimeInForce, string>> = { ioc: 'IOC', fok: 'FOK', post_only: 'post-only' };

/** Derive the ticket's view. Never throws for anything typed. */
export function deriveTicket(state: TicketState, ctx: TicketContext): TicketView {
  const { quote, base } = splitMarketCode(state.market) ?? { quote: '', base: state.market };
  const takes = amountFields(state);
  const parsed = (field: AmountField): Decimal | null => (takes.includes(field) ? positive(parseAmount(state.text[field])) : null);

  const typedPrice = parsed('price');
  const snapped = typedPrice === null ? null : roundPrice(state.market, state.side, typedPrice, ctx.instruments);
  const price = typedPrice === null || snapped === null || snapped.isZero() ? null : { typed: typedPrice, snapped, rounded: snapped.eq(typedPrice) ? null : state.side === 'bid' ? ('down' as const) : ('up' as const) };
  const volume = parsed('volume');
  const total = parsed('total');

  const draft: OrderDraft = { market: state.market, side: state.side, ordType: state.ordType, timeInForce: state.timeInForce };
  // Typed text goes to the check as it is, so its sentences quote it (and the parser's words on a decimal comma).
  if (takes.includes('price')) draft.price = price?.snapped ?? state.text.price;
  if (takes.includes('volume')) draft.volume = state.text.volume;
  if (takes.includes('total')) draft.total = state.text.total;
  const checked = ctx.check(draft);
  const intent = checked.ok ? intentOf(state, { price: price?.snapped ?? null, volume, total }) : null;

  const book = ctx.book !== undefined && ctx.book.market === state.market ? bookSides(ctx.book.units) : undefined;
  const warnings: string[] = [];
  const estimate = state.ordType === 'limit' ? null : estimateOf(state, book, { volume, total }, ctx.fee);
  if (state.ordType !== 'limit') warnings.push(...bookWarnings(state, ctx, book !== undefined));
  if (estimate !== null && estimate.unfilled.isPositive() && !estimate.unfilled.isZero()) warnings.push(thinBook(state, estimate, { quote, base }));
  if (state.ordType === 'limit' && book !== undefined && price !== null && crossesBook(book, state.side, price.snapped)) {
    warnings.push(
      state.timeInForce === 'post_only'
        ? `A post-only ${state.side === 'bid' ? 'buy' : 'sell'} at ${formatAmount(price.snapped)} ${quote} would trade against the book now, so Upbit would cancel it; ${state.side === 'bid' ? 'lower' : 'raise'} the price.`
        : `At ${formatAmount(price.snapped)} ${quote} the order crosses the book: it trades at once, as a taker.`,
    );
  }

  return {
    market: state.market,
    quote,
    base,
    side: state.side,
    ordType: state.ordType,
    timeInForce: state.timeInForce,
    title: `${TITLES[state.ordType]} ${state.side === 'bid' ? 'buy' : 'sell'}`,
    fields: fieldViews(state, { quote, base }),
    price,
    priceNote: price === null || price.rounded === null ? null : `${formatAmount(price.typed)} is off the price grid: ${formatAmount(price.snapped)} ${quote} is sent (rounded ${price.rounded}, in your favour).`,
    amounts: amountsOf(state, { price: price?.snapped ?? null, volume, total }, estimate, ctx.fee),
    problems: checked.problems,
    caveats: checked.caveats,
    estimate,
    warnings,
    intent,
    available: ctx.available,
    feeRate: ctx.fee,
    instruments: ctx.instruments,
    mode: ctx.mode,
  };
}

type Parsed = { price: Decimal | null; volume: Decimal | null; total: Decimal | null };

/** The intent, built only from parsed, positive decimals. */
function intentOf(state: TicketState, { price, volume, total }: Parsed): OrderIntent | null {
  const { market, side } = state;
  const tif = state.timeInForce;
  switch (state.ordType) {
    case 'limit':
      if (price === null || volume === null) return null;
      return tif === null ? { market, side, ordType: 'limit', price, volume } : { market, side, ordType: 'limit', price, volume, timeInForce: tif };
    case 'price':
      return side === 'bid' && total !== null ? { market, side, ordType: 'price', total } : null;
    case 'market':
      return side === 'ask' && volume !== null ? { market, side, ordType: 'market', volume } : null;
    case 'best':
      if (tif !== 'ioc' && tif !== 'fok') return null;
      if (side === 'bid') return total === null ? null : { market, side, ordType: 'best', total, timeInForce: tif };
      return volume === null ? null : { market, side, ordType: 'best', volume, timeInForce: tif };
  }
}

function estimateOf(state: TicketState, book: BookSides | undefined, { volume, total }: Omit<Parsed, 'price'>, fee: Decimal): FillEstimate | null {
  if (book === undefined) return null;
  const amount = state.side === 'bid' ? (total === null ? null : { total }) : volume === null ? null : { volume };
  if (amount === null) return null;
  // A best-price order is a limit at the opposite best price (https://docs.upbit.com/kr/reference/new-order).
  const limit = state.ordType === 'best' ? ((state.side === 'bid' ? book.asks[0] : book.bids[0])?.price ?? null) : null;
  return estimateFill(book, state.side, amount, fee, { limit });
}

function bookWarnings(state: TicketState, ctx: TicketContext, haveBook: boolean): string[] {
  if (!haveBook) return [`No order book of ${state.market} yet: the fill price cannot be estimated.`];
  if (ctx.bookAgeMs !== undefined && ctx.bookAgeMs > ctx.staleAfterMs) {
    return [`The order book is ${formatDuration(ctx.bookAgeMs)} old (the feed may have stalled): the estimate may be far off.`];
  }
  return [];
}

function thinBook(state: TicketState, e: FillEstimate, { quote, base }: { quote: string; base: string }): string {
  const buy = state.side === 'bid';
  const left = buy ? money(e.unfilled, quote) : `${plain(e.unfilled)} ${base}`;
  // A best-price order trades at the opposite best price only; a market order down the top 30 levels.
  const reach = state.ordType === 'best' ? `at the best ${buy ? 'ask' : 'bid'}` : `in the book's top 30 ${buy ? 'asks' : 'bids'}`;
  const then = state.timeInForce === 'fok' ? ': a fill-or-kill would be cancelled whole' : buy ? ' and would stay unspent' : ' and would not be sold';
  return `The book is too thin: ${left} of the order finds nothing ${reach}${then}.`;
}

function amountsOf(state: TicketState, { price, volume, total }: Parsed, estimate: FillEstimate | null, fee: Decimal): TicketAmounts | null {
  let gross: Decimal | null = null;
  if (price !== null && volume !== null) gross = price.mul(volume);
  else if (total !== null) gross = total;
  else if (estimate !== null && state.side === 'ask') gross = estimate.funds;
  if (gross === null) return null;
  const f = gross.mul(fee);
  const estimated = state.ordType !== 'limit' && state.side === 'ask';
  return state.side === 'bid' ? { kind: 'cost', gross, fee: f, net: gross.plus(f), estimated } : { kind: 'proceeds', gross, fee: f, net: gross.minus(f), estimated };
}

function fieldViews(state: TicketState, { quote, base }: { quote: string; base: string }): TicketFieldView[] {
  const focus = focusedField(state);
  const view = (field: TicketField): TicketFieldView => {
    const v = (label: string, text: string, unit = ''): TicketFieldView => ({ field, label, text, unit, focused: focus === field });
    switch (field) {
      case 'type':
        return v('Type', TITLES[state.ordType]);
      case 'tif':
        return v('Time in force', state.timeInForce === null ? 'none' : TIF_WORDS[state.timeInForce]);
      case 'price':
        return v('Price', state.text.price, quote);
      case 'volume':
        return v('Volume', state.text.volume, base);
      case 'total':
        return v('Total', state.text.total, quote);
      case 'quick':
        return v('Quick size', state.quickSizes.map((p, i) => `${i + 1}:${p}%`).join(' '));
    }
  };
  return fieldsOf(state).map(view);
}

function positive(d: Decimal | null): Decimal | null {
  return d !== null && d.isPositive() && !d.isZero() ? d : null;
}

/** Money for a sentence: up to 2 decimals in KRW (fees have fractions of a won), 8 elsewhere. */
export function money(value: Decimal, quote: string): string {
  return `${formatAmount(value, quote === 'KRW' ? 2 : 8)} ${quote}`;
}

/** An average price for a sentence: 10 significant digits. */
function averageText(value: Decimal, quote: string): string {
  return `${formatAmount(value.toSignificantDigits(10))} ${quote}`;
}

/** `0.013 % (12,350 KRW)`: how much worse than the best level the average is. */
export function slippageText(e: FillEstimate, quote: string): string {
  return `${formatAmount(e.slippageRate.mul(HUNDRED), 3)} % (${money(e.slippageFunds, quote)})`;
}

/** The estimate in one line: `about 0.00105 BTC at an average 95,012,000 KRW, slippage 0.013 % (12 KRW)`. */
export function estimateText(view: Pick<TicketView, 'estimate' | 'quote' | 'base'>): string | null {
  const e = view.estimate;
  if (e === null) return null;
  if (e.averagePrice === null) return `Nothing would fill against the book now.`;
  return `Estimate: ${plain(e.volume)} ${view.base} at an average ${averageText(e.averagePrice, view.quote)} (best ${e.bestPrice === null ? '?' : averageText(e.bestPrice, view.quote)}), slippage ${slippageText(e, view.quote)}.`;
}

/**
 * The whole order in words for the confirmation, first line the mode (LIVE flagged):
 * `Buy 0.01 BTC at 95,000,000 KRW (limit, post-only) — total 950,475 KRW incl. 475 KRW fee`.
 * Describes the intent frozen at Enter when there is one, else the view's.
 */
export function confirmationText(view: TicketView, state: TicketState): string[] {
  const intent = state.pending ?? view.intent;
  if (intent === null) return ['Nothing to send: the order has problems.'];
  const { quote, base } = view;
  const fee = view.feeRate;
  const words = [modeLine(view.mode)];
  const kind = intent.ordType === 'limit' ? 'limit' : intent.ordType === 'best' ? 'best price' : 'market';
  const tif = 'timeInForce' in intent && intent.timeInForce !== undefined ? `, ${TIF_WORDS[intent.timeInForce]}` : '';
  const how = `(${kind}${tif})`;
  if (intent.ordType === 'limit') {
    const gross = intent.price.mul(intent.volume);
    const f = gross.mul(fee);
    const verb = intent.side === 'bid' ? 'Buy' : 'Sell';
    const sum = intent.side === 'bid' ? `total ${money(gross.plus(f), quote)} incl. ${money(f, quote)} fee` : `you receive ${money(gross.minus(f), quote)} after ${money(f, quote)} fee`;
    words.push(`${verb} ${plain(intent.volume)} ${base} at ${formatAmount(intent.price)} ${quote} ${how} — ${sum}`);
  } else if ('total' in intent) {
    const f = intent.total.mul(fee);
    const at = intent.ordType === 'best' ? 'at the best ask' : 'at market';
    words.push(`Buy ${base} ${at} for ${money(intent.total, quote)} ${how} — up to ${money(intent.total.plus(f), quote)} incl. ${money(f, quote)} fee`);
  } else {
    const at = intent.ordType === 'best' ? 'at the best bid' : 'at market';
    const e = view.estimate;
    const proceeds = e === null || e.averagePrice === null ? '' : ` — about ${money(e.funds.minus(e.fee), quote)} after ${money(e.fee, quote)} fee`;
    words.push(`Sell ${plain(intent.volume)} ${base} ${at} ${how}${proceeds}`);
  }
  const estimate = estimateText(view);
  if (estimate !== null) words.push(estimate);
  words.push(...view.warnings);
  return words;
}

function modeLine(mode: VenueKind): string {
  switch (mode) {
    case 'live':
      return 'LIVE order: real money on Upbit.';
    case 'paper':
      return 'Paper order: filled against the live book, no real money.';
    case 'sim':
      return 'Simulated order: on the built-in exchange.';
  }
}
