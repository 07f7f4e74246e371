/**
 * What the trading commands print: aligned tables for people, or one JSON document with
 * stable keys for scripts (`--json`). Amounts are strings in both (never binary floats);
 * tables group thousands, JSON keeps Upbit's plain notation.
 */
import type { Decimal } from 'decimal.js';

import { formatAmount, plain } from '../trading/money.js';
import type { Balance, Order } from '../upbit/rest/index.js';

/** `--json` shape of one balance line. */
export interface BalanceJson {
  currency: string;
  balance: string;
  locked: string;
  avgBuyPrice: string;
  unitCurrency: string;
}

/** `--json` shape of one order. Absent amounts are null. */
export interface OrderJson {
  uuid: string;
  identifier: string | null;
  market: string;
  side: 'bid' | 'ask';
  ordType: string;
  state: string;
  price: string | null;
  volume: string | null;
  remainingVolume: string | null;
  executedVolume: string;
  paidFee: string;
  locked: string;
  /** ISO 8601, UTC. */
  createdAt: string;
}

export function balanceJson(b: Balance): BalanceJson {
  return { currency: b.currency, balance: plain(b.balance), locked: plain(b.locked), avgBuyPrice: plain(b.avgBuyPrice), unitCurrency: b.unitCurrency };
}

export function orderJson(o: Order): OrderJson {
  return {
    uuid: o.uuid,
    identifier: o.identifier,
    market: o.market,
    side: o.side,
    ordType: o.ordType,
    state: o.state,
    price: opt(o.price),
    volume: opt(o.volume),
    remainingVolume: opt(o.remainingVolume),
    executedVolume: plain(o.executedVolume),
    paidFee: plain(o.paidFee),
    locked: plain(o.locked),
    createdAt: new Date(o.createdAt).toISOString(),
  };
}

function opt(d: Decimal | null): string | null {
  return d === null ? null : plain(d);
}

/** Columns padded to their widest cell; numbers (`align: 'right'`) line up on the right. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: ReadonlyArray<'left' | 'right'> = []): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function balanceTable(balances: readonly Balance[]): string[] {
  if (balances.length === 0) return ['No balances.'];
  return table(
    ['Currency', 'Available', 'Locked', 'Avg buy price'],
    balances.map((b) => [b.currency, formatAmount(b.balance), formatAmount(b.locked), b.avgBuyPrice.isZero() ? '-' : formatAmount(b.avgBuyPrice)]),
    ['left', 'right', 'right', 'right'],
  );
}

const SIDE = { bid: 'buy', ask: 'sell' } as const;

export function orderTable(orders: readonly Order[]): string[] {
  if (orders.length === 0) return ['No orders.'];
  return table(
    ['Created (UTC)', 'Market', 'Side', 'Type', 'State', 'Price', 'Volume', 'Executed', 'UUID'],
    orders.map((o) => [
      new Date(o.createdAt).toISOString().slice(0, 19).replace('T', ' '),
      o.market,
      SIDE[o.side],
      o.ordType,
      o.state,
      o.price === null ? '-' : formatAmount(o.price),
      o.volume === null ? '-' : formatAmount(o.volume),
      formatAmount(o.executedVolume),
      o.uuid,
    ]),
    ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'left'],
  );
}

/** One sentence about an order, e.g. `limit buy 0.001 KRW-BTC at 95,000,000 (wait)`. */
export function describeOrder(o: Order): string {
  const amount =
    o.ordType === 'price' ? `${o.price === null ? '?' : formatAmount(o.price)} KRW of ${o.market}` : `${o.volume === null ? '?' : formatAmount(o.volume)} ${o.market}`;
  const at = o.ordType === 'limit' && o.price !== null ? ` at ${formatAmount(o.price)}` : '';
  const type = o.ordType === 'limit' ? 'limit' : o.ordType === 'best' ? 'best-price' : 'market';
  return `${type} ${SIDE[o.side]} ${amount}${at} (${o.state})`;
}

/** Writes whole lines; `json` documents are written as one line each. */
export interface Output {
  readonly json: boolean;
  lines(lines: readonly string[]): void;
  document(value: unknown): void;
  /** Notices for people (mode, rounding) go to stderr, so stdout stays parseable. */
  notice(line: string): void;
}

export function createOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    lines: (lines) => {
      for (const l of lines) stdout.write(`${l}\n`);
    },
    document: (value) => {
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    notice: (line) => {
      stderr.write(`upbit-tui: ${line}\n`);
    },
  };
}
