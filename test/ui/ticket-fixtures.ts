/** Shared pieces of the order-ticket tests: a key press, a session-like check, a fixture book. */
import { Money, type Decimal } from '../../src/trading/decimal.js';
import { checkOrder, type CheckContext, type OrderDraft } from '../../src/trading/money.js';
import type { PreTradeCheck } from '../../src/trading/session/pre-trade.js';
import { deriveTicket, type TicketContext, type TicketView } from '../../src/ui/ticket-derive.js';
import { reduceTicket, ticketEvent, type TicketEvent, type TicketKey, type TicketState } from '../../src/ui/ticket-state.js';
import type { Orderbook } from '../../src/upbit/types.js';

export const FEE = new Money('0.0005');

/** An Ink key press with only the named flags set. */
export function key(flags: Partial<TicketKey> = {}): TicketKey {
  return {
    return: false,
    escape: false,
    tab: false,
    shift: false,
    ctrl: false,
    meta: false,
    backspace: false,
    delete: false,
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageUp: false,
    pageDown: false,
    ...flags,
  };
}

/** The session's check, over the client's one checkOrder with a fixed context. */
export function checkWith(context: CheckContext = {}, caveats: string[] = []): (draft: OrderDraft) => PreTradeCheck {
  return (draft) => {
    const problems = checkOrder(draft, context);
    return { ok: problems.length === 0, problems, caveats };
  };
}

/** KRW-BTC around 95,000,000 as the quotation stream sends it. */
export function btcBook(units: Orderbook['units'] = BTC_UNITS, market = 'KRW-BTC'): Orderbook {
  return { market, units, totalAskSize: 0, totalBidSize: 0, level: 0, timestamp: 0, streamType: 'REALTIME' };
}

export const BTC_UNITS: Orderbook['units'] = [
  { askPrice: 95_000_000, askSize: 0.01, bidPrice: 94_990_000, bidSize: 0.01 },
  { askPrice: 95_010_000, askSize: 0.02, bidPrice: 94_980_000, bidSize: 0.03 },
  { askPrice: 95_050_000, askSize: 0.05, bidPrice: 94_970_000, bidSize: 0.05 },
];

export function ctxWith(over: Partial<TicketContext> = {}): TicketContext {
  const available = over.available === undefined && !('available' in over) ? { quote: new Money('1000000'), base: new Money('0.5') } : over.available;
  return {
    check: checkWith(available === undefined ? {} : { available, referencePrice: '94990000' }),
    book: btcBook(),
    bookAgeMs: 100,
    staleAfterMs: 5_000,
    fee: FEE,
    mode: 'sim',
    ...over,
    available,
  };
}

/** Feed key presses through ticketEvent and the reducer, deriving the view before each, as the App does. */
export function press(state: TicketState, ctx: TicketContext, ...keys: Array<string | [string, Partial<TicketKey>]>): TicketState {
  let s = state;
  for (const k of keys) {
    const [input, flags] = typeof k === 'string' ? [k, {}] : k;
    const event = ticketEvent(input, key(flags), s, deriveTicket(s, ctx));
    if (event !== null) s = reduceTicket(s, event);
  }
  return s;
}

export function typed(state: TicketState, text: string): TicketState {
  return reduceTicket(state, { type: 'type-char', text } satisfies TicketEvent);
}

export function view(state: TicketState, ctx: TicketContext = ctxWith()): TicketView {
  return deriveTicket(state, ctx);
}

export const dec = (v: Decimal.Value): Decimal => new Money(v);
