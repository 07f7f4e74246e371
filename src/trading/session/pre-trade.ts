/**
 * The pre-trade check from what the session already holds: balances from the account store,
 * fees, minimums and tick from {@link MarketRules}, the best bid/ask or last price from the
 * quotes the front end wires in. Synchronous and free of I/O, so an order ticket can run it
 * on every keystroke; the rules themselves are the client's one `checkOrder` (money.ts), which
 * the CLI runs too.
 */
import type { MoneyInput, OrderDraft, OrderProblem } from '../money.js';
import { checkIntent } from '../order-context.js';
import { marketParts, tradingRules } from '../rules.js';
import type { AccountStore } from './account-store.js';
import type { MarketRules } from './market-rules.js';

/**
 * Prices of the market as the feed last saw them (the watchlist's tickers, a book panel). Any
 * may be unknown.
 */
export interface QuoteSource {
  /** The last trade price. */
  lastPrice(market: string): MoneyInput | null | undefined;
  /** Best bid and ask from an order book, when one is watched. */
  bestBidAsk?(market: string): { bid: MoneyInput | null; ask: MoneyInput | null } | null | undefined;
}

export interface PreTradeCheck {
  /** True when nothing is wrong (Upbit's checks should pass). */
  ok: boolean;
  /** Each with a sentence saying what to change. */
  problems: OrderProblem[];
  /**
   * What the check could not vouch for, in words: e.g. that balances were not loaded yet, so
   * affordability was not checked. Empty when every input was known.
   */
  caveats: string[];
}

export interface PreTradeInputs {
  account: AccountStore;
  rules: MarketRules;
  quotes?: QuoteSource;
}

/** Check `draft` (an intent, or a ticket's fields as typed) against the session's state. */
export function preTradeCheck(draft: OrderDraft, inputs: PreTradeInputs): PreTradeCheck {
  const caveats: string[] = [];
  const parts = marketParts(draft.market);
  if (parts === null) {
    const problems = checkIntent(draft, {});
    return { ok: problems.length === 0, problems, caveats };
  }
  const known = inputs.rules.get(draft.market);
  if (known === undefined) caveats.push(`${draft.market}'s fees, minimum and price step were not read from the exchange yet: Upbit's usual ones were used.`);
  const rules = known?.rules ?? tradingRules(draft.market);

  let available: { quote?: MoneyInput | null; base?: MoneyInput | null } | undefined;
  if (inputs.account.loaded) {
    available = { quote: inputs.account.current(parts.quote)?.balance ?? '0', base: inputs.account.current(parts.base)?.balance ?? '0' };
  } else {
    caveats.push('Balances were not read yet: whether the account can pay for the order was not checked.');
  }

  // A market sell is valued at what it would get: the best bid, else the last trade.
  const book = inputs.quotes?.bestBidAsk?.(draft.market) ?? null;
  const last = inputs.quotes?.lastPrice(draft.market) ?? null;
  const referencePrice = draft.side === 'ask' ? (book?.bid ?? last) : (book?.ask ?? last);
  if (referencePrice === null && draft.side === 'ask' && draft.ordType !== 'limit') caveats.push(`No price of ${draft.market} is known yet: the sell's minimum total was not checked.`);

  const problems = checkIntent(draft, { rules, instruments: inputs.rules.ticks(), available, referencePrice });
  return { ok: problems.length === 0, problems, caveats };
}
