/**
 * Claims on attempts (src/trading/journal/claims.ts): two journals open on one file (as two
 * processes have it) never both hold one attempt; a claim outlives nothing its owner does.
 * The cross-process cases, with SIGKILL, are in shared-journal.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSqlite } from '../../src/runtime/sqlite.js';
import { ownerLockFile } from '../../src/trading/journal/claims.js';
import { LIMIT_BUY, open, tempDir } from './journal-helpers.js';

function begin(journal: ReturnType<typeof open>): string {
  return journal.beginAttempt(journal.createIntent(LIMIT_BUY).id).identifier;
}

describe('attempt claims', () => {
  it('an attempt being placed is claimed by its placer: another journal on the file cannot claim it until it is released', () => {
    const file = path.join(tempDir(), 'j.sqlite');
    const placer = open(file);
    const other = open(file);
    const identifier = begin(placer);
    expect(other.claimOf(identifier)).toMatchObject({ owner: placer.owner, purpose: 'place', alive: true });
    expect(other.claim(identifier)).toMatchObject({ taken: false, own: false, heldBy: { owner: placer.owner, purpose: 'place' } });
    // Its own claim is no second claim either: one lookup at a time within a process too.
    expect(placer.claim(identifier)).toMatchObject({ taken: false, own: true });

    placer.releaseClaim(identifier);
    expect(other.claim(identifier)).toEqual({ taken: true, tookOverFrom: null });
    expect(placer.claim(identifier)).toMatchObject({ taken: false, heldBy: { owner: other.owner, purpose: 'resolve' } });
  });

  it('a journal that closes gives up its claims and its liveness lock', () => {
    const file = path.join(tempDir(), 'j.sqlite');
    const placer = open(file);
    const other = open(file);
    const identifier = begin(placer);
    const lockFile = ownerLockFile(file, placer.owner);
    expect(fs.existsSync(lockFile)).toBe(true);
    placer.close();
    expect(fs.existsSync(lockFile)).toBe(false);
    expect(other.claimOf(identifier)).toBeUndefined();
    expect(other.claim(identifier)).toEqual({ taken: true, tookOverFrom: null });
  });

  it("a dead owner's claim (its lock free) is taken over at once; a name that is not an owner's is never used as a path", () => {
    const file = path.join(tempDir(), 'j.sqlite');
    const journal = open(file);
    const a = begin(journal);
    const b = begin(journal);
    journal.releaseClaim(a);
    journal.releaseClaim(b);
    const raw = openSqlite(file);
    try {
      const id = (identifier: string) => raw.prepare<[string], { id: number }>('SELECT id FROM attempts WHERE identifier = ?').get(identifier)?.id;
      const put = raw.prepare<[number | undefined, string]>("INSERT INTO attempt_claims (attempt_id, owner, purpose, claimed_at) VALUES (?, ?, 'place', 0)");
      // A process that died with the claim: its lock file is there but nobody holds it.
      fs.writeFileSync(ownerLockFile(file, '4242-0123456789ab'), '');
      put.run(id(a), '4242-0123456789ab');
      put.run(id(b), '../../etc/passwd');
    } finally {
      raw.close();
    }
    expect(journal.claimOf(a)).toMatchObject({ owner: '4242-0123456789ab', alive: false });
    expect(journal.claim(a)).toEqual({ taken: true, tookOverFrom: '4242-0123456789ab' });
    expect(fs.existsSync(ownerLockFile(file, '4242-0123456789ab'))).toBe(false);
    expect(journal.claim(b)).toEqual({ taken: true, tookOverFrom: '../../etc/passwd' });
  });
});
