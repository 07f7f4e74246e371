/**
 * `POST /v1/orders/cancel_and_new` (https://docs.upbit.com/kr/reference/new-order): the body names the order to replace and the new
 * order's fields with a `new_` prefix; market and side are the old order's. `new_volume` may
 * be `"remain_only"`: the old order's remaining volume.
 */
import { plain } from './decimal.js';
import { missingMessage, validationError } from './errors.js';
import type { Order, OrderRequest } from './types.js';

export interface CancelAndNewRequest {
  prev: { uuid?: string; identifier?: string };
  newIdentifier: unknown;
  /** The new order as a plain order request, given the order it replaces. */
  build(prev: Order): OrderRequest;
}

/** Error messages name the fields as the client sent them. */
export function newFieldLabel(field: string): string {
  return field === 'market' || field === 'side' ? field : `new_${field}`;
}

const nonEmptyString = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function parseCancelAndNew(body: Record<string, unknown>): CancelAndNewRequest {
  const uuid = nonEmptyString(body.prev_order_uuid);
  const identifier = nonEmptyString(body.prev_order_identifier);
  if (uuid === undefined && identifier === undefined) {
    throw validationError(`${missingMessage('prev_order_uuid')} (or prev_order_identifier)`);
  }
  return {
    // Like GET /v1/order, the uuid wins when both are given.
    prev: uuid !== undefined ? { uuid } : { identifier },
    newIdentifier: body.new_identifier,
    build: (prev) => ({
      market: prev.market,
      side: prev.side,
      ord_type: body.new_ord_type,
      price: body.new_price,
      volume:
        body.new_volume === 'remain_only' && prev.remainingVolume !== null ? plain(prev.remainingVolume) : body.new_volume,
      time_in_force: body.new_time_in_force,
      smp_type: body.new_smp_type,
    }),
  };
}
