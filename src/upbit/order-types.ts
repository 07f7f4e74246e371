/**
 * Upbit's order vocabulary, the one definition (https://docs.upbit.com/kr/reference/order):
 * the wire's own words, used as they are by the REST client, the order journal, trading and
 * the simulator.
 */

/** Buy (`bid`) or sell (`ask`), as Upbit names them. */
export type Side = 'bid' | 'ask';
export const SIDES: readonly Side[] = ['bid', 'ask'];

/** `limit`; `price` = market buy by total; `market` = market sell by volume; `best` = best-price IOC/FOK. */
export type OrdType = 'limit' | 'price' | 'market' | 'best';
export const ORD_TYPES: readonly OrdType[] = ['limit', 'price', 'market', 'best'];

/** `time_in_force`: immediate-or-cancel, fill-or-kill, or maker only. */
export type TimeInForce = 'ioc' | 'fok' | 'post_only';
export const TIMES_IN_FORCE: readonly TimeInForce[] = ['ioc', 'fok', 'post_only'];

/**
 * The order types as a trader names them (the config file's `orderType`, the ticket's default):
 * a `market` order is Upbit's `price` on a buy and `market` on a sell.
 */
export type OrderKind = Exclude<OrdType, 'price'>;
export const ORDER_KINDS: readonly OrderKind[] = ['limit', 'market', 'best'];

/** The Upbit `ord_type` of an order kind on a side. */
export function ordTypeOf(kind: OrderKind, side: Side): OrdType {
  return kind === 'market' && side === 'bid' ? 'price' : kind;
}
