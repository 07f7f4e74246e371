/**
 * The order ticket's UI state: a pure reducer over what the user typed and chose, and the map
 * from an Ink key press to one of its events. No balances, book or rules are kept here (those
 * live in the trading session and are read per keystroke by ticket-derive.ts); an event that
 * needs them (a quick size, a price step, Enter) carries them, filled in by
 * {@link ticketEvent} from the ticket's current view.
 *
 * Order types and their fields are Upbit's (https://docs.upbit.com/kr/reference/new-order):
 * a buy is a limit, a market buy by total (`price`) or a best-price buy by total; a sell a
 * limit, a market sell by volume (`market`) or a best-price sell by volume. Times in force per
 * type come from the one table (src/upbit/trading-rules.ts): limit none/ioc/fok/post_only,
 * best ioc/fok (one of them required), market types none.
 */
import type { Key } from 'ink';

import { ORDER_FIELDS, buyTotalForPercent, buyVolumeForPercent, parseAmount, plain, roundPrice, sellVolumeForPercent, tickSize, toMoney, tradingRules, type Decimal, type InstrumentTicks } from '../trading/money.js';
import type { OrderIntent } from '../trading/order-request.js';
import type { VenueKind } from '../trading/venue.js';
import { ORD_TYPES, type OrdType, type Side, type TimeInForce } from '../upbit/order-types.js';
import type { OrderAmount } from '../upbit/trading-rules.js';
import { TIME_IN_FORCE_RULES } from '../upbit/trading-rules.js';

/** An amount the user types. */
export type AmountField = OrderAmount;
/** What Tab moves between: the order type, its time in force, the amounts, the quick sizes. */
export type TicketField = 'type' | 'tif' | AmountField | 'quick';
export type TicketPhase = 'editing' | 'confirming' | 'sending' | 'done' | 'refused';

/** Available (not locked) balances of the market's quote and base currencies. */
export interface TicketBalances {
  quote: Decimal;
  base: Decimal;
}

export interface TicketState {
  readonly market: string;
  readonly side: Side;
  readonly ordType: OrdType;
  readonly timeInForce: TimeInForce | null;
  /** The amounts exactly as typed (read with readTypedAmount by ticket-derive.ts). */
  readonly text: Readonly<Record<AmountField, string>>;
  readonly focus: TicketField;
  /** Whether the user changed the price (a prefill from the book no longer applies). */
  readonly priceTouched: boolean;
  readonly mode: VenueKind;
  /** Percent of available per quick-size key. */
  readonly quickSizes: readonly number[];
  readonly phase: TicketPhase;
  /** The intent frozen when Enter was pressed: what the confirmation shows and what is sent. */
  readonly pending: OrderIntent | null;
  /** One line for the user: why Enter did nothing, the LIVE hint, the result or the refusal. */
  readonly message: string | null;
}

/** @default [25, 50, 75, 100] */
export const DEFAULT_QUICK_SIZES: readonly number[] = [25, 50, 75, 100];
/** Longest text a field takes (a paste of anything longer is cut). */
const MAX_FIELD_CHARS = 32;

export interface OpenTicketOptions {
  market: string;
  side: Side;
  mode: VenueKind;
  /** @default 'limit' */
  ordType?: OrdType;
  /** @default DEFAULT_QUICK_SIZES */
  quickSizes?: readonly number[];
}

/** A fresh ticket (b or s on a market), focus on its first amount. */
export function openTicket(options: OpenTicketOptions): TicketState {
  const ordType = options.ordType !== undefined && typesFor(options.side).includes(options.ordType) ? options.ordType : 'limit';
  const base: TicketState = {
    market: options.market,
    side: options.side,
    ordType,
    timeInForce: normalTif(ordType, null),
    text: { price: '', volume: '', total: '' },
    focus: 'type',
    priceTouched: false,
    mode: options.mode,
    quickSizes: options.quickSizes ?? DEFAULT_QUICK_SIZES,
    phase: 'editing',
    pending: null,
    message: null,
  };
  return { ...base, focus: amountFields(base)[0] ?? 'type' };
}

export type TicketEvent =
  | { type: 'type-char'; text: string }
  | { type: 'backspace' }
  | { type: 'clear-field' }
  | { type: 'next-field' }
  | { type: 'prev-field' }
  | { type: 'cycle-type'; direction: 1 | -1 }
  | { type: 'cycle-tif'; direction: 1 | -1 }
  | { type: 'step-price'; direction: 1 | -1; instruments?: InstrumentTicks | undefined }
  | { type: 'quick-size'; index: number; available: TicketBalances | undefined; feeRate: Decimal; instruments?: InstrumentTicks | undefined }
  /** The best bid and ask when the ticket opens: a buy is priced at the ask, a sell at the bid, until the user touches the price. */
  | { type: 'prefill'; bid: Decimal.Value | null; ask: Decimal.Value | null }
  /** Enter: review `intent` (null when the order has problems). */
  | { type: 'confirm'; intent: OrderIntent | null }
  /** y in the confirmation: sends, except in LIVE, which needs the second key. */
  | { type: 'confirm-send' }
  /** Shift+Y in a LIVE confirmation. */
  | { type: 'confirm-live-second-key' }
  | { type: 'cancel-confirm' }
  /** The order service's answer, in words (refusal-text.ts). */
  | { type: 'result'; ok: boolean; text: string }
  /** Esc while editing: the App closes the ticket; the state does not change. */
  | { type: 'close' };

/** The reducer's answer: the next state, and the intent to place when this event sent it (exactly once). */
export interface TicketStep {
  state: TicketState;
  place: OrderIntent | null;
}

/**
 * The reducer, with the one effect made explicit: `place` is the intent exactly when this event
 * moved the ticket from confirming to sending. Any event while sending but the result changes
 * nothing, so a second key can never send the order twice.
 */
export function stepTicket(state: TicketState, event: TicketEvent): TicketStep {
  const none = (next: TicketState): TicketStep => ({ state: next, place: null });
  switch (state.phase) {
    case 'sending':
      return none(event.type === 'result' ? { ...state, phase: event.ok ? 'done' : 'refused', message: event.text } : state);
    case 'confirming':
      return confirming(state, event);
    case 'done':
    case 'refused':
      if (event.type === 'result' || event.type === 'close' || event.type === 'prefill') return none(state);
      return none(edit({ ...state, phase: 'editing', message: null, pending: null }, event));
    case 'editing':
      return none(edit(state, event));
  }
}

/** {@link stepTicket} without the effect, for `useReducer`. */
export function reduceTicket(state: TicketState, event: TicketEvent): TicketState {
  return stepTicket(state, event).state;
}

function confirming(state: TicketState, event: TicketEvent): TicketStep {
  const send = (): TicketStep => ({ state: { ...state, phase: 'sending', message: null }, place: state.pending });
  switch (event.type) {
    case 'confirm-send':
      if (state.mode === 'live') return { state: { ...state, message: 'This is a LIVE order with real money: type Y (shift+y) to send it, n to go back.' }, place: null };
      return send();
    case 'confirm-live-second-key':
      return state.mode === 'live' ? send() : { state, place: null };
    case 'cancel-confirm':
      return { state: { ...state, phase: 'editing', pending: null, message: null }, place: null };
    default:
      return { state, place: null };
  }
}

function edit(state: TicketState, event: TicketEvent): TicketState {
  switch (event.type) {
    case 'type-char': {
      const field = focusedAmount(state);
      if (field === null) return state;
      // Whatever is typed goes in, letters too (q typed into a price is a q): the check says what is wrong with it.
      // eslint-disable-next-line no-control-regex -- control characters are keys, not text
      const text = (state.text[field] + event.text.replace(/[\u0000-\u001f\u007f]/g, '')).slice(0, MAX_FIELD_CHARS);
      return setText(state, field, text);
    }
    case 'backspace': {
      const field = focusedAmount(state);
      return field === null ? state : setText(state, field, [...state.text[field]].slice(0, -1).join(''));
    }
    case 'clear-field': {
      const field = focusedAmount(state);
      return field === null ? state : setText(state, field, '');
    }
    case 'next-field':
    case 'prev-field': {
      const order = fieldsOf(state);
      const at = Math.max(0, order.indexOf(focusedField(state)));
      const step = event.type === 'next-field' ? 1 : -1;
      return { ...state, focus: order[(at + step + order.length) % order.length] ?? state.focus };
    }
    case 'cycle-type': {
      const types = typesFor(state.side);
      const ordType = types[(types.indexOf(state.ordType) + event.direction + types.length) % types.length] ?? state.ordType;
      return { ...state, ordType, timeInForce: normalTif(ordType, state.timeInForce), message: null };
    }
    case 'cycle-tif': {
      const choices = tifChoices(state.ordType);
      const timeInForce = choices[(choices.indexOf(state.timeInForce) + event.direction + choices.length) % choices.length] ?? state.timeInForce;
      return { ...state, timeInForce };
    }
    case 'step-price':
      return stepPrice(state, event.direction, event.instruments);
    case 'quick-size':
      return quickSize(state, event);
    case 'prefill': {
      if (state.priceTouched) return state;
      const best = readPrice(state.side === 'bid' ? event.ask : event.bid);
      return best === null ? state : { ...state, text: { ...state.text, price: plain(best) } };
    }
    case 'confirm':
      if (event.intent === null) return { ...state, message: 'Not sent: the order has problems; fix the ones listed above first.' };
      return { ...state, phase: 'confirming', pending: event.intent, message: null };
    default:
      return state;
  }
}

function setText(state: TicketState, field: AmountField, text: string): TicketState {
  return { ...state, text: { ...state.text, [field]: text }, priceTouched: state.priceTouched || field === 'price', message: null };
}

/**
 * One tick up or down from the price as typed. An off-tick price first snaps to the grid in the
 * step's direction; from a band's floor, down takes the lower band's finer step
 * (1,000,000 → 999,500 on KRW, https://docs.upbit.com/kr/docs/krw-market-info).
 */
function stepPrice(state: TicketState, direction: 1 | -1, instruments: InstrumentTicks | undefined): TicketState {
  if (!ORDER_FIELDS[state.ordType][state.side]?.includes('price')) return state;
  const typed = parseAmount(state.text.price);
  if (typed === null || typed.isZero()) return state;
  const snapped = roundPrice(state.market, direction === 1 ? 'ask' : 'bid', typed, instruments);
  let next: Decimal;
  if (!snapped.eq(typed) && !snapped.isZero()) {
    next = snapped;
  } else if (direction === 1) {
    next = typed.plus(tickSize(state.market, typed, instruments));
  } else {
    const down = typed.minus(tickSize(state.market, typed, instruments));
    if (!down.isPositive() || down.isZero()) return state;
    next = typed.minus(tickSize(state.market, down, instruments));
  }
  return setText(state, 'price', plain(next));
}

function quickSize(state: TicketState, event: Extract<TicketEvent, { type: 'quick-size' }>): TicketState {
  const percent = state.quickSizes[event.index];
  if (percent === undefined) return state;
  const available = event.available;
  if (available === undefined) return { ...state, message: 'Balances are not read yet: a quick size needs them; type the amount or wait a moment.' };
  const fields = ORDER_FIELDS[state.ordType][state.side] ?? [];
  if (state.side === 'ask') return setText(state, 'volume', plain(sellVolumeForPercent(available.base, percent)));
  if (fields.includes('total')) {
    const { quoteDecimals } = tradingRules(state.market);
    return setText(state, 'total', plain(buyTotalForPercent(available.quote, percent, event.feeRate, quoteDecimals)));
  }
  const typed = parseAmount(state.text.price);
  const price = typed === null || typed.isZero() ? null : roundPrice(state.market, 'bid', typed, event.instruments);
  if (price === null || price.isZero()) return { ...state, message: 'Enter a price first: a limit buy is sized at its price.' };
  return setText(state, 'volume', plain(buyVolumeForPercent(available.quote, percent, price, event.feeRate)));
}

function readPrice(value: Decimal.Value | null): Decimal | null {
  if (value === null) return null;
  try {
    const d = toMoney(value, 'Best price');
    return d.isPositive() && !d.isZero() ? d : null;
  } catch {
    return null;
  }
}

/** The order types of a side, in Upbit's order: a buy limit/price/best, a sell limit/market/best. */
export function typesFor(side: Side): readonly OrdType[] {
  return ORD_TYPES.filter((t) => ORDER_FIELDS[t][side] !== null);
}

/** The times in force a type can cycle through; null is "none" (GTC for a limit). */
function tifChoices(ordType: OrdType): ReadonlyArray<TimeInForce | null> {
  const { required, allowed } = TIME_IN_FORCE_RULES[ordType];
  return required ? allowed : [null, ...allowed];
}

function normalTif(ordType: OrdType, tif: TimeInForce | null): TimeInForce | null {
  const choices = tifChoices(ordType);
  return choices.includes(tif) ? tif : (choices[0] ?? null);
}

/** The amounts this order type takes, in tab order. */
export function amountFields(state: Pick<TicketState, 'ordType' | 'side'>): readonly AmountField[] {
  return ORDER_FIELDS[state.ordType][state.side] ?? [];
}

/** Tab order: type, time in force (where the type takes one), the amounts, the quick sizes. */
export function fieldsOf(state: Pick<TicketState, 'ordType' | 'side'>): readonly TicketField[] {
  const tif: readonly TicketField[] = TIME_IN_FORCE_RULES[state.ordType].allowed.length > 0 ? ['tif'] : [];
  return ['type', ...tif, ...amountFields(state), 'quick'];
}

/** The focused field as it applies now: a field the new type does not take counts as its first amount. */
export function focusedField(state: TicketState): TicketField {
  return fieldsOf(state).includes(state.focus) ? state.focus : (amountFields(state)[0] ?? 'type');
}

function focusedAmount(state: TicketState): AmountField | null {
  const focus = focusedField(state);
  return focus === 'type' || focus === 'tif' || focus === 'quick' ? null : focus;
}

/** What {@link ticketEvent} fills events with: the ticket's current view has all of it. */
export interface TicketKeyEnv {
  /** The order to review on Enter; null while it has problems. */
  intent: OrderIntent | null;
  available: TicketBalances | undefined;
  /** The side's fee rate (quick sizes are net of it). */
  feeRate: Decimal;
  instruments?: InstrumentTicks | undefined;
}

/** The parts of Ink's `Key` the ticket reads. */
export type TicketKey = Pick<Key, 'return' | 'escape' | 'tab' | 'shift' | 'ctrl' | 'meta' | 'backspace' | 'delete' | 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown'>;

/**
 * The ticket event for a key press, or null when the key does nothing here. Text always goes
 * into the focused field: no letter or digit is a shortcut while an amount has focus, so q
 * typed into a price is a q. The shortcuts are keys that cannot be text (Tab, arrows, Enter,
 * Esc, PgUp/PgDn, Ctrl+U), `+`/`-` on the price (never part of a price), digits on the
 * quick-size field (which takes no text), and Alt+digit. Ctrl+C is the App's (quit).
 *
 * Quick sizes have both: the field, because Alt does not reach every terminal (macOS
 * Terminal sends it only with "Use Option as Meta key"), and Alt+1..4 anywhere, because it is
 * faster and Ink reports Alt as `meta` without the digit ever being typed.
 */
export function ticketEvent(input: string, key: TicketKey, state: TicketState, env: TicketKeyEnv): TicketEvent | null {
  if (key.ctrl && input === 'c') return null;
  switch (state.phase) {
    case 'sending':
      return null;
    case 'confirming':
      if (key.escape || input === 'n' || input === 'N') return { type: 'cancel-confirm' };
      if (input === 'y') return { type: 'confirm-send' };
      if (input === 'Y') return state.mode === 'live' ? { type: 'confirm-live-second-key' } : { type: 'confirm-send' };
      return null;
    default:
      return editingEvent(input, key, state, env);
  }
}

function editingEvent(input: string, key: TicketKey, state: TicketState, env: TicketKeyEnv): TicketEvent | null {
  const focus = focusedField(state);
  const quick = (index: number): TicketEvent | null =>
    index < state.quickSizes.length ? { type: 'quick-size', index, available: env.available, feeRate: env.feeRate, instruments: env.instruments } : null;
  const step = (direction: 1 | -1): TicketEvent => ({ type: 'step-price', direction, instruments: env.instruments });
  if (key.escape && input === '') return { type: 'close' };
  if (key.return) return { type: 'confirm', intent: env.intent };
  if (key.tab) return { type: key.shift ? 'prev-field' : 'next-field' };
  if (key.downArrow) return { type: 'next-field' };
  if (key.upArrow) return { type: 'prev-field' };
  if (key.pageUp) return step(1);
  if (key.pageDown) return step(-1);
  if (key.meta && /^[1-9]$/.test(input)) return quick(Number(input) - 1);
  if (key.leftArrow || key.rightArrow || (input === ' ' && (focus === 'type' || focus === 'tif'))) {
    const direction = key.leftArrow ? -1 : 1;
    if (focus === 'type') return { type: 'cycle-type', direction };
    if (focus === 'tif') return { type: 'cycle-tif', direction };
    return null;
  }
  if (key.backspace || key.delete) return { type: 'backspace' };
  if (key.ctrl && input === 'u') return { type: 'clear-field' };
  if (key.ctrl || key.meta || input === '') return null;
  if (focus === 'quick') return /^[1-9]$/.test(input) ? quick(Number(input) - 1) : null;
  if (focus === 'price' && (input === '+' || input === '=')) return step(1);
  if (focus === 'price' && input === '-') return step(-1);
  return focus === 'type' || focus === 'tif' ? null : { type: 'type-char', text: input };
}

const SIZES = DEFAULT_QUICK_SIZES.join('/');

/** The ticket's keys for the help overlay and the footer, in the order they are used. */
export const TICKET_KEYS: ReadonlyArray<{ keys: string; description: string }> = [
  { keys: 'tab/↓', description: 'next field' },
  { keys: 'shift+tab/↑', description: 'previous field' },
  { keys: '←/→/space', description: 'change the order type or time in force (on that field)' },
  { keys: '+/-', description: 'price one tick up/down (on the price field)' },
  { keys: 'pgup/pgdn', description: 'price one tick up/down' },
  { keys: `1-${DEFAULT_QUICK_SIZES.length}`, description: `size ${SIZES} % of available, net of fees (on the quick-size field)` },
  { keys: `alt+1-${DEFAULT_QUICK_SIZES.length}`, description: `size ${SIZES} % of available, net of fees` },
  { keys: 'backspace', description: 'delete the last character' },
  { keys: 'ctrl+u', description: 'clear the field' },
  { keys: 'enter', description: 'review the order' },
  { keys: 'y', description: 'send the reviewed order (sim, paper)' },
  { keys: 'Y (shift+y)', description: 'send the reviewed LIVE order' },
  { keys: 'n/esc', description: 'back to editing from the review' },
  { keys: 'esc', description: 'close the ticket' },
];
