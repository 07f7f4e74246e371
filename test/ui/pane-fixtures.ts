/** Orders, fills, journal intents and balances for the panes' and the audit log's tests, fed to the real stores. */
import { Money } from '../../src/trading/decimal.js';
import type { AttemptState, IntentSource, IntentWithAttempts } from '../../src/trading/journal/index.js';
import type { AccountSnapshot, OrdersSnapshot } from '../../src/trading/session/index.js';
import type { Side } from '../../src/upbit/order-types.js';
import type { Balance } from '../../src/upbit/rest/types.js';
import type { MyOrderEvent } from '../../src/upbit/types.js';

export const d = (v: string | number) => new Money(v);

export interface OrderOpts {
  market?: string;
  side?: Side;
  orderType?: string;
  price?: string;
  volume?: string;
  executed?: string;
  identifier?: string | null;
  at?: number;
}

/** A `myOrder` event of a resting (or ended) order. */
export function orderEvent(uuid: string, state: 'wait' | 'done' | 'cancel', o: OrderOpts = {}): MyOrderEvent {
  const volume = d(o.volume ?? '0.0002');
  const executed = d(o.executed ?? 0);
  return {
    market: o.market ?? 'KRW-BTC', uuid, side: o.side ?? 'bid', orderType: o.orderType ?? 'limit', state, price: d(o.price ?? 50_000_000), volume, fill: null,
    avgPrice: null, remainingVolume: volume.minus(executed), executedVolume: executed, executedFunds: null, tradesCount: 0, reservedFee: null, remainingFee: null, paidFee: null,
    locked: null, timeInForce: null, identifier: o.identifier ?? null, smpType: null, preventedVolume: null, preventedLocked: null, orderTimestamp: o.at ?? 1, timestamp: o.at ?? 1,
  };
}

/** A `myOrder` `trade` event: one fill of order `uuid`. */
export function fillEvent(uuid: string, tradeUuid: string, f: { price: string; volume: string; fee?: string; at: number; market?: string; side?: Side; identifier?: string | null; orderVolume?: string; executed?: string }): MyOrderEvent {
  const base = orderEvent(uuid, 'wait', { market: f.market, side: f.side, identifier: f.identifier, volume: f.orderVolume, executed: f.executed, at: f.at });
  return { ...base, state: 'trade', price: d(f.price), volume: d(f.volume), fill: { tradeUuid, price: d(f.price), volume: d(f.volume), fee: f.fee === undefined ? null : d(f.fee), isMaker: true, timestamp: f.at } };
}

/** A journal intent with one attempt (this app's order, by identifier). */
export function intent(identifier: string, state: AttemptState, o: { uuid?: string | null; market?: string; side?: Side; error?: { name: string; message: string } | null; at?: number; source?: IntentSource } = {}): IntentWithAttempts {
  const at = o.at ?? 1;
  return {
    id: 1, market: o.market ?? 'KRW-BTC', side: o.side ?? 'bid', ordType: 'limit', price: '50000000', volume: '0.0002', total: null, timeInForce: null, source: o.source ?? 'ui', note: null, createdAt: at,
    attempts: [{ id: 1, intentId: 1, identifier, state, uuid: o.uuid ?? null, error: o.error ?? null, unknownReason: null, order: null, executed: null, createdAt: at, updatedAt: at, fills: [] }],
  };
}

export function balance(currency: string, amount: string, opts: { locked?: string; avg?: string } = {}): Balance {
  return { currency, balance: d(amount), locked: d(opts.locked ?? 0), avgBuyPrice: d(opts.avg ?? 0), avgBuyPriceModified: false, unitCurrency: 'KRW' };
}

/** An account snapshot as the store publishes it, built by hand for the pure line builders. */
export function accountSnapshot(list: readonly Balance[], loaded = true): AccountSnapshot {
  return {
    version: 1,
    loaded,
    balances: new Map(list.map((b) => [b.currency, { currency: b.currency, balance: b.balance, locked: b.locked, avgBuyPrice: b.avgBuyPrice, unitCurrency: b.unitCurrency }])),
    syncedAt: 1,
    syncError: null,
  };
}

export const EMPTY_ORDERS: OrdersSnapshot = { version: 0, loaded: true, open: [], fills: [], attempts: [], syncedAt: 1, syncError: null };
