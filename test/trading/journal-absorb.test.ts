/**
 * `OrderJournal.absorb`: a journal of the same account written under another name (the
 * earlier URL-keyed naming) is copied in whole — intents, attempts in every state, fills,
 * history — once, and set aside; files that are not journals are left alone.
 */
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSqlite } from '../../src/runtime/sqlite.js';
import { ABSORBED_SUFFIX, journalPath } from '../../src/trading/journal/index.js';
import { LIMIT_BUY, open, tempDir } from './journal-helpers.js';

const ACCOUNT = 'acct-sim';
const NEW = { endpoint: 'sim', accountId: ACCOUNT };
const OLD = { endpoint: 'http://127.0.0.1:41873', accountId: ACCOUNT };

describe('absorbing an earlier journal of the same account', () => {
  it('copies pending, acked and finished attempts with their fills and history, then sets the file aside', () => {
    const dataDir = tempDir();
    const oldFile = journalPath(dataDir, OLD);
    const old = open(oldFile, OLD);
    const pending = old.beginAttempt(old.createIntent(LIMIT_BUY).id).identifier;
    const done = old.beginAttempt(old.createIntent({ ...LIMIT_BUY, price: '94000000' }).id).identifier;
    old.markAcked(done, 'uuid-done', { state: 'wait' });
    old.recordFill(done, { tradeUuid: 'trade-1', price: '94000000', volume: '0.001', fee: '47', at: 1_000 });
    old.markTerminal(done, 'done', { executedVolume: '0.001', executedFunds: '94000', paidFee: '47' });
    old.createIntent({ ...LIMIT_BUY, price: '1000' }); // never attempted: nothing to carry over
    old.close();
    fs.writeFileSync(path.join(dataDir, 'journal', 'not-a-journal.sqlite'), 'hello');

    const journal = open(journalPath(dataDir, NEW), NEW);
    const others = journal.otherJournals();
    expect(others).toEqual([{ file: oldFile, identity: OLD }]);
    expect(journal.absorb(oldFile)).toEqual({ intents: 2, attempts: 2, skipped: 0, setAside: `${oldFile}${ABSORBED_SUFFIX}` });

    expect(journal.unresolved().map((a) => [a.identifier, a.state, a.intent.price])).toEqual([[pending, 'pending', '95000000']]);
    const finished = journal.attemptByIdentifier(done);
    expect(finished).toMatchObject({ state: 'done', uuid: 'uuid-done', executed: { volume: '0.001', funds: '94000', paidFee: '47' } });
    expect(finished?.fills).toEqual([expect.objectContaining({ tradeUuid: 'trade-1', price: '94000000', volume: '0.001', fee: '47' })]);
    expect(journal.events(done).map((e) => e.to)).toEqual(['pending', 'acked', 'done']);
    expect(fs.existsSync(oldFile)).toBe(false);
    expect(journal.otherJournals()).toEqual([]);
  });

  it('takes in a journal written before attempt claims existed (schema version 1)', () => {
    const dataDir = tempDir();
    const oldFile = journalPath(dataDir, OLD);
    const old = open(oldFile, OLD);
    const pending = old.beginAttempt(old.createIntent(LIMIT_BUY).id).identifier;
    old.close();
    const raw = openSqlite(oldFile);
    try {
      raw.exec('DROP TABLE attempt_claims; DELETE FROM schema_version WHERE version > 1');
    } finally {
      raw.close();
    }
    const journal = open(journalPath(dataDir, NEW), NEW);
    expect(journal.absorb(oldFile)).toMatchObject({ intents: 1, attempts: 1, skipped: 0 });
    expect(journal.unresolved().map((a) => a.identifier)).toEqual([pending]);
    // Copied without its old claim: the new journal's recovery can claim it.
    expect(journal.claim(pending)).toEqual({ taken: true, tookOverFrom: null });
  });

  it('a copy repeated (a crash before the file was set aside) adds nothing twice', () => {
    const dataDir = tempDir();
    const oldFile = journalPath(dataDir, OLD);
    const old = open(oldFile, OLD);
    const id = old.beginAttempt(old.createIntent(LIMIT_BUY).id).identifier;
    old.close();
    const backup = `${oldFile}.copy`;
    fs.copyFileSync(oldFile, backup);

    const journal = open(journalPath(dataDir, NEW), NEW);
    expect(journal.absorb(oldFile)).toMatchObject({ intents: 1, attempts: 1, skipped: 0 });
    fs.renameSync(backup, oldFile);
    expect(journal.absorb(oldFile)).toMatchObject({ intents: 0, attempts: 0, skipped: 1 });
    expect(journal.intents().map((i) => i.attempts.map((a) => a.identifier))).toEqual([[id]]);
  });
});
