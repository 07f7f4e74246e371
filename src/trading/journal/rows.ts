/**
 * The journal's SQL: the prepared statements, the shapes of their rows, and the mapping from
 * rows (snake_case, as stored) to the public types.
 */
import type Database from 'better-sqlite3';

import { plain, toMoney, type MoneyInput } from '../money.js';
import { JournalBugError } from './errors.js';
import { LIVE_STATES, type Attempt, type AttemptState, type Fill, type Intent } from './types.js';

export interface IntentRow {
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

export interface AttemptRow {
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

export interface FillRow {
  trade_uuid: string;
  attempt_id: number;
  price: string;
  volume: string;
  funds: string;
  fee: string;
  at: number;
}

export interface EventRow {
  from_state: AttemptState | null;
  to_state: AttemptState;
  detail: string | null;
  at: number;
}

export type Statements = ReturnType<typeof statements>;

export function statements(db: Database.Database) {
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

export function amount(value: MoneyInput | null | undefined, what: string): string | null {
  if (value === undefined || value === null) return null;
  const d = toMoney(value, `Intent ${what}`);
  if (!d.isPositive() || d.isZero()) throw new JournalBugError(`Intent ${what} ${d.toFixed()} is not above zero; check the order with checkOrder before journalling it.`);
  return plain(d);
}

export function snapshot(order: unknown): string | null {
  if (order === undefined || order === null) return null;
  try {
    return JSON.stringify(order);
  } catch (error) {
    throw new JournalBugError(`The order snapshot cannot be stored as JSON: ${describe(error)}.`, { cause: error });
  }
}

export function toIntent(r: IntentRow): Intent {
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

export function toAttempt(r: AttemptRow): Attempt {
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

export function toFill(r: FillRow): Fill {
  return { tradeUuid: r.trade_uuid, attemptId: r.attempt_id, price: r.price, volume: r.volume, funds: r.funds, fee: r.fee, at: r.at };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
