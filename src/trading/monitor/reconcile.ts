/**
 * At start-up, once the session has read the account, the armed rules are checked against what
 * the account holds (issue 11: "a position sold or changed elsewhere, in Upbit's app, disarms or
 * resizes its rules"): a rule whose market's coin is no longer held is disarmed, and one that
 * would sell a fixed volume larger than the holding is resized to the holding. Each change is
 * returned in words, for the TUI to show as a diff to acknowledge and the headless monitor to
 * log; nothing is changed silently.
 */
import { formatAmount, plain } from '../decimal.js';
import type { AccountSnapshot } from '../session/account-store.js';
import { selectBalance } from '../session/account-store.js';
import type { RuleBook } from './rule-book.js';
import { triggerText } from './rule-book.js';

export interface RuleChange {
  kind: 'disarmed' | 'resized';
  ruleId: number;
  market: string;
  /** e.g. "rule 3 (stop-loss 94,000,000) disarmed: the account holds no BTC any more". */
  text: string;
  at: number;
}

export function reconcileRules(book: RuleBook, account: AccountSnapshot, now: number): RuleChange[] {
  // Without a REST read of the balances nothing is known to have changed: leave the rules be.
  if (!account.loaded) return [];
  const changes: RuleChange[] = [];
  for (const rule of book.list()) {
    if (rule.state !== 'armed') continue;
    const [, base = ''] = rule.market.split('-');
    const b = selectBalance(account, base);
    const held = b.balance.plus(b.locked);
    const what = `rule ${rule.id} (${rule.market} ${triggerText(rule.def.trigger)})`;
    if (held.isZero()) {
      const text = `${what} disarmed: the account holds no ${base} any more (sold or moved outside upbit-tui while it was not running).`;
      book.disarm(rule.id, text);
      changes.push({ kind: 'disarmed', ruleId: rule.id, market: rule.market, text, at: now });
    } else if (rule.def.size.kind === 'volume' && rule.def.size.volume.gt(held)) {
      const text = `${what} resized from ${plain(rule.def.size.volume)} to ${plain(held)} ${base}: the account holds only ${formatAmount(held)} ${base} now.`;
      book.resize(rule.id, { kind: 'volume', volume: held }, text);
      changes.push({ kind: 'resized', ruleId: rule.id, market: rule.market, text, at: now });
    }
  }
  return changes;
}
