/**
 * Order look-ups as the list endpoints answer them (https://docs.upbit.com/kr/reference/rest-api-guide): filters, newest first unless asked
 * otherwise, pages. Pure functions over an account's orders, which are kept in creation order.
 */
import type { Account } from './accounts.js';
import { copyOrder } from './lifecycle.js';
import type { Order, OrderFilter, Side } from './types.js';

/** Upbit's default page size for the order lists. */
export const DEFAULT_LIST_LIMIT = 100;
/** `DELETE /v1/orders/open` cancels 20 orders unless `count` says otherwise. */
export const DEFAULT_CANCEL_COUNT = 20;

/** Orders are kept in creation order, so order of insertion breaks ties of equal timestamps. */
function ordered(orders: readonly Order[], orderBy: 'asc' | 'desc' | undefined): Order[] {
  const indexed = orders.map((o, i) => ({ o, i }));
  indexed.sort((a, b) => a.o.createdAt - b.o.createdAt || a.i - b.i);
  const out = indexed.map(({ o }) => o);
  return orderBy === 'asc' ? out : out.reverse();
}

export function listOrders(acct: Account, filter: OrderFilter): Order[] {
  const matches = [...acct.orders.values()].filter(
    (o) =>
      (filter.market === undefined || o.market === filter.market) &&
      (filter.states === undefined || filter.states.includes(o.state)) &&
      (filter.startTime === undefined || o.createdAt >= filter.startTime) &&
      (filter.endTime === undefined || o.createdAt <= filter.endTime),
  );
  const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
  const page = filter.page ?? 1;
  return ordered(matches, filter.orderBy)
    .slice((page - 1) * limit, page * limit)
    .map(copyOrder);
}

/** The orders among `ids` that exist (unknown ids are left out, as Upbit does). */
export function ordersByIds(acct: Account, ids: { uuids?: string[]; identifiers?: string[] }, orderBy: 'asc' | 'desc' | undefined): Order[] {
  const found = new Set<Order>();
  for (const uuid of ids.uuids ?? []) {
    const o = acct.orders.get(uuid);
    if (o !== undefined) found.add(o);
  }
  for (const identifier of ids.identifiers ?? []) {
    const uuid = acct.byIdentifier.get(identifier);
    const o = uuid === undefined ? undefined : acct.orders.get(uuid);
    if (o !== undefined) found.add(o);
  }
  return ordered([...found], orderBy).map(copyOrder);
}

export interface OpenOrderSelection {
  pairs?: string[];
  quoteCurrencies?: string[];
  excludePairs?: string[];
  side?: 'all' | Side;
  count?: number;
  orderBy?: 'asc' | 'desc';
}

/** The open orders `DELETE /v1/orders/open` would cancel (not those already being cancelled). */
export function selectOpen(acct: Account, f: OpenOrderSelection): Order[] {
  const side: Side | undefined = f.side === 'bid' || f.side === 'ask' ? f.side : undefined;
  const matches = [...acct.orders.values()].filter(
    (o) =>
      o.state === 'wait' &&
      !acct.cancelRequested.has(o.uuid) &&
      (f.pairs === undefined || f.pairs.includes(o.market)) &&
      (f.quoteCurrencies === undefined || f.quoteCurrencies.some((q) => o.market.startsWith(`${q}-`))) &&
      (f.excludePairs === undefined || !f.excludePairs.includes(o.market)) &&
      (side === undefined || o.side === side),
  );
  return ordered(matches, f.orderBy).slice(0, f.count ?? DEFAULT_CANCEL_COUNT);
}
