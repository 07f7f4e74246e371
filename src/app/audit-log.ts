/**
 * This run's audit trail: the orders, fills, cancels, refusals, reconnects and notices, in a
 * bounded ring the log pane reads as an external store (published at most 12 times a second,
 * docs/architecture.md#high-rate-data-stays-out-of-react), and appended as JSON lines to
 * `<stateDir>/audit/<YYYY-MM-DD>.jsonl` (local date of each entry).
 *
 * The file is written through the log's own sink (./log-sink.ts): asynchronously, a bounded
 * buffer, never blocking the UI. On the first line it cannot write (a full disk, a read-only
 * folder) it stops writing to the file for the rest of the run and says so once, as an
 * `error` entry in the trail itself.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { Publisher, type ExternalStore, type OpenOrder, type OrderFill, type OrdersSnapshot } from '../trading/session/index.js';
import type { PublisherOptions } from '../trading/session/publisher.js';
import { ZERO } from '../trading/decimal.js';
import type { ConnectionStatus } from '../upbit/socket/status.js';
import type { LogEntry as AuditEntry, LogSnapshot as AuditSnapshot } from '../ui/log-text.js';
import { formatMarketPrice, formatVolume } from '../ui/pane-lines.js';
import { createLogSink, openLogFd, type LogDrops, type LogSink, type LogSinkOptions } from './log-sink.js';

/** An entry of the trail, and the store's snapshot: the log pane's own types (src/ui/log-text.ts). */
export type { LogEntry as AuditEntry, LogKind as AuditKind, LogSnapshot as AuditSnapshot } from '../ui/log-text.js';

export interface AuditLogOptions extends PublisherOptions {
  /** Entries kept in memory for the pane. @default 500 */
  capacity?: number;
  /** Sink tuning (tests). @default a 256 KiB buffer, a 1 s flush deadline */
  sink?: Omit<LogSinkOptions, 'onFirstDrop'>;
}

/** What a connection is called in the trail: `quotation`, `private stream`. */
export type ConnectionName = string;

/** The shape of the private stream's status (`Venue.privateStream`). */
export interface StatusSource {
  status(): ConnectionStatus;
  onStatus(listener: (s: ConnectionStatus) => void): () => void;
}

export class AuditLog implements ExternalStore<AuditSnapshot> {
  readonly #dir: string;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #sinkOptions: Omit<LogSinkOptions, 'onFirstDrop'>;
  readonly #publisher: Publisher<AuditSnapshot>;
  readonly #ring: AuditEntry[] = [];
  readonly #offs = new Set<() => void>();
  #sink: { day: string; file: string; sink: LogSink } | null = null;
  /** Flushes of the files of days gone by, still under way. */
  readonly #retiring = new Set<Promise<void>>();
  #fileFailed = false;
  #closed = false;

  /** `stateDir`: the directory of the log file (`path.dirname(appPaths().logFile)`). */
  constructor(stateDir: string, options: AuditLogOptions = {}) {
    this.#dir = path.join(stateDir, 'audit');
    this.#capacity = Math.max(1, options.capacity ?? 500);
    this.#now = options.now ?? Date.now;
    this.#sinkOptions = { maxBufferBytes: 256 * 1024, flushDeadlineMs: 1000, ...options.sink };
    this.#publisher = new Publisher((version) => this.#build(version), options);
  }

  readonly getSnapshot = (): AuditSnapshot => this.#publisher.getSnapshot();
  readonly subscribe = (listener: () => void): (() => void) => this.#publisher.subscribe(listener);

  /** The file entries made at `at` go to. */
  fileFor(at: number): string {
    return path.join(this.#dir, `${localDay(at)}.jsonl`);
  }

  /** Add an entry (`at` defaults to now). Never throws, never blocks. */
  record(entry: Omit<AuditEntry, 'at'> & { at?: number }): void {
    const { at, ...rest } = entry;
    const e: AuditEntry = { at: at ?? this.#now(), ...rest };
    this.#ring.push(e);
    if (this.#ring.length > this.#capacity) this.#ring.splice(0, this.#ring.length - this.#capacity);
    this.#publisher.changed();
    if (!this.#fileFailed && !this.#closed) this.#write(e);
  }

  /**
   * Record what changes in the orders store: an order that opens (here or elsewhere), a fill,
   * an order that ends, an attempt the exchange refused. What the store already holds when
   * this starts, and the open orders of its first read, are the baseline (one notice says how
   * many were open), not events. Returns the release.
   */
  watchOrders(store: ExternalStore<OrdersSnapshot>): () => void {
    const since = this.#now();
    let prev = store.getSnapshot();
    const seenFills = new Set(prev.fills.map((f) => f.tradeUuid));
    const seenRefusals = new Set(prev.attempts.filter((a) => a.state === 'rejected').map((a) => a.identifier));
    const pending = new Map<string, PendingOrder>();
    let timer: NodeJS.Timeout | null = null;
    const judge = (): void => {
      timer = null;
      this.#judge(store.getSnapshot(), pending);
      // Held ones are said when the journal has caught up, or with what is known by then.
      if (pending.size > 0) timer = setTimeout(judge, JUDGE_MS).unref();
    };
    const off = store.subscribe(() => {
      const next = store.getSnapshot();
      if (next === prev) return;
      this.#diffOrders(prev, next, since, seenFills, seenRefusals, pending);
      prev = next;
      this.#judge(next, pending);
      if (pending.size > 0 && timer === null) timer = setTimeout(judge, JUDGE_MS).unref();
    });
    return this.#own(() => {
      off();
      if (timer !== null) clearTimeout(timer);
    });
  }

  /**
   * A listener for a connection's status (the quotation feed's `onStatus`): each change of
   * state is one entry (`live`, `reconnecting`, …; a new attempt in the same state is not).
   */
  connectionListener(name: ConnectionName): (s: ConnectionStatus) => void {
    let last: ConnectionStatus['state'] | null = null;
    return (s) => {
      if (s.state === last || this.#closed) return;
      const first = last === null;
      last = s.state;
      // The first connecting of a run is no news.
      if (first && (s.state === 'connecting' || s.state === 'idle')) return;
      this.record({ kind: 'connection', text: connectionText(name, s), data: { connection: name, state: s.state } });
    };
  }

  /** Record the changes of a status source (`venue.privateStream`). Returns the release. */
  watchConnection(name: ConnectionName, source: StatusSource): () => void {
    const listener = this.connectionListener(name);
    listener(source.status());
    return this.#own(source.onStatus(listener));
  }

  /**
   * Stop watching, publish what is pending, and flush the file within the sink's deadline
   * (1 s by default). Entries recorded later are kept in memory only. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of [...this.#offs]) off();
    this.#publisher.close();
    const current = this.#sink?.sink.flush();
    await Promise.all([...this.#retiring, ...(current === undefined ? [] : [current])]);
  }

  #own(off: () => void): () => void {
    const release = (): void => {
      this.#offs.delete(release);
      off();
    };
    this.#offs.add(release);
    return release;
  }

  #write(e: AuditEntry): void {
    const day = localDay(e.at);
    if (this.#sink?.day !== day) this.#openDay(day);
    this.#sink?.sink.write(`${jsonLine(e)}\n`);
  }

  #openDay(day: string): void {
    const old = this.#sink;
    if (old !== null) {
      // The old day's descriptor stays open until the process ends, as the log file's does.
      const done = old.sink.flush().finally(() => this.#retiring.delete(done));
      this.#retiring.add(done);
    }
    const file = path.join(this.#dir, `${day}.jsonl`);
    const open = (): number => {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      return openLogFd(file);
    };
    const sink = createLogSink(open, { ...this.#sinkOptions, onFirstDrop: (drops) => this.#fileFailedWith(file, drops) });
    this.#sink = { day, file, sink };
  }

  #fileFailedWith(file: string, drops: LogDrops): void {
    if (this.#fileFailed) return;
    this.#fileFailed = true;
    this.record({
      kind: 'error',
      text: `The audit trail cannot be written to ${file} (${drops.reason}); it is kept on screen only for the rest of this run. Free space there or make the folder writable (or set XDG_STATE_HOME elsewhere), then restart.`,
      data: { file, reason: drops.reason },
    });
  }

  /**
   * Say the held orders whose story the journal now knows (this app's identifier among its
   * attempts, a cancel or done recorded), and the ones held longer than JUDGE_MS with what
   * is known by then.
   */
  #judge(next: OrdersSnapshot, pending: Map<string, PendingOrder>): void {
    const mine = new Map(next.attempts.map((a) => [a.identifier, a]));
    const now = this.#now();
    let held = false;
    for (const [key, p] of pending) {
      const attempt = p.order.identifier === null ? undefined : mine.get(p.order.identifier);
      // An order without an identifier was not placed by upbit-tui: nothing to wait for.
      const known = p.order.identifier === null || (p.kind === 'open' ? attempt !== undefined : attempt !== undefined && TERMINAL.has(attempt.state));
      // In order: nothing is said before an entry held ahead of it.
      if (held || (!known && now - p.at < JUDGE_MS)) {
        held = true;
        continue;
      }
      pending.delete(key);
      const o = p.order;
      if (p.kind === 'open') this.record({ kind: 'order', market: o.market, text: `Open: ${orderText(o)}, ${attempt !== undefined ? 'placed here' : 'placed elsewhere'}.`, data: orderData(o) });
      else {
        const { kind, how } = howEnded(o, next);
        this.record({ kind, market: o.market, text: `${how}: ${orderText(o)}.`, data: { uuid: o.uuid, identifier: o.identifier } });
      }
    }
  }

  #diffOrders(prev: OrdersSnapshot, next: OrdersSnapshot, since: number, seenFills: Set<string>, seenRefusals: Set<string>, pending: Map<string, PendingOrder>): void {
    const at = this.#now();
    const before = new Map(prev.open.map((o) => [o.uuid, o]));
    const now = new Set(next.open.map((o) => o.uuid));
    if (!prev.loaded && next.loaded) {
      // The first read: what was open before this run is the baseline.
      const n = next.open.filter((o) => !before.has(o.uuid)).length;
      if (n > 0) this.record({ kind: 'notice', text: `${n} open order${n === 1 ? '' : 's'} at start.`, data: { open: n } });
    } else {
      // An order with an identifier may be this app's before the journal read that says so
      // (the stream or the answer comes first): held until it does (#judge).
      for (const o of [...next.open].reverse()) if (!before.has(o.uuid)) pending.set(`open ${o.uuid}`, { order: o, at, kind: 'open' });
    }
    for (const f of [...next.fills].reverse()) {
      if (seenFills.has(f.tradeUuid)) continue;
      seenFills.add(f.tradeUuid);
      // An earlier run's fills, read from the journal, are not this run's trail.
      if (f.at < since) continue;
      this.record({ kind: 'fill', market: f.market, text: `Filled: ${fillText(f)}.`, data: fillData(f) });
    }
    for (const o of [...prev.open].reverse()) {
      if (now.has(o.uuid)) continue;
      // Said after its opening, even when that is still held (held entries are said in order).
      pending.set(`ended ${o.uuid}`, { order: o, at, kind: 'ended' });
    }
    for (const a of next.attempts) {
      if (a.state !== 'rejected' || seenRefusals.has(a.identifier)) continue;
      seenRefusals.add(a.identifier);
      const why = a.error === null ? 'no reason given' : a.error.message;
      this.record({ kind: 'refusal', market: a.market, text: `Refused by the exchange: ${a.side === 'bid' ? 'buy' : 'sell'} ${a.market} (${why}).`, data: { identifier: a.identifier, error: a.error } });
    }
  }

  #build(version: number): AuditSnapshot {
    return { version, entries: [...this.#ring], file: this.#fileFailed ? null : (this.#sink?.file ?? this.fileFor(this.#now())) };
  }
}

/** How long an order's opening or end waits for the journal to say whose it was and how it ended. */
const JUDGE_MS = 2_000;
const TERMINAL: ReadonlySet<string> = new Set(['cancel', 'done', 'rejected']);

interface PendingOrder {
  order: OpenOrder;
  at: number;
  kind: 'open' | 'ended';
}

/**
 * Why an order left the open list: the journal's word for this app's orders; else done when
 * the fills seen cover it (a market order, which has no volume to cover, by any fill); else
 * most likely cancelled, said with the doubt (fills made while the stream was away are missed).
 */
function howEnded(o: OpenOrder, next: OrdersSnapshot): { kind: 'order' | 'cancel'; how: string } {
  const attempt = o.identifier === null ? undefined : next.attempts.find((a) => a.identifier === o.identifier);
  if (attempt?.state === 'cancel') return { kind: 'cancel', how: 'Cancelled' };
  if (attempt?.state === 'done') return { kind: 'order', how: 'Done' };
  const fills = next.fills.filter((f) => f.uuid === o.uuid);
  const filled = fills.reduce((sum, f) => sum.plus(f.volume), ZERO);
  const covered = o.volume === null ? fills.length > 0 : filled.gte(o.volume) || (o.remainingVolume !== null && o.remainingVolume.isZero());
  return covered ? { kind: 'order', how: 'Done' } : { kind: 'cancel', how: 'No longer open (cancelled, or filled while the stream was away)' };
}

/** `buy 0.0002 KRW-BTC at 50,000,000 (limit)`, `buy KRW-BTC for 10,000 KRW (price)`. */
function orderText(o: OpenOrder): string {
  const side = o.side === 'bid' ? 'buy' : 'sell';
  const amount = o.total !== null ? `${o.market} for ${o.total.toFixed()}` : `${o.volume === null ? '' : `${formatVolume(o.volume)} `}${o.market}`;
  const price = o.price === null ? '' : ` at ${formatMarketPrice(o.market, o.price)}`;
  return `${side} ${amount}${price} (${o.ordType})`;
}

function orderData(o: OpenOrder): Record<string, unknown> {
  return { uuid: o.uuid, identifier: o.identifier, side: o.side, ordType: o.ordType, price: o.price?.toFixed() ?? null, volume: o.volume?.toFixed() ?? null, total: o.total?.toFixed() ?? null };
}

function fillText(f: OrderFill): string {
  const fee = f.fee === null ? '' : `, fee ${formatVolume(f.fee)}`;
  return `${f.side === 'bid' ? 'bought' : 'sold'} ${formatVolume(f.volume)} ${f.market} at ${formatMarketPrice(f.market, f.price)}${fee}`;
}

function fillData(f: OrderFill): Record<string, unknown> {
  return { uuid: f.uuid, tradeUuid: f.tradeUuid, identifier: f.identifier, side: f.side, price: f.price.toFixed(), volume: f.volume.toFixed(), fee: f.fee?.toFixed() ?? null };
}

function connectionText(name: string, s: ConnectionStatus): string {
  switch (s.state) {
    case 'live':
      return `The ${name} connection is live.`;
    case 'connecting':
      return `The ${name} connection is connecting (attempt ${s.attempt}).`;
    case 'reconnecting':
      return `The ${name} connection dropped (${s.reason}); reconnecting.`;
    case 'offline':
      return `The ${name} connection is offline (${s.reason}); still retrying.`;
    case 'idle':
      return `The ${name} connection is closed (nothing subscribed).`;
  }
}

/** The entry as one JSON line; `data` a caller filled with something JSON cannot hold (a BigInt, a cycle) is left out and said. */
function jsonLine(e: AuditEntry): string {
  try {
    return JSON.stringify(e);
  } catch (error) {
    return JSON.stringify({ ...e, data: { unwritable: error instanceof Error ? error.message : String(error) } });
  }
}

/** `2026-12-02`, the local date (the file a person looks for is today's where they are). */
function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
