import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { onTestFinished } from 'vitest';

import { openJournal, type OpenJournalOptions, type OrderJournal } from '../../src/trading/journal/index.js';
import { LIVE } from './journal-constants.js';

export { LIMIT_BUY, LIVE } from './journal-constants.js';

/** A fresh directory removed when the test ends. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upbit-journal-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Open a journal that is closed when the test ends. */
export function open(file: string, options: Partial<OpenJournalOptions> = {}): OrderJournal {
  const journal = openJournal(file, { ...LIVE, ...options });
  onTestFinished(() => journal.close());
  return journal;
}
