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
