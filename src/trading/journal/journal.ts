/**
 * The write-ahead order journal (docs/upbit-protocol.md#order-identifier): every attempt to place an
 * order is written as `pending` *before* it is sent, then moves to what the exchange said.
 * After a crash, whatever is still `pending` or `unknown` is exactly what start-up must look up
 * by identifier before anything new may be placed.
 *
 * better-sqlite3 is synchronous on purpose: a write has committed (and, with synchronous=FULL,
 * reached the disk) when the call returns, and no other code on the event loop can run between
 * the journal write and the send.
 */
import type Database from 'better-sqlite3';

import { openSqlite, pragma } from '../../runtime/sqlite.js';

import { ORDER_FIELDS, plain, toMoney } from '../money.js';
import { absorbJournal, otherJournals, type AbsorbReport, type OtherJournal } from './absorb.js';
import { AttemptClaims, type Claim, type ClaimPurpose, type ClaimResult } from './claims.js';
import { AttemptInProgressError, IllegalTransitionError, JournalBugError, JournalError } from './errors.js';
import { MAX_IDENTIFIER_LENGTH, newIdentifier } from './identifier.js';
import { normalizeEndpoint } from './path.js';
import { JournalQueries } from './queries.js';
import { amount, describe, snapshot, statements, type AttemptRow, type Statements } from './rows.js';
import { migrate } from './schema.js';
import { claim, configure, prepareFile } from './setup.js';
import { FILLABLE, moveAttempt } from './transitions.js';
import { RuleTable } from './rule-table.js';
import type {
  AttemptDetail,
  AttemptEvent,
  AttemptState,
  AttemptWithIntent,
  FillInput,
  Intent,
  IntentInput,
  IntentWithAttempts,
  JournalIdentity,
  RejectionInput,
  TerminalTotals,
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
    db = openSqlite(file);
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
  readonly #s: Statements;
  readonly #q: JournalQueries;
  readonly #claims: AttemptClaims;
  /** The monitor's rules, in this database so a firing and its order intent commit together. */
  readonly rules: RuleTable;

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
    this.#q = new JournalQueries(this.#s, file);
    this.#claims = new AttemptClaims(db, file);
    this.rules = new RuleTable(db, now);
  }

  /** This open journal's name as the owner of claims (see claims.ts): `<pid>-<random>`. */
  get owner(): string {
    return this.#claims.owner;
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
   * {@link createIntent} and {@link beginAttempt} in one transaction, with `also` run inside it
   * once both are written (the monitor moves its rule to `triggered` there): it commits all of
   * them or, when anything throws, none. So a crash can never leave a fired rule without its
   * order's pending attempt, nor an attempt of a rule that is still armed.
   */
  createIntentWithAttempt(input: IntentInput, also?: (ids: { intentId: number; attemptId: number; identifier: string }) => void): { intent: Intent; attemptId: number; identifier: string } {
    return this.#write(() => {
      const intent = this.createIntent(input);
      const attempt = this.beginAttempt(intent.id);
      also?.({ intentId: intent.id, ...attempt });
      return { intent, ...attempt };
    });
  }

  /**
   * {@link beginAttempt} of an existing intent with `also` in the same transaction (the monitor
   * re-sends a fired rule's order whose first attempt provably never reached the exchange).
   */
  beginAttemptWith(intentId: number, also?: (ids: { attemptId: number; identifier: string }) => void): { attemptId: number; identifier: string } {
    return this.#write(() => {
      const attempt = this.beginAttempt(intentId);
      also?.(attempt);
      return attempt;
    });
  }

  /** Run `fn` as one IMMEDIATE transaction (the journal's and its rule table's writes inside become savepoints): all of it commits, or none. */
  atomically<T>(fn: () => T): T {
    return this.#write(fn);
  }

  /** SQLite's data_version: changes when another connection (another process) commits to this file. */
  dataVersion(): number {
    return Number(pragma(this.#db, 'data_version'));
  }

  /**
   * Start an attempt of `intentId`: journal it as `pending` with a fresh identifier, durably,
   * before the caller sends it, claimed by this journal for placing (release it with
   * {@link releaseClaim} once the outcome is journalled). Refused with {@link AttemptInProgressError} while an earlier
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
        // Claimed in the same transaction: no other process ever sees it pending and unclaimed.
        this.#claims.take(attemptId, 'place', at);
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

  /**
   * Claim an attempt for this journal before looking it up or writing its outcome: refused
   * (`taken: false`) while a live process, this one included, places or resolves it. A claim
   * left by a process that died is taken over. Read the attempt's state after a successful
   * claim: another process may have resolved it meanwhile.
   */
  claim(identifier: string, purpose: ClaimPurpose = 'resolve'): ClaimResult {
    return this.#write(() => this.#claims.take(this.#row(identifier).id, purpose, this.#now()));
  }

  /** Give up this journal's claim on an attempt, if it has one. */
  releaseClaim(identifier: string): void {
    this.#write(() => this.#claims.release(this.#row(identifier).id));
  }

  /** Who claims an attempt now, if anyone, and whether that owner is alive. */
  claimOf(identifier: string): (Claim & { alive: boolean }) | undefined {
    const claim = this.#claims.of(this.#row(identifier).id);
    return claim === undefined ? undefined : { ...claim, alive: this.#claims.isAlive(claim.owner) };
  }

  /** Attempts in `pending` or `unknown`, oldest first: start-up resolves all of them before anything new is placed. */
  unresolved(): AttemptWithIntent[] {
    return this.#q.unresolved();
  }

  /** Acked attempts whose order has not finished, oldest first: what reconciliation follows. */
  openAttempts(): AttemptWithIntent[] {
    return this.#q.openAttempts();
  }

  attemptByIdentifier(identifier: string): AttemptDetail | undefined {
    return this.#q.attemptByIdentifier(identifier);
  }

  attemptByUuid(uuid: string): AttemptDetail | undefined {
    return this.#q.attemptByUuid(uuid);
  }

  intent(id: number): IntentWithAttempts | undefined {
    return this.#q.intent(id);
  }

  /**
   * Intents, newest first, each with its attempts and their fills.
   * @param options.limit @default 50
   */
  intents(options: { limit?: number } = {}): IntentWithAttempts[] {
    return this.#q.intents(options);
  }

  /** An attempt's history, oldest first. */
  events(identifier: string): AttemptEvent[] {
    return this.#q.events(identifier);
  }

  /** The other journals of this journal's directory, with the endpoint and account each was opened for. */
  otherJournals(): OtherJournal[] {
    return otherJournals(this.#db, this.file);
  }

  /**
   * Take every order of the journal `other` into this one (intents, attempts in whatever state,
   * fills, history; what is already here by identifier or uuid is skipped), then rename it
   * `*.sqlite.absorbed`. For a journal of the same account written under an earlier naming:
   * its unresolved attempts are then resolved by this journal's recovery.
   */
  absorb(other: string): AbsorbReport {
    return absorbJournal(this.#db, other);
  }

  /** The stored `meta` key/values (endpoint, account_id, created_at). */
  meta(): Record<string, string> {
    return this.#q.meta();
  }

  pragmas(): JournalPragmas {
    return {
      journalMode: String(pragma(this.#db, 'journal_mode')),
      synchronous: Number(pragma(this.#db, 'synchronous')),
      foreignKeys: Number(pragma(this.#db, 'foreign_keys')) === 1,
      busyTimeoutMs: Number(pragma(this.#db, 'busy_timeout')),
    };
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Give up this journal's claims and close the database. Safe to call twice. */
  close(): void {
    if (!this.#db.open) return;
    try {
      this.#claims.close(this.#db);
    } finally {
      this.#db.close();
    }
  }

  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Check the edge, apply the row update, log the event; inside the caller's transaction. */
  #move(row: AttemptRow, to: AttemptState, detail: string | null, update: (at: number) => unknown, at: number = this.#now()): void {
    moveAttempt(this.#s, row, to, detail, update, at);
  }

  #row(identifier: string): AttemptRow {
    return this.#q.row(identifier);
  }

  #intent(id: number): Intent {
    return this.#q.requireIntent(id);
  }

  #detail(attemptId: number): AttemptDetail {
    return this.#q.detail(attemptId);
  }
}
