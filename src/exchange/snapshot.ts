/**
 * The exchange's state as plain JSON (decimals as strings, times in ms), for
 * `upbit-tui sim --state FILE` and paper wallets, and its strict parser: a file is untrusted
 * input, so every field is narrowed and the first bad one is named with its path.
 */
import { ORD_TYPES, SIDES, TIMES_IN_FORCE } from '../upbit/order-types.js';
import type { Decimal } from 'decimal.js';

import { describeValue, isRecord } from '../upbit/json-narrow.js';
import { Account } from './accounts.js';
import { ZERO, dec, plain } from './decimal.js';
import { lockCurrency } from './lifecycle.js';
import { marketRules } from './rules.js';
import type { Fill, OrdType, Order, OrderState, Side, SmpType, TimeInForce } from './types.js';

export const SNAPSHOT_FORMAT = 'upbit-tui/exchange';
export const SNAPSHOT_VERSION = 1;

export interface FillSnapshot {
  uuid: string;
  market: string;
  side: Side;
  price: string;
  volume: string;
  funds: string;
  fee: string;
  isMaker: boolean;
  createdAt: number;
  trend: 'up' | 'down';
}

export interface OrderSnapshot {
  uuid: string;
  identifier: string | null;
  market: string;
  side: Side;
  ordType: OrdType;
  price: string | null;
  volume: string | null;
  remainingVolume: string | null;
  executedVolume: string;
  executedFunds: string;
  reservedFee: string;
  remainingFee: string;
  paidFee: string;
  locked: string;
  tradesCount: number;
  state: OrderState;
  timeInForce: TimeInForce | null;
  smpType: SmpType | null;
  createdAt: number;
  trades: FillSnapshot[];
  /** A cancel was accepted and had not completed; it completes after the restore. */
  cancelRequested: boolean;
}

export interface HoldingSnapshot {
  currency: string;
  balance: string;
  locked: string;
  avgBuyPrice: string;
  avgBuyPriceModified: boolean;
}

export interface AccountSnapshot {
  accessKey: string;
  secretKey: string;
  holdings: HoldingSnapshot[];
  /** Every identifier ever sent, including those of failed orders: they stay unusable. */
  usedIdentifiers: string[];
  /** In creation order. */
  orders: OrderSnapshot[];
}

export interface ExchangeSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  accounts: AccountSnapshot[];
}

const nullablePlain = (v: Decimal | null): string | null => (v === null ? null : plain(v));

export function toSnapshot(accounts: Iterable<Account>): ExchangeSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    accounts: [...accounts].map((acct) => ({
      accessKey: acct.accessKey,
      secretKey: acct.secretKey,
      holdings: [...acct.holdings].map(([currency, h]) => ({
        currency,
        balance: plain(h.balance),
        locked: plain(h.locked),
        avgBuyPrice: plain(h.avgBuyPrice),
        avgBuyPriceModified: h.avgBuyPriceModified,
      })),
      usedIdentifiers: [...acct.usedIdentifiers],
      orders: [...acct.orders.values()].map((o) => orderSnapshot(o, acct.cancelRequested.has(o.uuid))),
    })),
  };
}

function orderSnapshot(o: Order, cancelRequested: boolean): OrderSnapshot {
  return {
    uuid: o.uuid,
    identifier: o.identifier,
    market: o.market,
    side: o.side,
    ordType: o.ordType,
    price: nullablePlain(o.price),
    volume: nullablePlain(o.volume),
    remainingVolume: nullablePlain(o.remainingVolume),
    executedVolume: plain(o.executedVolume),
    executedFunds: plain(o.executedFunds),
    reservedFee: plain(o.reservedFee),
    remainingFee: plain(o.remainingFee),
    paidFee: plain(o.paidFee),
    locked: plain(o.locked),
    tradesCount: o.tradesCount,
    state: o.state,
    timeInForce: o.timeInForce,
    smpType: o.smpType,
    createdAt: o.createdAt,
    trades: o.trades.map((f) => ({
      uuid: f.uuid,
      market: f.market,
      side: f.side,
      price: plain(f.price),
      volume: plain(f.volume),
      funds: plain(f.funds),
      fee: plain(f.fee),
      isMaker: f.isMaker,
      createdAt: f.createdAt,
      trend: f.trend,
    })),
    cancelRequested,
  };
}

// ---- parsing ----------------------------------------------------------------------------

const DECIMAL = /^\d+(\.\d+)?$/;

function fail(path: string, expected: string, got: unknown): never {
  // A key's value is not quoted: the state file's error message must not show a secret.
  const what = typeof got === 'string' && /key|secret/i.test(path) ? `a string of ${got.length} character(s)` : describeValue(got);
  throw new Error(`Not a valid exchange snapshot: ${path} should be ${expected}, got ${what}.`);
}

/** Field readers bound to one object and its path, so every failure names where it is. */
function fields(v: unknown, path: string): {
  str(key: string): string;
  nullableStr(key: string): string | null;
  amount(key: string): Decimal;
  nullableAmount(key: string): Decimal | null;
  bool(key: string): boolean;
  time(key: string): number;
  oneOf<T extends string>(key: string, allowed: readonly T[]): T;
  nullableOneOf<T extends string>(key: string, allowed: readonly T[]): T | null;
  list(key: string): unknown[];
} {
  if (!isRecord(v)) fail(path, 'an object', v);
  const at = (key: string): string => `${path}.${key}`;
  const str = (key: string): string => {
    const x = v[key];
    return typeof x === 'string' && x.length > 0 ? x : fail(at(key), 'a non-empty string', x);
  };
  const amount = (key: string): Decimal => {
    const x = v[key];
    return typeof x === 'string' && DECIMAL.test(x) ? dec(x) : fail(at(key), 'a decimal string like "5002.5"', x);
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const x = v[key];
    return allowed.find((a) => a === x) ?? fail(at(key), `one of ${allowed.join(', ')}`, x);
  };
  return {
    str,
    nullableStr: (key) => (v[key] === null ? null : str(key)),
    amount,
    nullableAmount: (key) => (v[key] === null ? null : amount(key)),
    bool: (key) => {
      const x = v[key];
      return typeof x === 'boolean' ? x : fail(at(key), 'true or false', x);
    },
    time: (key) => {
      const x = v[key];
      return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : fail(at(key), 'a time in ms since epoch', x);
    },
    oneOf,
    nullableOneOf: (key, allowed) => (v[key] === null ? null : oneOf(key, allowed)),
    list: (key) => {
      const x = v[key];
      return Array.isArray(x) ? (x as unknown[]) : fail(at(key), 'an array', x);
    },
  };
}

const STATES: readonly OrderState[] = ['wait', 'done', 'cancel'];
const SMPS: readonly SmpType[] = ['reduce', 'cancel_maker', 'cancel_taker'];

/** Accounts from `snapshot()` output; throws an Error naming the first field that is wrong. */
export function parseSnapshot(raw: unknown, unitCurrency: string): Account[] {
  const top = fields(raw, 'snapshot');
  if (!isRecord(raw) || raw.format !== SNAPSHOT_FORMAT) fail('snapshot.format', `"${SNAPSHOT_FORMAT}"`, isRecord(raw) ? raw.format : raw);
  if (raw.version !== SNAPSHOT_VERSION) fail('snapshot.version', String(SNAPSHOT_VERSION), raw.version);
  const seen = new Set<string>();
  return top.list('accounts').map((a, i) => {
    const path = `snapshot.accounts[${i}]`;
    const acct = parseAccount(a, path, unitCurrency);
    if (seen.has(acct.accessKey)) fail(`${path}.accessKey`, 'unique', acct.accessKey);
    seen.add(acct.accessKey);
    return acct;
  });
}

function parseAccount(raw: unknown, path: string, unitCurrency: string): Account {
  const f = fields(raw, path);
  const acct = new Account(f.str('accessKey'), f.str('secretKey'), unitCurrency);
  f.list('holdings').forEach((h, i) => {
    const hp = `${path}.holdings[${i}]`;
    const hf = fields(h, hp);
    const currency = hf.str('currency');
    if (acct.holdings.has(currency)) fail(`${hp}.currency`, 'unique', currency);
    acct.holdings.set(currency, {
      balance: hf.amount('balance'),
      locked: hf.amount('locked'),
      avgBuyPrice: hf.amount('avgBuyPrice'),
      avgBuyPriceModified: hf.bool('avgBuyPriceModified'),
    });
  });
  f.list('usedIdentifiers').forEach((id, i) => {
    if (typeof id !== 'string' || id.length === 0) fail(`${path}.usedIdentifiers[${i}]`, 'a non-empty string', id);
    acct.usedIdentifiers.add(id);
  });
  f.list('orders').forEach((o, i) => {
    const op = `${path}.orders[${i}]`;
    const { order, cancelRequested } = parseOrder(o, op);
    if (acct.orders.has(order.uuid)) fail(`${op}.uuid`, 'unique', order.uuid);
    acct.orders.set(order.uuid, order);
    if (order.identifier !== null) {
      if (acct.byIdentifier.has(order.identifier)) fail(`${op}.identifier`, 'unique', order.identifier);
      acct.byIdentifier.set(order.identifier, order.uuid);
      acct.usedIdentifiers.add(order.identifier);
    }
    if (cancelRequested) {
      if (order.state !== 'wait') fail(`${op}.cancelRequested`, 'false for an order that has ended', true);
      acct.cancelRequested.add(order.uuid);
    }
  });
  checkLocked(acct, path);
  return acct;
}

function parseOrder(raw: unknown, path: string): { order: Order; cancelRequested: boolean } {
  const f = fields(raw, path);
  const market = f.str('market');
  if (marketRules(market) === undefined) fail(`${path}.market`, 'a market code like "KRW-BTC"', market);
  const trades: Fill[] = f.list('trades').map((t, i) => {
    const tf = fields(t, `${path}.trades[${i}]`);
    return {
      uuid: tf.str('uuid'),
      market: tf.str('market'),
      side: tf.oneOf('side', SIDES),
      price: tf.amount('price'),
      volume: tf.amount('volume'),
      funds: tf.amount('funds'),
      fee: tf.amount('fee'),
      isMaker: tf.bool('isMaker'),
      createdAt: tf.time('createdAt'),
      trend: tf.oneOf('trend', ['up', 'down'] as const),
    };
  });
  const tradesCount = isRecord(raw) ? raw.tradesCount : undefined;
  if (tradesCount !== trades.length) fail(`${path}.tradesCount`, `the number of trades (${trades.length})`, tradesCount);
  const order: Order = {
    uuid: f.str('uuid'),
    identifier: f.nullableStr('identifier'),
    market,
    side: f.oneOf('side', SIDES),
    ordType: f.oneOf('ordType', ORD_TYPES),
    price: f.nullableAmount('price'),
    volume: f.nullableAmount('volume'),
    remainingVolume: f.nullableAmount('remainingVolume'),
    executedVolume: f.amount('executedVolume'),
    executedFunds: f.amount('executedFunds'),
    reservedFee: f.amount('reservedFee'),
    remainingFee: f.amount('remainingFee'),
    paidFee: f.amount('paidFee'),
    locked: f.amount('locked'),
    tradesCount: trades.length,
    state: f.oneOf('state', STATES),
    timeInForce: f.nullableOneOf('timeInForce', TIMES_IN_FORCE),
    smpType: f.nullableOneOf('smpType', SMPS),
    createdAt: f.time('createdAt'),
    trades,
  };
  if (order.state === 'wait' && (order.ordType !== 'limit' || order.price === null || order.remainingVolume === null)) {
    fail(`${path}.state`, 'done or cancel for anything but a limit order with a price and volume', order.state);
  }
  return { order, cancelRequested: f.bool('cancelRequested') };
}

/** An account's locked amounts must be exactly what its open orders lock. */
function checkLocked(acct: Account, path: string): void {
  const expected = new Map<string, Decimal>();
  for (const o of acct.orders.values()) {
    if (o.state !== 'wait') continue;
    const c = lockCurrency(o);
    expected.set(c, (expected.get(c) ?? ZERO).plus(o.locked));
  }
  for (const [currency, h] of acct.holdings) {
    const want = expected.get(currency) ?? ZERO;
    if (!h.locked.eq(want)) fail(`${path} ${currency} locked`, `${plain(want)} (what its open orders lock)`, plain(h.locked));
    expected.delete(currency);
  }
  for (const [currency, want] of expected) {
    if (!want.isZero()) fail(`${path} ${currency} locked`, `${plain(want)} (what its open orders lock)`, '0');
  }
}
