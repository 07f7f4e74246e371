import { checkOrder, type CheckContext, type OrderDraft, type OrderProblem } from './money.js';
import { tradingRules } from './rules.js';
import type { Venue } from './venue.js';

/**
 * What an order is checked against before it is sent: the account's available balances, the
 * market's fees and minimums (`/v1/orders/chance`), its price step
 * (`/v1/orderbook/instruments`) and the last price (`/v1/ticker`). The four reads are
 * independent, so they go out in parallel (one round trip, not four).
 */
export async function loadOrderContext(venue: Venue, market: string, signal?: AbortSignal): Promise<CheckContext> {
  const opts = signal === undefined ? {} : { signal };
  const [balances, chance, instruments, tickers] = await Promise.all([
    venue.accounts(opts),
    venue.chance(market, opts),
    venue.instruments([market], opts),
    venue.tickers([market], opts),
  ]);
  const [quote = '', base = ''] = market.split('-');
  const available = (currency: string) => balances.find((b) => b.currency === currency)?.balance ?? '0';
  return {
    rules: tradingRules(market, chance),
    instruments: new Map(instruments.map((i) => [i.market, i.tickSize])),
    available: { quote: available(quote), base: available(base) },
    referencePrice: tickers.find((t) => t.market === market)?.tradePrice ?? null,
  };
}

/**
 * The pre-trade check: the problems of an order (an intent, or a ticket's draft as typed)
 * against a context; empty when Upbit's checks should pass. The CLI feeds it a context read
 * over REST ({@link loadOrderContext}), the trading session one from its cached and streamed
 * state (src/trading/session/pre-trade.ts): one check, two sources.
 */
export function checkIntent(intent: OrderDraft, context: CheckContext): OrderProblem[] {
  return checkOrder(intent, context);
}
