/**
 * Child process for journal-crash.test.ts: journal an attempt, say which on stdout, then die
 * by SIGKILL — no exit handlers, no close(), no chance to flush anything later.
 *
 * argv: <journal file> <pending | acked>
 * `pending`: killed between the journal write and the send.
 * `acked`:   killed between the exchange's answer (plus one fill) and anything after it.
 */
import { openJournal } from '../../src/trading/journal/index.js';
import { LIMIT_BUY, LIVE } from './journal-constants.js';

const [file, mode] = process.argv.slice(2);
if (file === undefined || (mode !== 'pending' && mode !== 'acked')) {
  console.error('usage: journal-crash-child.ts <file> <pending|acked>');
  process.exit(2);
}
const journal = openJournal(file, LIVE);
const intent = journal.createIntent(LIMIT_BUY);
const { identifier } = journal.beginAttempt(intent.id);
if (mode === 'acked') {
  journal.markAcked(identifier, 'u-crash', { uuid: 'u-crash', state: 'wait' });
  journal.recordFill(identifier, { tradeUuid: 't-crash', price: '95000000', volume: '0.0005', fee: '23.75', at: Date.now() });
}
// Pipes are written synchronously on Linux, so this line is out before the kill.
process.stdout.write(`${identifier}\n`);
process.kill(process.pid, 'SIGKILL');
