import { checkOrder, type CheckContext, type OrderDraft, type OrderProblem } from './money.js';
import { tradingRules } from './rules.js';
import type { Venue } from './venue.js';
import type { OrderIntentInput } from './order-service.js';

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

/** The problems of an intent against the live context; empty when Upbit's checks should pass. */
export function checkIntent(intent: OrderIntentInput, context: CheckContext): OrderProblem[] {
  const draft: OrderDraft = { market: intent.market, side: intent.side, ordType: intent.ordType, timeInForce: intent.timeInForce ?? null };
  if (intent.ordType === 'price' || (intent.ordType === 'best' && intent.side === 'bid')) draft.total = intent.price ?? null;
  else {
    draft.price = intent.price ?? null;
    draft.volume = intent.volume ?? null;
  }
  return checkOrder(draft, context);
}
