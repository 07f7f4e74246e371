/** The journal's read side: attempts, intents and fills as the public types. */
import { JournalBugError } from './errors.js';
import { toAttempt, toFill, toIntent, type AttemptRow, type IntentRow, type Statements } from './rows.js';
import {
  UNRESOLVED_STATES,
  type AttemptDetail,
  type AttemptEvent,
  type AttemptWithIntent,
  type Fill,
  type Intent,
  type IntentWithAttempts,
} from './types.js';

/** Reads over one journal's prepared statements; every method is synchronous. */
export class JournalQueries {
  constructor(
    private readonly s: Statements,
    /** The database file, for error messages. */
    private readonly file: string,
  ) {}

  /** Attempts in `pending` or `unknown`, oldest first. */
  unresolved(): AttemptWithIntent[] {
    return this.s.attemptsInStates.all(JSON.stringify(UNRESOLVED_STATES)).map((r) => this.withIntent(r));
  }

  /** Acked attempts whose order has not finished, oldest first. */
  openAttempts(): AttemptWithIntent[] {
    return this.s.attemptsInStates.all(JSON.stringify(['acked'])).map((r) => this.withIntent(r));
  }

  attemptByIdentifier(identifier: string): AttemptDetail | undefined {
    const row = this.s.attemptByIdentifier.get(identifier);
    return row === undefined ? undefined : this.detail(row.id);
  }

  attemptByUuid(uuid: string): AttemptDetail | undefined {
    const row = this.s.attemptByUuid.get(uuid);
    return row === undefined ? undefined : this.detail(row.id);
  }

  intent(id: number): IntentWithAttempts | undefined {
    const row = this.s.intentById.get(id);
    return row === undefined ? undefined : this.withAttempts(row);
  }

  intents(options: { limit?: number }): IntentWithAttempts[] {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    return this.s.recentIntents.all(limit).map((r) => this.withAttempts(r));
  }

  events(identifier: string): AttemptEvent[] {
    const row = this.row(identifier);
    return this.s.eventsOf.all(row.id).map((e) => ({ from: e.from_state, to: e.to_state, detail: e.detail, at: e.at }));
  }

  meta(): Record<string, string> {
    return Object.fromEntries(this.s.allMeta.all().map((m) => [m.key, m.value]));
  }

  /** The attempt's row; a missing one is a bug. */
  row(identifier: string): AttemptRow {
    const row = this.s.attemptByIdentifier.get(identifier);
    if (row === undefined) throw new JournalBugError(`No attempt with identifier ${identifier} is in the journal ${this.file}.`);
    return row;
  }

  /** The intent; a missing one is a bug. */
  requireIntent(id: number): Intent {
    const row = this.s.intentById.get(id);
    if (row === undefined) throw new JournalBugError(`No intent ${id} is in the journal ${this.file}.`);
    return toIntent(row);
  }

  withIntent(row: AttemptRow): AttemptWithIntent {
    return { ...toAttempt(row), intent: this.requireIntent(row.intent_id) };
  }

  detail(attemptId: number): AttemptDetail {
    const row = this.s.attemptById.get(attemptId);
    if (row === undefined) throw new JournalBugError(`Attempt ${attemptId} vanished from the journal ${this.file}.`);
    return { ...this.withIntent(row), fills: this.fills(attemptId) };
  }

  fills(attemptId: number): Fill[] {
    return this.s.fillsOf.all(attemptId).map(toFill);
  }

  withAttempts(row: IntentRow): IntentWithAttempts {
    return { ...toIntent(row), attempts: this.s.attemptsOfIntent.all(row.id).map((a) => ({ ...toAttempt(a), fills: this.fills(a.id) })) };
  }
}
