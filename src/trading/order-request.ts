/** An order intent as the order service takes it, and its journal and wire shapes. */
import type { Decimal } from 'decimal.js';

import type { OrderRequest } from '../upbit/rest/types.js';
import type { OrdType, Side, TimeInForce } from '../upbit/order-types.js';
import type { OrderDraft } from './money.js';

export interface OrderIntentInput {
  market: string;
  side: Side;
  ordType: OrdType;
  /** Unit price for limit orders; the total to spend for market (`price`) and best-price buys, as on the wire. */
  price?: Decimal;
  volume?: Decimal;
  timeInForce?: TimeInForce;
}

/** The journal's and the rule checker's shape: `total` is what a market/best buy's `price` means. */
export function toDraft(i: OrderIntentInput): OrderDraft & { total: Decimal | null; price: Decimal | null; volume: Decimal | null } {
  const isTotal = i.ordType === 'price' || (i.ordType === 'best' && i.side === 'bid');
  return {
    market: i.market,
    side: i.side,
    ordType: i.ordType,
    price: isTotal ? null : (i.price ?? null),
    volume: i.volume ?? null,
    total: isTotal ? (i.price ?? null) : null,
    timeInForce: i.timeInForce ?? null,
  };
}

export function toRequest(i: OrderIntentInput, identifier: string): OrderRequest {
  const request: OrderRequest = { market: i.market, side: i.side, ordType: i.ordType, identifier };
  if (i.price !== undefined) request.price = i.price;
  if (i.volume !== undefined) request.volume = i.volume;
  if (i.timeInForce !== undefined) request.timeInForce = i.timeInForce;
  return request;
}
