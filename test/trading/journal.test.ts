import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  AttemptInProgressError,
  IllegalTransitionError,
  JournalBugError,
  JournalError,
  JournalMismatchError,
  MAX_IDENTIFIER_LENGTH,
  SCHEMA_VERSION,
  journalPath,
  newIdentifier,
  type AttemptState,
  type OrderJournal,
} from '../../src/trading/journal/index.js';
import { openSqlite, pragma } from '../../src/runtime/sqlite.js';
import { LIMIT_BUY, LIVE, open, tempDir } from './journal-helpers.js';

function fresh(): { journal: OrderJournal; file: string } {
  const file = path.join(tempDir(), 'j.sqlite');
  return { journal: open(file), file };
}

let uuidCounter = 0;
const nextUuid = (): string => `uuid-${++uuidCounter}`;

const TOTALS = { executedVolume: '0.001', executedFunds: '95000', paidFee: '47.5' };

/** Start an attempt and walk it into `state` along legal edges; returns its identifier. */
function attemptIn(journal: OrderJournal, state: AttemptState): string {
  const intent = journal.createIntent(LIMIT_BUY);
  const { identifier } = journal.beginAttempt(intent.id);
  switch (state) {
    case 'pending':
      break;
    case 'acked':
      journal.markAcked(identifier, nextUuid());
      break;
    case 'rejected':
      journal.markRejected(identifier, { name: 'insufficient_funds_bid', message: '주문가능한 금액(KRW)이 부족합니다.' });
      break;
    case 'unknown':
      journal.markUnknown(identifier, 'timeout after 5000 ms');
      break;
    case 'not_found':
      journal.markUnknown(identifier, 'connection reset');
      journal.markNotFound(identifier);
      break;
    case 'done':
    case 'cancel':
      journal.markAcked(identifier, nextUuid());
      journal.markTerminal(identifier, state, TOTALS);
      break;
  }
  expect(journal.attemptByIdentifier(identifier)?.state).toBe(state);
  return identifier;
}

type Op = 'ack' | 'reject' | 'unknown' | 'not_found' | 'done' | 'cancel';

function apply(journal: OrderJournal, identifier: string, op: Op): void {
  const uuid = journal.attemptByIdentifier(identifier)?.uuid ?? nextUuid();
  switch (op) {
    case 'ack':
      journal.markAcked(identifier, uuid, { state: 'wait' });
      return;
    case 'reject':
      journal.markRejected(identifier, { name: 'invalid_price_bid', message: 'bad tick' });
      return;
    case 'unknown':
      journal.markUnknown(identifier, 'timeout');
      return;
    case 'not_found':
      journal.markNotFound(identifier);
      return;
    case 'done':
    case 'cancel':
      journal.markTerminal(identifier, op, TOTALS);
      return;
  }
}

const STATES: AttemptState[] = ['pending', 'acked', 'rejected', 'unknown', 'not_found', 'done', 'cancel'];
const OPS: Op[] = ['ack', 'reject', 'unknown', 'not_found', 'done', 'cancel'];

/** The state each op leads to from each state; absent: illegal. Same-state entries are idempotent repeats. */
const LEGAL: Record<AttemptState, Partial<Record<Op, AttemptState>>> = {
  pending: { ack: 'acked', reject: 'rejected', unknown: 'unknown' },
  acked: { ack: 'acked', done: 'done', cancel: 'cancel' },
  rejected: {},
  unknown: { ack: 'acked', not_found: 'not_found' },
  not_found: { ack: 'acked' },
  done: { ack: 'done', done: 'done' },
  cancel: { ack: 'cancel', cancel: 'cancel' },
};

describe('attempt state machine', () => {
  const cases = STATES.flatMap((state) => OPS.map((op) => [state, op, LEGAL[state][op] ?? null] as const));

  it.each(cases)('%s + %s → %s', (state, op, expected) => {
    const { journal } = fresh();
    const identifier = attemptIn(journal, state);
    const before = journal.attemptByIdentifier(identifier);
    const eventsBefore = journal.events(identifier).length;
    if (expected === null) {
      let error: unknown;
      try {
        apply(journal, identifier, op);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IllegalTransitionError);
      const e = error as IllegalTransitionError;
      expect(e).toBeInstanceOf(JournalBugError);
      expect(e.identifier).toBe(identifier);
      expect(e.from).toBe(state);
      expect(e.message).toContain(identifier);
      expect(e.message).toContain(`from ${state}`);
      // The transaction rolled back: nothing changed, nothing logged.
      expect(journal.attemptByIdentifier(identifier)).toEqual(before);
      expect(journal.events(identifier)).toHaveLength(eventsBefore);
    } else {
      apply(journal, identifier, op);
      expect(journal.attemptByIdentifier(identifier)?.state).toBe(expected);
      expect(journal.events(identifier)).toHaveLength(expected === state ? eventsBefore : eventsBefore + 1);
    }
  });

  it('keeps the history of an attempt', () => {
    const { journal } = fresh();
    const id = attemptIn(journal, 'pending');
    journal.markUnknown(id, 'socket hang up');
    journal.markAcked(id, 'u-1', { uuid: 'u-1', state: 'wait' });
    journal.markTerminal(id, 'cancel', { executedVolume: '0', paidFee: '0' });
    expect(journal.events(id).map((e) => [e.from, e.to])).toEqual([
      [null, 'pending'],
      ['pending', 'unknown'],
      ['unknown', 'acked'],
      ['acked', 'cancel'],
    ]);
    const a = journal.attemptByIdentifier(id);
    expect(a?.unknownReason).toBe('socket hang up');
    expect(a?.order).toEqual({ uuid: 'u-1', state: 'wait' });
    expect(a?.executed).toEqual({ volume: '0', funds: null, paidFee: '0' });
  });

  it('records a rejection with the exchange error', () => {
    const { journal } = fresh();
    const id = attemptIn(journal, 'rejected');
    expect(journal.attemptByIdentifier(id)?.error).toEqual({ name: 'insufficient_funds_bid', message: '주문가능한 금액(KRW)이 부족합니다.' });
  });

  it('refuses a second uuid for an acked attempt, and one uuid for two attempts', () => {
    const { journal } = fresh();
    const a = attemptIn(journal, 'acked');
    const uuid = journal.attemptByIdentifier(a)?.uuid ?? '';
    expect(() => journal.markAcked(a, 'other-uuid')).toThrow(IllegalTransitionError);
    const b = attemptIn(journal, 'pending');
    expect(() => journal.markAcked(b, uuid)).toThrow(/already journalled as attempt/);
    expect(journal.attemptByIdentifier(b)?.state).toBe('pending');
    expect(() => journal.markAcked(b, '')).toThrow(JournalBugError);
  });

  it('throws a bug error for identifiers and intents it never journalled', () => {
    const { journal } = fresh();
    expect(() => journal.markAcked('ut-nope', 'u')).toThrow(/No attempt with identifier ut-nope/);
    expect(() => journal.beginAttempt(999)).toThrow(JournalBugError);
    expect(journal.attemptByIdentifier('ut-nope')).toBeUndefined();
    expect(journal.attemptByUuid('nope')).toBeUndefined();
  });

  it('finds attempts by uuid', () => {
    const { journal } = fresh();
    const id = attemptIn(journal, 'acked');
    const uuid = journal.attemptByIdentifier(id)?.uuid ?? '';
    expect(journal.attemptByUuid(uuid)?.identifier).toBe(id);
    expect(journal.attemptByUuid(uuid)?.intent.market).toBe('KRW-BTC');
  });
});

describe('beginAttempt', () => {
  it.each(['pending', 'unknown', 'acked'] as const)('refuses while an earlier attempt is %s', (state) => {
    const { journal } = fresh();
    const id = attemptIn(journal, state);
    const intentId = journal.attemptByIdentifier(id)?.intentId ?? -1;
    let error: unknown;
    try {
      journal.beginAttempt(intentId);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttemptInProgressError);
    expect((error as Error).message).toContain(id);
    expect((error as Error).message).toContain(state);
    expect(journal.intent(intentId)?.attempts).toHaveLength(1);
  });

  it.each(['rejected', 'not_found', 'done', 'cancel'] as const)('allows a new attempt with a new identifier after %s', (state) => {
    const { journal } = fresh();
    const first = attemptIn(journal, state);
    const intentId = journal.attemptByIdentifier(first)?.intentId ?? -1;
    const second = journal.beginAttempt(intentId);
    expect(second.identifier).not.toBe(first);
    expect(journal.intent(intentId)?.attempts.map((a) => a.state)).toEqual([state, 'pending']);
  });

  it('is refused through a second connection to the same file as well', () => {
    const { journal, file } = fresh();
    const other = open(file);
    const intent = journal.createIntent(LIMIT_BUY);
    journal.beginAttempt(intent.id);
    expect(() => other.beginAttempt(intent.id)).toThrow(AttemptInProgressError);
  });

  it('makes identifiers that fit Upbit and never repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newIdentifier(1_760_000_000_000);
      expect(id).toMatch(/^ut-[0-9a-z]+-[0-9a-f]{16}$/);
      expect(id.length).toBeLessThanOrEqual(MAX_IDENTIFIER_LENGTH);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });

  it('draws again when the generator repeats an identifier already journalled', () => {
    const ids = ['ut-a-1', 'ut-a-1', 'ut-a-2'];
    const { file } = fresh();
    const journal = open(file, { newIdentifier: () => ids.shift() ?? 'ut-end' });
    const a = journal.createIntent(LIMIT_BUY);
    const b = journal.createIntent(LIMIT_BUY);
    expect(journal.beginAttempt(a.id).identifier).toBe('ut-a-1');
    expect(journal.beginAttempt(b.id).identifier).toBe('ut-a-2');
  });
});

describe('pending is durable before beginAttempt returns', () => {
  it('a second connection reads it at once', () => {
    const { journal, file } = fresh();
    const intent = journal.createIntent(LIMIT_BUY);
    const { identifier } = journal.beginAttempt(intent.id);
    const reader = openSqlite(file, { readonly: true });
    try {
      const row = reader.prepare<[string], { state: string; intent_id: number }>('SELECT state, intent_id FROM attempts WHERE identifier = ?').get(identifier);
      expect(row).toEqual({ state: 'pending', intent_id: intent.id });
    } finally {
      reader.close();
    }
  });
});

describe('fills', () => {
  const fill = { tradeUuid: 't-1', price: '95000000', volume: '0.0004', fee: '19', at: 1_760_000_000_000 };

  it('are recorded once per trade uuid', () => {
    const { journal } = fresh();
    const id = attemptIn(journal, 'acked');
    expect(journal.recordFill(id, fill)).toBe(true);
    expect(journal.recordFill(id, fill)).toBe(false);
    expect(journal.recordFill(id, { ...fill, tradeUuid: 't-2', funds: '38000' })).toBe(true);
    const fills = journal.attemptByIdentifier(id)?.fills ?? [];
    expect(fills.map((f) => [f.tradeUuid, f.funds])).toEqual([
      ['t-1', '38000'],
      ['t-2', '38000'],
    ]);
  });

  it('may arrive after the terminal state, never before the order is known', () => {
    const { journal } = fresh();
    expect(journal.recordFill(attemptIn(journal, 'done'), fill)).toBe(true);
    for (const state of ['pending', 'unknown', 'rejected', 'not_found'] as const) {
      const id = attemptIn(journal, state);
      expect(() => journal.recordFill(id, { ...fill, tradeUuid: `t-${state}` })).toThrow(IllegalTransitionError);
    }
  });

  it('refuses a trade uuid already recorded for another attempt', () => {
    const { journal } = fresh();
    journal.recordFill(attemptIn(journal, 'acked'), fill);
    expect(() => journal.recordFill(attemptIn(journal, 'acked'), fill)).toThrow(/already recorded for attempt/);
  });
});

describe('queries', () => {
  it('unresolved() lists pending and unknown attempts with their intents; openAttempts() the acked ones', () => {
    const { journal } = fresh();
    const byState = Object.fromEntries(STATES.map((s) => [s, attemptIn(journal, s)]));
    expect(journal.unresolved().map((a) => [a.identifier, a.state])).toEqual([
      [byState['pending'], 'pending'],
      [byState['unknown'], 'unknown'],
    ]);
    expect(journal.unresolved()[0]?.intent).toMatchObject({ market: 'KRW-BTC', side: 'bid', price: '95000000', volume: '0.001', source: 'ui' });
    expect(journal.openAttempts().map((a) => a.identifier)).toEqual([byState['acked']]);
  });

  it('intents() lists the newest first, with attempts and fills', () => {
    const { journal } = fresh();
    const first = attemptIn(journal, 'rejected');
    const firstIntent = journal.attemptByIdentifier(first)?.intentId ?? -1;
    const retry = journal.beginAttempt(firstIntent);
    journal.markAcked(retry.identifier, 'u-retry');
    journal.recordFill(retry.identifier, { tradeUuid: 't', price: '95000000', volume: '0.001', fee: '47.5', at: 1 });
    journal.createIntent({ market: 'KRW-ETH', side: 'bid', ordType: 'price', total: '10000', source: 'cli' });
    const list = journal.intents({ limit: 10 });
    expect(list.map((i) => i.market)).toEqual(['KRW-ETH', 'KRW-BTC']);
    expect(list[1]?.attempts.map((a) => [a.state, a.fills.length])).toEqual([
      ['rejected', 0],
      ['acked', 1],
    ]);
    expect(journal.intents({ limit: 1 })).toHaveLength(1);
  });

  it('stores intent amounts as exact decimal strings and checks the fields of the order type', () => {
    const { journal } = fresh();
    const intent = journal.createIntent({ ...LIMIT_BUY, price: '95000000.000', volume: '0.00100000', timeInForce: 'post_only', note: 'ladder 1/3' });
    expect(intent).toMatchObject({ price: '95000000', volume: '0.001', total: null, timeInForce: 'post_only', note: 'ladder 1/3' });
    expect(() => journal.createIntent({ ...LIMIT_BUY, price: null })).toThrow(/needs price/);
    expect(() => journal.createIntent({ market: 'KRW-BTC', side: 'ask', ordType: 'price', total: '1', source: 'ui' })).toThrow(JournalBugError);
    expect(() => journal.createIntent({ ...LIMIT_BUY, volume: '0' })).toThrow(/not above zero/);
  });
});

describe('one database per endpoint and account', () => {
  it('journalPath separates endpoints and accounts and names the host', () => {
    const dir = '/data';
    const live = journalPath(dir, LIVE);
    expect(live).toMatch(/^\/data\/journal\/api-upbit-com-[0-9a-f]{12}\.sqlite$/);
    expect(journalPath(dir, { ...LIVE, endpoint: 'https://api.upbit.com/' })).toBe(live);
    const others = [
      journalPath(dir, { ...LIVE, accountId: 'acct-2' }),
      journalPath(dir, { endpoint: 'http://127.0.0.1:41873', accountId: LIVE.accountId }),
      journalPath(dir, { endpoint: 'http://127.0.0.1:41874', accountId: LIVE.accountId }),
      journalPath(dir, { endpoint: 'paper:https://api.upbit.com', accountId: 'paper' }),
      journalPath(dir, { endpoint: 'paper:http://127.0.0.1:41873', accountId: 'paper' }),
    ];
    expect(new Set([live, ...others]).size).toBe(6);
    expect(others[1]).toMatch(/\/journal\/127-0-0-1-41873-[0-9a-f]{12}\.sqlite$/);
    expect(others[3]).toMatch(/\/journal\/paper-api-upbit-com-[0-9a-f]{12}\.sqlite$/);
  });

  it('refuses a journal written for another endpoint or account, naming the file and the reason', () => {
    const file = path.join(tempDir(), 'j.sqlite');
    open(file).close();
    expect(() => open(file, { endpoint: 'http://127.0.0.1:41873' })).toThrow(JournalMismatchError);
    try {
      open(file, { endpoint: 'http://127.0.0.1:41873', accountId: 'someone-else' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JournalError);
      const message = (error as Error).message;
      expect(message).toContain(file);
      expect(message).toContain('endpoint https://api.upbit.com, not http://127.0.0.1:41873');
      expect(message).toContain('account acct-live, not someone-else');
    }
    // The same identity, spelled with a trailing slash, is accepted.
    const again = open(file, { endpoint: 'https://api.upbit.com/' });
    expect(again.meta()).toMatchObject({ endpoint: 'https://api.upbit.com', account_id: 'acct-live' });
  });
});

describe('database settings and files', () => {
  it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    const { journal, file } = fresh();
    expect(journal.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, foreignKeys: true, busyTimeoutMs: 5000 });
    const raw = openSqlite(file, { readonly: true });
    try {
      expect(pragma(raw, 'journal_mode')).toBe('wal');
      const fk = raw.prepare<[], { table: string }>("SELECT \"table\" FROM pragma_foreign_key_list('attempts')").all();
      expect(fk.map((r) => r.table)).toEqual(['intents']);
    } finally {
      raw.close();
    }
  });

  it('creates the directory 0700 and the database, WAL and shared-memory files 0600', () => {
    const dataDir = tempDir();
    const file = journalPath(dataDir, LIVE);
    const journal = open(file);
    journal.createIntent(LIMIT_BUY);
    const mode = (p: string): number => fs.statSync(p).mode & 0o777;
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
  });

  it('tightens a journal file that was left readable by others', () => {
    const file = path.join(tempDir(), 'j.sqlite');
    open(file).close();
    fs.chmodSync(file, 0o644);
    open(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('records its schema version once and refuses a journal from a newer version', () => {
    const file = path.join(tempDir(), 'j.sqlite');
    open(file).close();
    open(file).close();
    const raw = openSqlite(file);
    try {
      expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
      raw.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 0);
    } finally {
      raw.close();
    }
    expect(() => open(file)).toThrow(`schema version ${SCHEMA_VERSION + 1}, but this upbit-tui knows only up to ${SCHEMA_VERSION}`);
  });

  it('says which file it cannot open', () => {
    const file = path.join(tempDir(), 'not-a-db.sqlite');
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough to fill a header page'.repeat(20));
    expect(() => open(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });

  it('close() is safe twice', () => {
    const { journal } = fresh();
    journal.close();
    journal.close();
    expect(journal.isOpen).toBe(false);
  });
});
