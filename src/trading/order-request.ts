/**
 * The one order intent every front end (the TUI's ticket, the CLI, the monitor) places, and
 * its wire form.
 *
 * A market buy says what it spends as `total`, never as `price`: Upbit's `POST /v1/orders`
 * overloads `price` as "the KRW to spend" for `ord_type=price` and for a best-price buy
 * (https://docs.upbit.com/kr/reference/new-order), and that overload exists in one place only,
 * {@link toRequest}, where the intent becomes the REST client's request. The journal
 * (`IntentInput`) and the pre-trade check (`OrderDraft`) take the same field names.
 */
import type { Decimal } from 'decimal.js';

import type { OrderRequest } from '../upbit/rest/types.js';
import type { Side, TimeInForce } from '../upbit/order-types.js';
import { JournalBugError } from './journal/errors.js';
import type { Intent } from './journal/types.js';
import { toMoney, type OrderDraft } from './money.js';

/** A best-price order is immediate-or-cancel or fill-or-kill, never maker-only. */
type BestTimeInForce = Exclude<TimeInForce, 'post_only'>;

interface IntentBase {
  market: string;
}

/** A limit order: unit price and base volume. */
export interface LimitIntent extends IntentBase {
  side: Side;
  ordType: 'limit';
  price: Decimal;
  volume: Decimal;
  timeInForce?: TimeInForce;
}

/** A market buy: spend `total` of the quote currency (fee on top). */
export interface MarketBuyIntent extends IntentBase {
  side: 'bid';
  ordType: 'price';
  total: Decimal;
}

/** A market sell of `volume`. */
export interface MarketSellIntent extends IntentBase {
  side: 'ask';
  ordType: 'market';
  volume: Decimal;
}

/** A best-price buy spending `total`, immediate-or-cancel or fill-or-kill. */
export interface BestBuyIntent extends IntentBase {
  side: 'bid';
  ordType: 'best';
  total: Decimal;
  timeInForce: BestTimeInForce;
}

/** A best-price sell of `volume`, immediate-or-cancel or fill-or-kill. */
export interface BestSellIntent extends IntentBase {
  side: 'ask';
  ordType: 'best';
  volume: Decimal;
  timeInForce: BestTimeInForce;
}

/** What to place. Each order type carries exactly the amounts it takes. */
export type OrderIntent = LimitIntent | MarketBuyIntent | MarketSellIntent | BestBuyIntent | BestSellIntent;

/** The journal's and the rule checker's shape of an intent (the same field names; absent amounts null). */
export function toDraft(i: OrderIntent): OrderDraft & { total: Decimal | null; price: Decimal | null; volume: Decimal | null } {
  return {
    market: i.market,
    side: i.side,
    ordType: i.ordType,
    price: i.ordType === 'limit' ? i.price : null,
    volume: 'volume' in i ? i.volume : null,
    total: 'total' in i ? i.total : null,
    timeInForce: 'timeInForce' in i ? (i.timeInForce ?? null) : null,
  };
}

/**
 * The wire boundary: the REST client's `POST /v1/orders` request for `i`. The only place a
 * market (or best-price) buy's `total` becomes Upbit's `price`.
 */
export function toRequest(i: OrderIntent, identifier: string): OrderRequest {
  const request: OrderRequest = { market: i.market, side: i.side, ordType: i.ordType, identifier };
  switch (i.ordType) {
    case 'limit':
      request.price = i.price;
      request.volume = i.volume;
      if (i.timeInForce !== undefined) request.timeInForce = i.timeInForce;
      break;
    case 'price':
      request.price = i.total;
      break;
    case 'market':
      request.volume = i.volume;
      break;
    case 'best':
      if (i.side === 'bid') request.price = i.total;
      else request.volume = i.volume;
      request.timeInForce = i.timeInForce;
      break;
  }
  return request;
}

/**
 * A journalled intent (amounts as the decimal strings stored) as the intent to send again. A
 * row that does not make one (an amount missing for its type) is the journal's bug: checked on
 * the way in by `createIntent`, so it throws.
 */
export function intentOfJournal(j: Intent): OrderIntent {
  const need = (v: string | null, what: string): Decimal => {
    if (v === null) throw new JournalBugError(`Journalled intent ${j.id} (${j.ordType} ${j.side}) has no ${what}.`);
    return toMoney(v, `intent ${j.id} ${what}`);
  };
  const market = j.market;
  switch (j.ordType) {
    case 'limit':
      return { market, side: j.side, ordType: 'limit', price: need(j.price, 'price'), volume: need(j.volume, 'volume'), ...(j.timeInForce === null ? {} : { timeInForce: j.timeInForce }) };
    case 'price':
      return { market, side: 'bid', ordType: 'price', total: need(j.total, 'total') };
    case 'market':
      return { market, side: 'ask', ordType: 'market', volume: need(j.volume, 'volume') };
    case 'best': {
      const timeInForce = j.timeInForce === 'ioc' || j.timeInForce === 'fok' ? j.timeInForce : 'ioc';
      return j.side === 'bid'
        ? { market, side: 'bid', ordType: 'best', total: need(j.total, 'total'), timeInForce }
        : { market, side: 'ask', ordType: 'best', volume: need(j.volume, 'volume'), timeInForce };
    }
  }
}
