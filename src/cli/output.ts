/**
 * What the trading commands print: aligned tables for people, or one JSON document with
 * stable keys for scripts (`--json`). Amounts are strings in both (never binary floats);
 * tables group thousands, JSON keeps Upbit's plain notation.
 */
import { Decimal } from 'decimal.js';

import { fillSummary, type FillSummary } from '../trading/fill-summary.js';
import { formatAmount, marketParts, plain, VOLUME_DECIMALS } from '../trading/money.js';
import type { Balance, Order, OrderTrade } from '../upbit/rest/index.js';
import type { Side } from '../upbit/order-types.js';

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
  side: Side;
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
  /** Quote currency traded by the fills so far, fee not included; null when the exchange did not say. */
  funds: string | null;
  /** Average fill price (`funds / executedVolume`, 16 decimals); null before any fill. */
  avgPrice: string | null;
}

export function balanceJson(b: Balance): BalanceJson {
  return { currency: b.currency, balance: plain(b.balance), locked: plain(b.locked), avgBuyPrice: plain(b.avgBuyPrice), unitCurrency: b.unitCurrency };
}

export function orderJson(o: Order & { trades?: readonly OrderTrade[] }): OrderJson {
  const fill = fillSummary(o);
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
    funds: opt(fill.funds),
    avgPrice: opt(fill.avgPrice),
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

/**
 * A balance for the table, rounded DOWN: KRW to the won, anything else to Upbit's 8 volume
 * decimals (trailing zeros trimmed). Down, because a balance shown must never be more than
 * is there: a script or a trader sizing an order from the table must not be refused for a
 * fraction that was shown but does not exist. `--json` keeps the exact strings.
 */
export function formatBalance(currency: string, amount: Decimal): string {
  return formatAmount(amount.toDecimalPlaces(currency === 'KRW' ? 0 : VOLUME_DECIMALS, Decimal.ROUND_DOWN));
}

/** Significant digits a price figure (an average) keeps: enough to tell any two ticks apart. */
const PRICE_SIGNIFICANT = 5;

/**
 * An average price (avg buy price, avg fill price), rounded half-up to at least 5 significant
 * digits and whole units once it has 5 integer digits (`130,337,526.916 → 130,337,527`,
 * `1,234.5678 → 1,234.6`, `0.0012345678 → 0.0012346`), never more than 8 decimals. An
 * average is not on the price grid, so the grid's step would say too much or too little.
 */
export function formatPriceFigure(price: Decimal): string {
  if (price.isZero()) return '0';
  const intDigits = price.abs().gte(1) ? price.abs().trunc().toFixed().length : 0;
  const decimals = intDigits > 0 ? Math.max(0, PRICE_SIGNIFICANT - intDigits) : Math.min(VOLUME_DECIMALS, PRICE_SIGNIFICANT - 1 - Math.floor(Math.log10(price.abs().toNumber())));
  return formatAmount(price.toDecimalPlaces(Math.min(decimals, VOLUME_DECIMALS), Decimal.ROUND_HALF_UP));
}

/** Money in a sentence (spent, received, a fee): KRW to 2 decimals, other currencies to 8, half-up, trailing zeros trimmed. */
export function formatQuote(amount: Decimal, quote: string): string {
  return formatAmount(amount.toDecimalPlaces(quote === 'KRW' ? 2 : VOLUME_DECIMALS, Decimal.ROUND_HALF_UP));
}

export function balanceTable(balances: readonly Balance[]): string[] {
  if (balances.length === 0) return ['No balances.'];
  return table(
    ['Currency', 'Available', 'Locked', 'Avg buy price'],
    balances.map((b) => [
      b.currency,
      formatBalance(b.currency, b.balance),
      formatBalance(b.currency, b.locked),
      b.avgBuyPrice.isZero() ? '-' : `${formatPriceFigure(b.avgBuyPrice)} ${b.unitCurrency}`,
    ]),
    ['left', 'right', 'right', 'right'],
  );
}

const SIDE = { bid: 'buy', ask: 'sell' } as const;

export function orderTable(orders: readonly Order[]): string[] {
  if (orders.length === 0) return ['No orders.'];
  return table(
    ['Created (UTC)', 'Market', 'Side', 'Type', 'State', 'Price', 'Volume', 'Executed', 'Avg price', 'UUID', 'Identifier'],
    orders.map((o) => {
      const avg = fillSummary(o).avgPrice;
      return [
        new Date(o.createdAt).toISOString().slice(0, 19).replace('T', ' '),
        o.market,
        SIDE[o.side],
        o.ordType,
        o.state,
        o.price === null ? '-' : formatAmount(o.price),
        o.volume === null ? '-' : formatAmount(o.volume),
        formatAmount(o.executedVolume),
        avg === null ? '-' : formatPriceFigure(avg),
        o.uuid,
        o.identifier ?? '-',
      ];
    }),
    ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
  );
}

/** One sentence about an order, e.g. `limit buy 0.001 KRW-BTC at 95,000,000 (wait)`. */
export function describeOrder(o: Order): string {
  return `${orderSubject(o)} (${o.state})`;
}

/** An order without its state, e.g. `limit buy 0.001 KRW-BTC at 95,000,000`. */
export function orderSubject(o: Order): string {
  const amount =
    o.ordType === 'price' ? `${o.price === null ? '?' : formatAmount(o.price)} KRW of ${o.market}` : `${o.volume === null ? '?' : formatAmount(o.volume)} ${o.market}`;
  const at = o.ordType === 'limit' && o.price !== null ? ` at ${formatAmount(o.price)}` : '';
  const type = o.ordType === 'limit' ? 'limit' : o.ordType === 'best' ? 'best-price' : 'market';
  return `${type} ${SIDE[o.side]} ${amount}${at}`;
}

/** How the wait for a just-placed order's fills ended (see trade-commands' placeAndReport). */
export interface FillWait {
  /** How long the command waited, in ms. */
  waitedMs: number;
  /** Why the order could not be read after placing (it was placed), or null. */
  problem: string | null;
}

/**
 * What a just-placed order did, as the command's answer: what it filled (volume, average
 * price, quote spent or received, fee), whether it rests on the book, and Upbit's habit of
 * filing a market buy by KRW under `cancel` once the unspendable remainder is refunded.
 */
export function describePlaced(o: Order & { trades?: readonly OrderTrade[] }, wait: FillWait): string {
  const head = `Placed ${orderSubject(o)}`;
  const parts = marketParts(o.market);
  const base = parts?.base ?? '';
  const quote = parts?.quote ?? 'KRW';
  const fill = fillSummary(o);
  const filled = !fill.executedVolume.isZero();
  const traded = filled ? filledWords(o.side, fill, base, quote) : '';
  if (wait.problem !== null) {
    return `${head} (${o.state}); its fills could not be read afterwards (${wait.problem}): see them with upbit-tui orders.`;
  }
  if (o.state === 'done') return `${head}: ${traded} (done).`;
  if (o.state === 'cancel') {
    if (!filled) return `${head}: nothing filled, and the exchange ended it (cancel)${o.timeInForce === null ? '' : ` as ${o.timeInForce} orders end when they cannot fill`}.`;
    if (o.ordType === 'price' && o.price !== null && fill.funds !== null) {
      const unspent = o.price.minus(fill.funds);
      return `${head}: ${traded}. Upbit files a market buy it cannot spend to the last won under "cancel"${unspent.isPositive() && !unspent.isZero() ? `: the unspent ${formatQuote(unspent, quote)} ${quote} (and its reserved fee) is back in the balance` : ''}.`;
    }
    const left = o.remainingVolume !== null && !o.remainingVolume.isZero() ? `; the remaining ${formatAmount(o.remainingVolume)} ${base} was cancelled` : '';
    return `${head}: ${traded}${left} (cancel).`;
  }
  // Still open: a limit resting on the book, or an order that had not finished within the wait.
  const rests = o.ordType === 'limit' ? 'resting on the book' : `not finished after ${formatSeconds(wait.waitedMs)}`;
  const sofar = filled ? `${traded} so far` : 'nothing filled yet';
  const check = o.ordType === 'limit' ? '' : '; see it with upbit-tui orders';
  return `${head}: ${rests} (${o.state}), ${sofar}${check}.`;
}

function filledWords(side: Side, fill: FillSummary, base: string, quote: string): string {
  const verb = side === 'bid' ? 'bought' : 'sold';
  const volume = `${verb} ${formatAmount(fill.executedVolume)} ${base}`;
  const fee = `${formatQuote(fill.paidFee, quote)} ${quote} fee`;
  if (fill.funds === null || fill.avgPrice === null) return `${volume} (${fee}; the exchange did not give the price)`;
  const avg = `at an average ${formatPriceFigure(fill.avgPrice)} ${quote}`;
  const money = side === 'bid' ? `for ${formatQuote(fill.funds, quote)} ${quote} + ${fee}` : `for ${formatQuote(fill.funds, quote)} ${quote} − ${fee}`;
  return `${volume} ${avg} ${money}`;
}

function formatSeconds(ms: number): string {
  return `${Math.max(0, ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
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
      for (const l of lines) writeGuarded(stdout, `${l}\n`);
    },
    document: (value) => {
      writeGuarded(stdout, `${JSON.stringify(value)}\n`);
    },
    notice: (line) => {
      writeGuarded(stderr, `upbit-tui: ${line}\n`);
    },
  };
}

// ----------------------------------------------------------------------------------------
// Writing that never crashes a command nor loses its work: a reader that went away (`| head`,
// `| true`: EPIPE) or a full disk (`> /dev/full`: ENOSPC). Node reports a failed write to a
// pipe or a file as an 'error' event on the stream, after the write returned
// (https://nodejs.org/api/process.html#a-note-on-process-io), and an 'error' event nobody
// listens to is thrown: the process died with a stack trace after the order was placed.

/** What became of a guarded stream's writes. */
export interface StreamFailure {
  /** The first write error (EPIPE, ENOSPC, EIO, …). */
  readonly error: NodeJS.ErrnoException;
  /** The start of what could not be written, for the one line that reports it. */
  readonly lost: string;
  /** How much could not be written, in characters. */
  readonly lostChars: number;
}

interface Guard {
  error: NodeJS.ErrnoException | undefined;
  lost: string;
  lostChars: number;
}

/** How much of the lost output is kept to find the ids in it (the whole of any one command's report). */
const LOST_KEPT = 64 * 1024;
/** How much of it the report quotes. */
const QUOTED = 160;
const guards = new WeakMap<NodeJS.WritableStream, Guard>();

/** Listen, once per stream, for its write errors: they are recorded, never thrown. */
export function guardStream(stream: NodeJS.WritableStream): void {
  guardOf(stream);
}

function guardOf(stream: NodeJS.WritableStream): Guard {
  let guard = guards.get(stream);
  if (guard === undefined) {
    const g: Guard = { error: undefined, lost: '', lostChars: 0 };
    guards.set(stream, g);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      g.error ??= error;
    });
    guard = g;
  }
  return guard;
}

function keepLost(guard: Guard, text: string): void {
  if (guard.lost.length < LOST_KEPT) guard.lost += text.slice(0, LOST_KEPT - guard.lost.length);
  guard.lostChars += text.length;
}

/** Write `text`; once a write has failed, the rest is only recorded as lost (nothing more can arrive). */
export function writeGuarded(stream: NodeJS.WritableStream, text: string): void {
  const guard = guardOf(stream);
  if (guard.error !== undefined) {
    keepLost(guard, text);
    return;
  }
  stream.write(text, (error?: Error | null) => {
    if (error === undefined || error === null) return;
    guard.error ??= error;
    keepLost(guard, text);
  });
}

/**
 * Wait until what was written to a guarded stream has gone out or failed, and say how it
 * failed. Unguarded streams (nothing wrote through {@link writeGuarded}) are not touched.
 */
export async function settleStream(stream: NodeJS.WritableStream): Promise<StreamFailure | undefined> {
  const guard = guards.get(stream);
  if (guard === undefined) return undefined;
  if (guard.error === undefined) {
    // The callback of an empty write comes after those of every earlier write.
    await new Promise<void>((resolve) => stream.write('', () => resolve()));
  }
  return guard.error === undefined ? undefined : { error: guard.error, lost: guard.lost, lostChars: guard.lostChars };
}

/**
 * The one line for output that could not be written, or undefined when there is nothing to
 * say: a closed pipe (EPIPE) is the reader's choice (`| head`) and ends the output quietly.
 * `workDone`: the command itself succeeded, so the line says its work was done and quotes
 * what was lost (an order's uuid and identifier are in it).
 */
export function outputFailureLine(failure: StreamFailure, workDone: boolean): string | undefined {
  if (failure.error.code === 'EPIPE') return undefined;
  const flat = failure.lost.replace(/\s*\n\s*/g, ' / ').replace(/ \/ $/, '').replace(/[ \t]+/g, ' ').trim();
  const head = flat.length > QUOTED ? `${flat.slice(0, QUOTED)} … (${failure.lostChars} characters in all)` : flat;
  const ids = idsIn(failure.lost);
  const why = failure.error.message;
  if (!workDone) return `could not write to stdout either (${why})${head === '' ? '' : `; lost output: ${head}`}`;
  return `could not write the output to stdout (${why}). The command did its work${ids === '' ? '' : ` (${ids})`}${head === '' ? '' : `; what it could not print began: ${head}`}`;
}

/** The orders the lost output named (`uuid …`, `identifier …`, or their JSON keys), so a report of a placed order keeps them. */
function idsIn(text: string): string {
  const distinct = (re: RegExp): string[] => [...new Set([...text.matchAll(re)].map((m) => m[1] ?? ''))].filter((v) => v !== '');
  const uuids = distinct(/\buuid"?[:\s]+"?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi);
  const identifiers = distinct(/\bidentifier"?[:\s]+"?([A-Za-z0-9][A-Za-z0-9_.:-]*)/g);
  const some = (label: string, values: string[]): string[] =>
    values.length === 0 ? [] : [`${label} ${values.slice(0, 3).join(', ')}${values.length > 3 ? ` and ${values.length - 3} more` : ''}`];
  return [...some('uuid', uuids), ...some('identifier', identifiers)].join(', ');
}
