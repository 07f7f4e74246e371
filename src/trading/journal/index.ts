export { ABSORBED_SUFFIX } from './absorb.js';
export type { Claim, ClaimPurpose, ClaimResult } from './claims.js';
export type { AbsorbReport, OtherJournal } from './absorb.js';
export { AttemptInProgressError, IllegalTransitionError, JournalBugError, JournalError, JournalMismatchError } from './errors.js';
export { IDENTIFIER_PREFIX, MAX_IDENTIFIER_LENGTH, newIdentifier } from './identifier.js';
export { OrderJournal, openJournal } from './journal.js';
export type { JournalPragmas, OpenJournalOptions } from './journal.js';
export { endpointSlug, journalPath, monitorLockPath, normalizeEndpoint, tradingLockPath } from './path.js';
export { SCHEMA_VERSION } from './schema.js';
export { FIRING_STATES, RULE_STATES, RULE_TRANSITIONS, RuleNotFoundError, RuleStateError, RuleTable } from './rule-table.js';
export type { NewRule, RuleEvent, RulePatch, RuleState, StoredRule } from './rule-table.js';
export { DEAD_STATES, LIVE_STATES, TERMINAL_STATES, UNRESOLVED_STATES } from './types.js';
export type {
  Attempt,
  AttemptDetail,
  AttemptEvent,
  AttemptState,
  AttemptWithIntent,
  Fill,
  FillInput,
  Intent,
  IntentInput,
  IntentSource,
  IntentWithAttempts,
  JournalIdentity,
  RejectionInput,
  TerminalTotals,
} from './types.js';
