/**
 * Telling the user what start-up recovery found: an order of an earlier run whose outcome was
 * unknown (a crash, a lost answer) turned out placed or not placed. Said once per order, so a
 * user about to re-run a "failed" buy learns that the first one exists (issue 7 §3).
 */
import { formatAmount, Money } from '../trading/money.js';
import type { RecoveredOrder } from '../trading/order-service.js';

export type { RecoveredOrder } from '../trading/order-service.js';

const SIDE = { bid: 'buy', ask: 'sell' } as const;

/** `limit buy 0.001 KRW-BTC at 95,000,000 KRW`, `market buy 10,000 KRW of KRW-BTC`, `market sell 0.5 KRW-BTC`. */
export function describeIntent(o: RecoveredOrder): string {
  const quote = o.market.split('-')[0] ?? '';
  const amount = (text: string | null): string => (text === null ? '?' : formatAmount(new Money(text)));
  const type = o.ordType === 'limit' ? 'limit' : o.ordType === 'best' ? 'best-price' : 'market';
  if (o.total !== null) return `${type} ${SIDE[o.side]} ${amount(o.total)} ${quote} of ${o.market}`;
  const at = o.price === null ? '' : ` at ${amount(o.price)} ${quote}`;
  return `${type} ${SIDE[o.side]} ${amount(o.volume)} ${o.market}${at}`;
}

const STATE_WORDS: Record<string, string> = { wait: 'open (wait)', watch: 'waiting for its trigger (watch)', done: 'filled (done)', cancel: 'finished (cancel)' };

/** One line for stderr about one recovered order. */
export function recoveryNotice(o: RecoveredOrder): string {
  const ids = `identifier ${o.identifier}${o.uuid === null ? '' : `, uuid ${o.uuid}`}`;
  const what = `${describeIntent(o)} (${ids})`;
  switch (o.outcome) {
    case 'placed': {
      const marketBuyFilled = o.ordType === 'price' && o.state === 'cancel' && o.executedVolume !== null && !new Money(o.executedVolume).isZero();
      const now = marketBuyFilled ? 'filled (cancel: how Upbit ends a market buy)' : o.state === null ? 'on the exchange' : (STATE_WORDS[o.state] ?? o.state);
      const filled = o.executedVolume === null || new Money(o.executedVolume).isZero() ? '' : `, ${formatAmount(new Money(o.executedVolume))} ${o.market.split('-')[1] ?? ''} filled`;
      return `an earlier run's order WAS placed: ${what}, now ${now}${filled}. Do not place it again unless you want a second one.`;
    }
    case 'not_placed':
      return `an earlier run's order was NOT placed: ${what}; the exchange has no such order. Place it again if you still want it.`;
    case 'unknown':
      return `an earlier run's order is still unresolved: ${what} may exist; it is looked up again by the next command. Check with upbit-tui orders --state wait before placing it again.`;
  }
}
