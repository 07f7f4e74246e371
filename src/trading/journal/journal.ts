/**
 * The write-ahead order journal (research perf-reliability §7.1): every attempt to place an
 * order is written as `pending` *before* it is sent, then moves to what the exchange said.
 * After a crash, whatever is still `pending` or `unknown` is exactly what start-up must look up
 * by identifier before anything new may be placed.
 *
 * better-sqlite3 is synchronous on purpose: a write has committed (and, with synchronous=FULL,
 * reached the disk) when the call returns, and no other code on the event loop can run between
 * the journal write and the send.
 */
import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { ORDER_FIELDS, plain, toMoney, type MoneyInput } from '../money.js';
import { AttemptInProgressError, IllegalTransitionError, JournalBugError, JournalError, JournalMismatchError } from './errors.js';
import { MAX_IDENTIFIER_LENGTH, newIdentifier } from './identifier.js';
import { normalizeEndpoint } from './path.js';
import { migrate } from './schema.js';
import {
  LIVE_STATES,
  UNRESOLVED_STATES,
  type Attempt,
  type AttemptDetail,
  type AttemptEvent,
  type AttemptState,
  type AttemptWithIntent,
  type Fill,
  type FillInput,
  type Intent,
  type IntentInput,
  type IntentWithAttempts,
  type JournalIdentity,
  type RejectionInput,
  type TerminalTotals,
} from './types.js';

export interface OpenJournalOptions extends JournalIdentity {
  /** @default Date.now */
  now?: () => number;
  /** Makes each attempt's identifier. @default newIdentifier */
  newIdentifier?: (now: number) => string;
  /**
   * How long a write waits for another process (the TUI and a CLI command may share a
   * journal) to finish its transaction before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

/** The edges of the attempt state machine (see {@link AttemptState}). */
const TRANSITIONS: Readonly<Record<AttemptState, readonly AttemptState[]>> = {
  pending: ['acked', 'rejected', 'unknown'],
  unknown: ['acked', 'not_found'],
  // A lookup said "not found" and the order shows up later anyway (a lagging replica, a
  // myOrder event after the grace window). The journal records what is true rather than
  // refusing and leaving a live order untracked.
  not_found: ['acked'],
  acked: ['done', 'cancel'],
  rejected: [],
  done: [],
  cancel: [],
};

/** States an attempt may receive fills in: its order exists. */
const FILLABLE: readonly AttemptState[] = ['acked', 'done', 'cancel'];

interface IntentRow {
  id: number;
  market: string;
  side: Intent['side'];
  ord_type: Intent['ordType'];
  price: string | null;
  volume: string | null;
  total: string | null;
  time_in_force: Intent['timeInForce'];
  source: Intent['source'];
  note: string | null;
  created_at: number;
}

interface AttemptRow {
  id: number;
  intent_id: number;
  identifier: string;
  state: AttemptState;
  uuid: string | null;
  error_name: string | null;
  error_message: string | null;
  unknown_reason: string | null;
  order_json: string | null;
  executed_volume: string | null;
  executed_funds: string | null;
  paid_fee: string | null;
  created_at: number;
  updated_at: number;
}

interface FillRow {
  trade_uuid: string;
  attempt_id: number;
  price: string;
  volume: string;
  funds: string;
  fee: string;
  at: number;
}

interface EventRow {
  from_state: AttemptState | null;
  to_state: AttemptState;
  detail: string | null;
  at: number;
}

/** The settings the journal runs with, for a diagnostics screen and the tests. */
export interface JournalPragmas {
  journalMode: string;
  /** 2 = FULL */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

/**
 * Open (creating if needed) the journal at `file` for one exchange endpoint and account.
 *
 * The directory is created 0700 and the file 0600 (the WAL and shared-memory files inherit
 * the database file's mode). A journal whose stored endpoint or account differs from the
 * expected ones is refused with a {@link JournalMismatchError}.
 *
 * Settings: WAL, so readers (a second process, the CLI) never block the writer;
 * `synchronous=FULL`, so each commit is fsynced to the WAL before it returns — with NORMAL a
 * committed `pending` row survives a process crash but can vanish in a power loss or kernel
 * panic, and an order sent in that window would be one the journal never knew about;
 * foreign keys on, so attempts and fills cannot point at nothing.
 */
export function openJournal(file: string, options: OpenJournalOptions): OrderJournal {
  if (options.endpoint.trim() === '' || options.accountId === '') throw new JournalBugError('A journal needs a non-empty endpoint and account id.');
  const now = options.now ?? Date.now;
  const identity = { endpoint: normalizeEndpoint(options.endpoint), accountId: options.accountId };
  prepareFile(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw new JournalError(`Cannot open the order journal ${file}: ${describe(error)}. Check that the file is a journal and its directory is writable, or pass another --data-dir.`, { cause: error });
  }
  try {
    configure(db, file, options.busyTimeoutMs ?? 5000);
    migrate(db, file, now);
    claim(db, file, identity, now);
    return new OrderJournal(db, file, identity, now, options.newIdentifier ?? newIdentifier);
  } catch (error) {
    db.close();
    if (error instanceof JournalError) throw error;
    throw new JournalError(`Cannot open the order journal ${file}: ${describe(error)}. Check that the file is an upbit-tui journal, or pass another --data-dir.`, { cause: error });
  }
}

/**
 * An open journal. Every method is synchronous and every write is one IMMEDIATE transaction:
 * it has taken the write lock before it reads what it checks, so a second process sharing the
 * file cannot slip a conflicting write between the check and the write.
 */
export class OrderJournal {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #newIdentifier: (now: number) => string;
  readonly #s: ReturnType<typeof statements>;

  /** @internal Use {@link openJournal}. */
  constructor(
    db: Database.Database,
    /** The database file. */
    readonly file: string,
    /** The endpoint (normalised) and account this journal belongs to. */
    readonly identity: JournalIdentity,
    now: () => number,
    makeIdentifier: (now: number) => string,
  ) {
    this.#db = db;
    this.#now = now;
    this.#newIdentifier = makeIdentifier;
    this.#s = statements(db);
  }

  /** Journal what was asked for. Amounts are checked to be positive decimals and stored exactly. */
  createIntent(input: IntentInput): Intent {
    const shape = ORDER_FIELDS[input.ordType]?.[input.side];
    if (shape === undefined || shape === null) throw new JournalBugError(`An intent of type ${input.ordType} cannot be a ${input.side}.`);
    const amounts = {
      price: amount(input.price, 'price'),
      volume: amount(input.volume, 'volume'),
      total: amount(input.total, 'total'),
    };
    for (const field of ['price', 'volume', 'total'] as const) {
      if (shape.includes(field) !== (amounts[field] !== null)) {
        throw new JournalBugError(`An intent of type ${input.ordType} (${input.side}) ${shape.includes(field) ? 'needs' : 'takes no'} ${field}; check the order with checkOrder before journalling it.`);
      }
    }
    return this.#write(() => {
      const id = Number(
        this.#s.insertIntent.run({
          market: input.market,
          side: input.side,
          ord_type: input.ordType,
          ...amounts,
          time_in_force: input.timeInForce ?? null,
          source: input.source,
          note: input.note ?? null,
          created_at: this.#now(),
        }).lastInsertRowid,
      );
      return this.#intent(id);
    });
  }

  /**
   * Start an attempt of `intentId`: journal it as `pending` with a fresh identifier, durably,
   * before the caller sends it. Refused with {@link AttemptInProgressError} while an earlier
   * attempt is `pending`, `unknown` or `acked` — a retry only after the first is known dead
   * (`rejected`, `not_found`) or finished (`done`, `cancel`).
   */
  beginAttempt(intentId: number): { attemptId: number; identifier: string } {
    return this.#write(() => {
      this.#intent(intentId);
      const live = this.#s.liveAttemptOfIntent.get(intentId);
      if (live !== undefined) throw new AttemptInProgressError(intentId, live.identifier, live.state);
      const at = this.#now();
      for (let tries = 1; ; tries++) {
        const identifier = this.#newIdentifier(at);
        if (identifier.length === 0 || identifier.length > MAX_IDENTIFIER_LENGTH) {
          throw new JournalBugError(`Identifier ${JSON.stringify(identifier)} is not 1–${MAX_IDENTIFIER_LENGTH} characters long.`);
        }
        if (this.#s.attemptByIdentifier.get(identifier) !== undefined) {
          // Only a broken generator repeats itself; a few fresh draws rule out bad luck.
          if (tries < 3) continue;
          throw new JournalBugError(`Identifier ${identifier} is already in the journal; the identifier generator repeats itself.`);
        }
        const attemptId = Number(this.#s.insertAttempt.run({ intent_id: intentId, identifier, at }).lastInsertRowid);
        this.#s.insertEvent.run({ attempt_id: attemptId, from_state: null, to_state: 'pending', detail: null, at });
        return { attemptId, identifier };
      }
    });
  }

  /**
   * The exchange accepted the order as `uuid` (the POST answer, a lookup, or a myOrder event).
   * Repeating it with the same uuid (the stream and the POST answer both tell us) only
   * refreshes the snapshot; a different uuid is a bug.
   */
  markAcked(identifier: string, uuid: string, orderSnapshot?: unknown): AttemptDetail {
    return this.#write(() => {
      if (uuid === '') throw new JournalBugError(`Attempt ${identifier} cannot be acked without an order uuid.`);
      const row = this.#row(identifier);
      const order = snapshot(orderSnapshot);
      if (row.uuid !== null && row.uuid !== uuid) {
        throw new IllegalTransitionError(row.id, identifier, row.state, 'acked', `it is already order ${row.uuid}, not ${uuid}`);
      }
      if (row.state === 'acked' || row.state === 'done' || row.state === 'cancel') {
        if (order !== null && row.state === 'acked') this.#s.setSnapshot.run({ id: row.id, order_json: order, at: this.#now() });
        return this.#detail(row.id);
      }
      const owner = this.#s.attemptByUuid.get(uuid);
      if (owner !== undefined) throw new JournalBugError(`Order ${uuid} is already journalled as attempt ${owner.id} (${owner.identifier}); attempt ${row.id} (${identifier}) cannot claim it.`);
      this.#move(row, 'acked', uuid, (at) => this.#s.ack.run({ id: row.id, uuid, order_json: order, at }));
      return this.#detail(row.id);
    });
  }

  /** The exchange refused the order. Its identifier stays burned; a retry needs a new attempt. */
  markRejected(identifier: string, error: RejectionInput): AttemptDetail {
    return this.#write(() => {
      const row = this.#row(identifier);
      this.#move(row, 'rejected', `${error.name}: ${error.message}`, (at) =>
        this.#s.reject.run({ id: row.id, error_name: error.name, error_message: error.message, at }),
      );
      return this.#detail(row.id);
    });
  }

  /** The request may have reached the exchange but no answer came: resolve by identifier lookup. */
  markUnknown(identifier: string, reason: string): AttemptDetail {
    return this.#write(() => {
      const row = this.#row(identifier);
      this.#move(row, 'unknown', reason, (at) => this.#s.unknown.run({ id: row.id, reason, at }));
      return this.#detail(row.id);
    });
  }

  /** A lookup by identifier proved there is no such order: the attempt is dead. */
  markNotFound(identifier: string): AttemptDetail {
    return this.#write(() => {
      const row = this.#row(identifier);
      this.#move(row, 'not_found', null, (at) => this.#s.setState.run({ id: row.id, state: 'not_found', at }));
      return this.#detail(row.id);
    });
  }

  /**
   * Record one trade of the attempt's order. Idempotent by trade uuid: returns false when the
   * trade was already recorded (the stream and a REST reconciliation both report it).
   */
  recordFill(identifier: string, fill: FillInput): boolean {
    return this.#write(() => {
      const row = this.#row(identifier);
      if (!FILLABLE.includes(row.state)) throw new IllegalTransitionError(row.id, identifier, row.state, 'fill', `trade ${fill.tradeUuid}`);
      const existing = this.#s.fillByTrade.get(fill.tradeUuid);
      if (existing !== undefined) {
        if (existing.attempt_id !== row.id) {
          throw new JournalBugError(`Trade ${fill.tradeUuid} is already recorded for attempt ${existing.attempt_id}, not attempt ${row.id} (${identifier}).`);
        }
        return false;
      }
      const price = toMoney(fill.price, 'Fill price');
      const volume = toMoney(fill.volume, 'Fill volume');
      const funds = fill.funds === undefined || fill.funds === null ? price.mul(volume) : toMoney(fill.funds, 'Fill funds');
      this.#s.insertFill.run({
        trade_uuid: fill.tradeUuid,
        attempt_id: row.id,
        price: plain(price),
        volume: plain(volume),
        funds: plain(funds),
        fee: plain(toMoney(fill.fee, 'Fill fee')),
        at: fill.at,
        recorded_at: this.#now(),
      });
      return true;
    });
  }

  /**
   * The order finished: `done` (filled) or `cancel` (cancelled, possibly partly filled — a
   * market buy's usual end). Repeating the same terminal state updates the totals.
   */
  markTerminal(identifier: string, state: 'done' | 'cancel', totals: TerminalTotals, orderSnapshot?: unknown): AttemptDetail {
    return this.#write(() => {
      const row = this.#row(identifier);
      const at = this.#now();
      const values = {
        id: row.id,
        state,
        executed_volume: plain(toMoney(totals.executedVolume, 'Executed volume')),
        executed_funds: totals.executedFunds === undefined || totals.executedFunds === null ? null : plain(toMoney(totals.executedFunds, 'Executed funds')),
        paid_fee: plain(toMoney(totals.paidFee, 'Paid fee')),
        order_json: snapshot(orderSnapshot),
        at,
      };
      if (row.state === state) {
        this.#s.terminal.run(values);
      } else {
        this.#move(row, state, `executed ${values.executed_volume}, fee ${values.paid_fee}`, () => this.#s.terminal.run(values), at);
      }
      return this.#detail(row.id);
    });
  }

  /** Attempts in `pending` or `unknown`, oldest first: start-up resolves all of them before anything new is placed. */
  unresolved(): AttemptWithIntent[] {
    return this.#s.attemptsInStates.all(JSON.stringify(UNRESOLVED_STATES)).map((r) => this.#withIntent(r));
  }

  /** Acked attempts whose order has not finished, oldest first: what reconciliation follows. */
  openAttempts(): AttemptWithIntent[] {
    return this.#s.attemptsInStates.all(JSON.stringify(['acked'])).map((r) => this.#withIntent(r));
  }

  attemptByIdentifier(identifier: string): AttemptDetail | undefined {
    const row = this.#s.attemptByIdentifier.get(identifier);
    return row === undefined ? undefined : this.#detail(row.id);
  }

  attemptByUuid(uuid: string): AttemptDetail | undefined {
    const row = this.#s.attemptByUuid.get(uuid);
    return row === undefined ? undefined : this.#detail(row.id);
  }

  intent(id: number): IntentWithAttempts | undefined {
    const row = this.#s.intentById.get(id);
    return row === undefined ? undefined : this.#withAttempts(row);
  }

  /**
   * Intents, newest first, each with its attempts and their fills.
   * @param options.limit @default 50
   */
  intents(options: { limit?: number } = {}): IntentWithAttempts[] {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    return this.#s.recentIntents.all(limit).map((r) => this.#withAttempts(r));
  }

  /** An attempt's history, oldest first. */
  events(identifier: string): AttemptEvent[] {
    const row = this.#row(identifier);
    return this.#s.eventsOf.all(row.id).map((e) => ({ from: e.from_state, to: e.to_state, detail: e.detail, at: e.at }));
  }

  /** The stored `meta` key/values (endpoint, account_id, created_at). */
  meta(): Record<string, string> {
    return Object.fromEntries(this.#s.allMeta.all().map((m) => [m.key, m.value]));
  }

  pragmas(): JournalPragmas {
    return {
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.#db.pragma('synchronous', { simple: true })),
      foreignKeys: Number(this.#db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(this.#db.pragma('busy_timeout', { simple: true })),
    };
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Close the database. Safe to call twice. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Check the edge, apply the row update, log the event; inside the caller's transaction. */
  #move(row: AttemptRow, to: AttemptState, detail: string | null, update: (at: number) => unknown, at: number = this.#now()): void {
    if (!TRANSITIONS[row.state].includes(to)) throw new IllegalTransitionError(row.id, row.identifier, row.state, to);
    update(at);
    this.#s.insertEvent.run({ attempt_id: row.id, from_state: row.state, to_state: to, detail, at });
  }

  #row(identifier: string): AttemptRow {
    const row = this.#s.attemptByIdentifier.get(identifier);
    if (row === undefined) throw new JournalBugError(`No attempt with identifier ${identifier} is in the journal ${this.file}.`);
    return row;
  }

  #intent(id: number): Intent {
    const row = this.#s.intentById.get(id);
    if (row === undefined) throw new JournalBugError(`No intent ${id} is in the journal ${this.file}.`);
    return toIntent(row);
  }

  #withIntent(row: AttemptRow): AttemptWithIntent {
    return { ...toAttempt(row), intent: this.#intent(row.intent_id) };
  }

  #detail(attemptId: number): AttemptDetail {
    const row = this.#s.attemptById.get(attemptId);
    if (row === undefined) throw new JournalBugError(`Attempt ${attemptId} vanished from the journal ${this.file}.`);
    return { ...this.#withIntent(row), fills: this.#fills(attemptId) };
  }

  #fills(attemptId: number): Fill[] {
    return this.#s.fillsOf.all(attemptId).map(toFill);
  }

  #withAttempts(row: IntentRow): IntentWithAttempts {
    return { ...toIntent(row), attempts: this.#s.attemptsOfIntent.all(row.id).map((a) => ({ ...toAttempt(a), fills: this.#fills(a.id) })) };
  }
}

function statements(db: Database.Database) {
  const live = LIVE_STATES.map((s) => `'${s}'`).join(', ');
  return {
    insertIntent: db.prepare<[Omit<IntentRow, 'id'>]>(
      `INSERT INTO intents (market, side, ord_type, price, volume, total, time_in_force, source, note, created_at)
       VALUES (@market, @side, @ord_type, @price, @volume, @total, @time_in_force, @source, @note, @created_at)`,
    ),
    intentById: db.prepare<[number], IntentRow>('SELECT * FROM intents WHERE id = ?'),
    recentIntents: db.prepare<[number], IntentRow>('SELECT * FROM intents ORDER BY id DESC LIMIT ?'),
    insertAttempt: db.prepare<[{ intent_id: number; identifier: string; at: number }]>(
      `INSERT INTO attempts (intent_id, identifier, state, created_at, updated_at) VALUES (@intent_id, @identifier, 'pending', @at, @at)`,
    ),
    attemptById: db.prepare<[number], AttemptRow>('SELECT * FROM attempts WHERE id = ?'),
    attemptByIdentifier: db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE identifier = ?'),
    attemptByUuid: db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE uuid = ?'),
    attemptsOfIntent: db.prepare<[number], AttemptRow>('SELECT * FROM attempts WHERE intent_id = ? ORDER BY id'),
    liveAttemptOfIntent: db.prepare<[number], AttemptRow>(`SELECT * FROM attempts WHERE intent_id = ? AND state IN (${live}) ORDER BY id LIMIT 1`),
    attemptsInStates: db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE state IN (SELECT value FROM json_each(?)) ORDER BY id'),
    ack: db.prepare<[{ id: number; uuid: string; order_json: string | null; at: number }]>(
      `UPDATE attempts SET state = 'acked', uuid = @uuid, order_json = COALESCE(@order_json, order_json), updated_at = @at WHERE id = @id`,
    ),
    setSnapshot: db.prepare<[{ id: number; order_json: string; at: number }]>('UPDATE attempts SET order_json = @order_json, updated_at = @at WHERE id = @id'),
    reject: db.prepare<[{ id: number; error_name: string; error_message: string; at: number }]>(
      `UPDATE attempts SET state = 'rejected', error_name = @error_name, error_message = @error_message, updated_at = @at WHERE id = @id`,
    ),
    unknown: db.prepare<[{ id: number; reason: string; at: number }]>(`UPDATE attempts SET state = 'unknown', unknown_reason = @reason, updated_at = @at WHERE id = @id`),
    setState: db.prepare<[{ id: number; state: AttemptState; at: number }]>('UPDATE attempts SET state = @state, updated_at = @at WHERE id = @id'),
    terminal: db.prepare<
      [{ id: number; state: AttemptState; executed_volume: string; executed_funds: string | null; paid_fee: string; order_json: string | null; at: number }]
    >(
      `UPDATE attempts SET state = @state, executed_volume = @executed_volume, executed_funds = @executed_funds, paid_fee = @paid_fee,
         order_json = COALESCE(@order_json, order_json), updated_at = @at WHERE id = @id`,
    ),
    insertEvent: db.prepare<[{ attempt_id: number; from_state: AttemptState | null; to_state: AttemptState; detail: string | null; at: number }]>(
      'INSERT INTO attempt_events (attempt_id, from_state, to_state, detail, at) VALUES (@attempt_id, @from_state, @to_state, @detail, @at)',
    ),
    eventsOf: db.prepare<[number], EventRow>('SELECT from_state, to_state, detail, at FROM attempt_events WHERE attempt_id = ? ORDER BY id'),
    insertFill: db.prepare<[FillRow & { recorded_at: number }]>(
      `INSERT INTO fills (trade_uuid, attempt_id, price, volume, funds, fee, at, recorded_at)
       VALUES (@trade_uuid, @attempt_id, @price, @volume, @funds, @fee, @at, @recorded_at)`,
    ),
    fillByTrade: db.prepare<[string], FillRow>('SELECT * FROM fills WHERE trade_uuid = ?'),
    fillsOf: db.prepare<[number], FillRow>('SELECT * FROM fills WHERE attempt_id = ? ORDER BY at, trade_uuid'),
    allMeta: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta ORDER BY key'),
  };
}

/** Create the directory (0700) and the file (0600) before SQLite does, so it never exists with looser modes. */
function prepareFile(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  } catch (error) {
    throw new JournalError(`Cannot create the order journal ${file}: ${describe(error)}. Check the permissions of ${path.dirname(file)}, or pass another --data-dir.`, { cause: error });
  }
}

function configure(db: Database.Database, file: string, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
  if (mode !== 'wal') {
    throw new JournalError(`The order journal ${file} cannot use write-ahead logging (SQLite chose ${mode}); put --data-dir on a local disk rather than a network share.`);
  }
  db.pragma('synchronous = FULL');
  // macOS: a plain fsync does not reach the platters; F_FULLFSYNC does. Ignored elsewhere.
  db.pragma('fullfsync = ON');
  db.pragma('checkpoint_fullfsync = ON');
  db.pragma('foreign_keys = ON');
}

/** Record the journal's owner on first open; refuse another owner's journal afterwards. */
function claim(db: Database.Database, file: string, identity: JournalIdentity, now: () => number): void {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const put = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    const endpoint = get.get('endpoint')?.value;
    const accountId = get.get('account_id')?.value;
    if (endpoint === undefined && accountId === undefined) {
      put.run('endpoint', identity.endpoint);
      put.run('account_id', identity.accountId);
      put.run('created_at', new Date(now()).toISOString());
      return;
    }
    const wrong: string[] = [];
    if (endpoint !== identity.endpoint) wrong.push(`endpoint ${endpoint ?? '(none)'}, not ${identity.endpoint}`);
    if (accountId !== identity.accountId) wrong.push(`account ${accountId ?? '(none)'}, not ${identity.accountId}`);
    if (wrong.length > 0) {
      throw new JournalMismatchError(
        `The order journal ${file} belongs to ${wrong.join(' and ')}; refusing to mix their orders. Use the journal path for this endpoint and account (journalPath), or move the file away if it was copied here by mistake.`,
      );
    }
  }).immediate();
}

function amount(value: MoneyInput | null | undefined, what: string): string | null {
  if (value === undefined || value === null) return null;
  const d = toMoney(value, `Intent ${what}`);
  if (!d.isPositive() || d.isZero()) throw new JournalBugError(`Intent ${what} ${d.toFixed()} is not above zero; check the order with checkOrder before journalling it.`);
  return plain(d);
}

function snapshot(order: unknown): string | null {
  if (order === undefined || order === null) return null;
  try {
    return JSON.stringify(order);
  } catch (error) {
    throw new JournalBugError(`The order snapshot cannot be stored as JSON: ${describe(error)}.`, { cause: error });
  }
}

function toIntent(r: IntentRow): Intent {
  return {
    id: r.id,
    market: r.market,
    side: r.side,
    ordType: r.ord_type,
    price: r.price,
    volume: r.volume,
    total: r.total,
    timeInForce: r.time_in_force,
    source: r.source,
    note: r.note,
    createdAt: r.created_at,
  };
}

function toAttempt(r: AttemptRow): Attempt {
  return {
    id: r.id,
    intentId: r.intent_id,
    identifier: r.identifier,
    state: r.state,
    uuid: r.uuid,
    error: r.error_name === null ? null : { name: r.error_name, message: r.error_message ?? '' },
    unknownReason: r.unknown_reason,
    order: r.order_json === null ? null : (JSON.parse(r.order_json) as unknown),
    executed: r.executed_volume === null || r.paid_fee === null ? null : { volume: r.executed_volume, funds: r.executed_funds, paidFee: r.paid_fee },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toFill(r: FillRow): Fill {
  return { tradeUuid: r.trade_uuid, attemptId: r.attempt_id, price: r.price, volume: r.volume, funds: r.funds, fee: r.fee, at: r.at };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
