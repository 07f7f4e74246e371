/**
 * The monitor's rules as the journal stores them (schema step 3): one row a rule, its state
 * machine, and every move logged in `rule_events`. In the journal's own database, so that the
 * move to `triggered` and the order intent it fires commit in one transaction
 * ({@link OrderJournal.createIntentWithAttempt}): a crash leaves either both or neither.
 *
 * ```
 * disarmed ⇄ armed ──▶ triggered ──▶ ordered ──▶ filled
 *                         │  ▲          │
 *                         └──┘          └──▶ failed
 *                 (re-sent: its first    (so does triggered)
 *                  attempt never reached Upbit)
 * armed ──▶ failed (refused before an order was journalled: nothing to sell, under the minimum)
 * filled, failed ──▶ armed (armed again by the user)
 * ```
 *
 * The spec and the resolved trigger are the monitor's JSON (src/trading/monitor/rule-book.ts);
 * this module only keeps them and guards the edges. Every write is an IMMEDIATE transaction
 * (or a savepoint of the caller's), so two processes sharing the file cannot both move a rule
 * out of `armed`.
 */
import type Database from 'better-sqlite3';

import { JournalBugError } from './errors.js';

export type RuleState = 'disarmed' | 'armed' | 'triggered' | 'ordered' | 'filled' | 'failed';

export const RULE_STATES: readonly RuleState[] = ['disarmed', 'armed', 'triggered', 'ordered', 'filled', 'failed'];

/** The edges of a rule's state machine. */
export const RULE_TRANSITIONS: Readonly<Record<RuleState, readonly RuleState[]>> = {
  disarmed: ['armed'],
  // failed from armed: refused before any order was journalled (nothing left to sell, under the minimum).
  armed: ['disarmed', 'triggered', 'failed'],
  triggered: ['triggered', 'ordered', 'failed'],
  ordered: ['filled', 'failed'],
  filled: ['armed'],
  failed: ['armed'],
};

/** States in which a rule has an order that is, or may become, live: it cannot be removed or re-armed. */
export const FIRING_STATES: readonly RuleState[] = ['triggered', 'ordered'];

export interface StoredRule {
  id: number;
  market: string;
  /** The monitor's JSON of what the user asked for. */
  spec: string;
  /** The monitor's JSON of the trigger with its percents resolved at arming; null before the first arming. */
  resolved: string | null;
  oco: string | null;
  state: RuleState;
  /** A trailing stop's highest price since activation (decimal string), or null. */
  highWater: string | null;
  /** The order intent it fired, from `triggered` on. */
  intentId: number | null;
  /** Why it is in its state, in words: "disarmed by hand", "below the 5,000 KRW minimum". */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RuleEvent {
  from: RuleState | null;
  to: RuleState;
  detail: string | null;
  at: number;
}

/** A rule asked to move along an edge it does not have now (another process moved it first, or a caller's bug). */
export class RuleStateError extends Error {
  override name = 'RuleStateError';
  constructor(
    readonly ruleId: number,
    readonly from: RuleState,
    readonly to: RuleState,
    detail?: string,
  ) {
    super(`Rule ${ruleId} is ${from} and cannot become ${to}${detail === undefined ? '' : ` (${detail})`}.`);
  }
}

/** No such rule (or it was removed). */
export class RuleNotFoundError extends Error {
  override name = 'RuleNotFoundError';
  constructor(readonly ruleId: number) {
    super(`There is no rule ${ruleId}; \`upbit-tui rules list\` shows the rules there are.`);
  }
}

interface RuleRow {
  id: number;
  market: string;
  spec: string;
  resolved: string | null;
  oco: string | null;
  state: RuleState;
  high_water: string | null;
  intent_id: number | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

function toRule(r: RuleRow): StoredRule {
  return {
    id: r.id,
    market: r.market,
    spec: r.spec,
    resolved: r.resolved,
    oco: r.oco,
    state: r.state,
    highWater: r.high_water,
    intentId: r.intent_id,
    reason: r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface NewRule {
  market: string;
  spec: string;
  oco: string | null;
  /** Armed at once needs its resolved trigger; disarmed may have none yet. */
  state: 'armed' | 'disarmed';
  resolved: string | null;
  reason?: string | null;
}

/** What a move changes beside the state; a field left out keeps its value. */
export interface RulePatch {
  resolved?: string | null;
  highWater?: string | null;
  intentId?: number | null;
  reason?: string | null;
  spec?: string;
}

function statements(db: Database.Database) {
  return {
    insert: db.prepare<[{ market: string; spec: string; resolved: string | null; oco: string | null; state: RuleState; reason: string | null; at: number }]>(
      `INSERT INTO rules (market, spec, resolved, oco, state, reason, created_at, updated_at)
       VALUES (@market, @spec, @resolved, @oco, @state, @reason, @at, @at)`,
    ),
    byId: db.prepare<[number], RuleRow>('SELECT * FROM rules WHERE id = ? AND removed_at IS NULL'),
    live: db.prepare<[], RuleRow>('SELECT * FROM rules WHERE removed_at IS NULL ORDER BY id'),
    update: db.prepare<[{ id: number; state: RuleState; resolved: string | null; high_water: string | null; intent_id: number | null; reason: string | null; spec: string; at: number }]>(
      `UPDATE rules SET state = @state, resolved = @resolved, high_water = @high_water, intent_id = @intent_id, reason = @reason, spec = @spec, updated_at = @at WHERE id = @id`,
    ),
    highWater: db.prepare<[{ id: number; high_water: string; at: number }]>(
      `UPDATE rules SET high_water = @high_water, updated_at = @at WHERE id = @id AND removed_at IS NULL AND state = 'armed'`,
    ),
    setGroup: db.prepare<[{ id: number; oco: string; spec: string }]>('UPDATE rules SET oco = @oco, spec = @spec WHERE id = @id'),
    remove: db.prepare<[{ id: number; at: number }]>('UPDATE rules SET removed_at = @at, updated_at = @at WHERE id = @id'),
    event: db.prepare<[{ rule_id: number; from_state: RuleState | null; to_state: RuleState; detail: string | null; at: number }]>(
      'INSERT INTO rule_events (rule_id, from_state, to_state, detail, at) VALUES (@rule_id, @from_state, @to_state, @detail, @at)',
    ),
    events: db.prepare<[number], { from_state: RuleState | null; to_state: RuleState; detail: string | null; at: number }>(
      'SELECT from_state, to_state, detail, at FROM rule_events WHERE rule_id = ? ORDER BY id',
    ),
    recentEvents: db.prepare<[number, number], { id: number; rule_id: number; from_state: RuleState | null; to_state: RuleState; detail: string | null; at: number }>(
      'SELECT id, rule_id, from_state, to_state, detail, at FROM rule_events WHERE id > ? ORDER BY id LIMIT ?',
    ),
    lastEventId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM rule_events'),
  };
}

/** The rules of one journal (one account on one endpoint). Reached as `journal.rules`. */
export class RuleTable {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Database.Database, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#s = statements(db);
  }

  add(rule: NewRule): StoredRule {
    if (rule.state === 'armed' && rule.resolved === null) throw new JournalBugError('An armed rule needs its resolved trigger.');
    return this.#write(() => {
      const at = this.#now();
      const id = Number(
        this.#s.insert.run({ market: rule.market, spec: rule.spec, resolved: rule.resolved, oco: rule.oco, state: rule.state, reason: rule.reason ?? null, at }).lastInsertRowid,
      );
      this.#s.event.run({ rule_id: id, from_state: null, to_state: rule.state, detail: rule.reason ?? null, at });
      return this.#require(id);
    });
  }

  /** The rules not removed, oldest first. */
  list(): StoredRule[] {
    return this.#s.live.all().map(toRule);
  }

  get(id: number): StoredRule | undefined {
    const row = this.#s.byId.get(id);
    return row === undefined ? undefined : toRule(row);
  }

  /**
   * Move rule `id` to `to` (checked against {@link RULE_TRANSITIONS}, and against `from` when
   * given: the state the caller decided on) with `patch`, logging `detail`. Throws
   * {@link RuleStateError} when the rule is not where the move needs it (inside a caller's
   * transaction that rolls the whole of it back), {@link RuleNotFoundError} when it is gone.
   */
  move(id: number, to: RuleState, opts: { from?: readonly RuleState[]; patch?: RulePatch; detail?: string | null } = {}): StoredRule {
    return this.#write(() => {
      const row = this.#s.byId.get(id);
      if (row === undefined) throw new RuleNotFoundError(id);
      if (!RULE_TRANSITIONS[row.state].includes(to) || (opts.from !== undefined && !opts.from.includes(row.state))) {
        throw new RuleStateError(id, row.state, to, opts.detail ?? undefined);
      }
      const p = opts.patch ?? {};
      const at = this.#now();
      this.#s.update.run({
        id,
        state: to,
        resolved: p.resolved === undefined ? row.resolved : p.resolved,
        high_water: p.highWater === undefined ? row.high_water : p.highWater,
        intent_id: p.intentId === undefined ? row.intent_id : p.intentId,
        reason: p.reason === undefined ? row.reason : p.reason,
        spec: p.spec ?? row.spec,
        at,
      });
      this.#s.event.run({ rule_id: id, from_state: row.state, to_state: to, detail: opts.detail ?? null, at });
      return this.#require(id);
    });
  }

  /**
   * Keep trailing high-water marks (only of rules still armed: one that fired keeps the mark
   * it fired at). One transaction for the lot.
   */
  saveHighWater(marks: Iterable<{ id: number; highWater: string }>): void {
    const list = [...marks];
    if (list.length === 0) return;
    this.#write(() => {
      const at = this.#now();
      for (const m of list) this.#s.highWater.run({ id: m.id, high_water: m.highWater, at });
    });
  }

  /** Change what rule `id` asks for without moving it (reconciliation resizes a rule to the holding), logged as an event. */
  amend(id: number, spec: string, detail: string): StoredRule {
    return this.#write(() => {
      const row = this.#s.byId.get(id);
      if (row === undefined) throw new RuleNotFoundError(id);
      const at = this.#now();
      this.#s.update.run({ id, state: row.state, resolved: row.resolved, high_water: row.high_water, intent_id: row.intent_id, reason: detail, spec, at });
      this.#s.event.run({ rule_id: id, from_state: row.state, to_state: row.state, detail, at });
      return this.#require(id);
    });
  }

  /** Put a rule just added into OCO group `oco` (its spec saying so too): part of adding rules together. */
  setGroup(id: number, oco: string, spec: string): void {
    this.#write(() => this.#s.setGroup.run({ id, oco, spec }));
  }

  /** Remove a rule (its row and history stay, out of every list). Refused while it has an order in the air. */
  remove(id: number): StoredRule {
    return this.#write(() => {
      const row = this.#s.byId.get(id);
      if (row === undefined) throw new RuleNotFoundError(id);
      if (FIRING_STATES.includes(row.state)) {
        throw new RuleStateError(id, row.state, row.state, 'its order is still being placed or is open; remove it once the order has ended');
      }
      this.#s.remove.run({ id, at: this.#now() });
      return toRule(row);
    });
  }

  events(id: number): RuleEvent[] {
    return this.#s.events.all(id).map((e) => ({ from: e.from_state, to: e.to_state, detail: e.detail, at: e.at }));
  }

  /** Events after event `afterId` (0: from the start), oldest first, for a log that follows them: each with its rule and id. */
  eventsAfter(afterId: number, limit = 500): Array<RuleEvent & { id: number; ruleId: number }> {
    return this.#s.recentEvents.all(afterId, limit).map((e) => ({ id: e.id, ruleId: e.rule_id, from: e.from_state, to: e.to_state, detail: e.detail, at: e.at }));
  }

  /** The newest event's id (0 when there is none). */
  lastEventId(): number {
    return this.#s.lastEventId.get()?.id ?? 0;
  }

  #require(id: number): StoredRule {
    const row = this.#s.byId.get(id);
    if (row === undefined) throw new RuleNotFoundError(id);
    return toRule(row);
  }

  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }
}
