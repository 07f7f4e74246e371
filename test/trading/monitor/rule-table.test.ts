/**
 * The rules in the journal's database: the state machine's edges, and the trigger committed with
 * the order intent or not at all.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { openJournal, RuleStateError, type OrderJournal } from '../../../src/trading/journal/index.js';
import { Money } from '../../../src/trading/decimal.js';
import { RuleBook, parseLevel, parseSize, parseTrail, RuleSpecError } from '../../../src/trading/monitor/rule-book.js';
import { tempJournalFile } from '../../fixtures/trading/order-harness.js';
import { rule, price } from '../../fixtures/trading/monitor-rig.js';

const open: OrderJournal[] = [];
afterEach(() => {
  for (const j of open.splice(0)) j.close();
});

function journal(file = tempJournalFile()): OrderJournal {
  const j = openJournal(file, { endpoint: 'http://127.0.0.1:1', accountId: 'acct' });
  open.push(j);
  return j;
}

const sell = { market: 'KRW-BTC', side: 'ask', ordType: 'market', volume: '0.01', price: null, total: null, timeInForce: null, source: 'monitor' } as const;

describe('rules in the journal', () => {
  it('commits the trigger with the intent and its pending attempt, or none of them', () => {
    const j = journal();
    const book = new RuleBook(j);
    const [r] = book.add([rule({ kind: 'stop-loss', at: price(90_000_000) })], { avgBuyPrice: () => null });
    if (r === undefined) throw new Error('no rule');
    // A move that fails (the rule is not armed any more) rolls back the intent and the attempt.
    book.disarm(r.id);
    expect(() => j.createIntentWithAttempt(sell, ({ intentId }) => void j.rules.move(r.id, 'triggered', { from: ['armed'], patch: { intentId } }))).toThrow(RuleStateError);
    expect(j.intents()).toHaveLength(0);
    expect(j.unresolved()).toHaveLength(0);
    book.arm(r.id, () => null);
    const done = j.createIntentWithAttempt(sell, ({ intentId }) => void j.rules.move(r.id, 'triggered', { from: ['armed'], patch: { intentId } }));
    expect(j.rules.get(r.id)).toMatchObject({ state: 'triggered', intentId: done.intent.id });
    expect(j.unresolved().map((a) => a.identifier)).toEqual([done.identifier]);
    // A second trigger of the same rule is refused, and journals nothing.
    expect(() => j.createIntentWithAttempt(sell, ({ intentId }) => void j.rules.move(r.id, 'triggered', { from: ['armed'], patch: { intentId } }))).toThrow(RuleStateError);
    expect(j.intents()).toHaveLength(1);
  });

  it('survives a reopen with its state, mark and history, and cannot be removed with an order in the air', () => {
    const file = tempJournalFile();
    const j = journal(file);
    const book = new RuleBook(j);
    const [r] = book.add([rule({ kind: 'trailing', trail: { kind: 'percent', percent: new Money(2) } })], { avgBuyPrice: () => null });
    if (r === undefined) throw new Error('no rule');
    j.rules.saveHighWater([{ id: r.id, highWater: '101000000' }]);
    j.createIntentWithAttempt(sell, ({ intentId }) => void j.rules.move(r.id, 'triggered', { from: ['armed'], patch: { intentId } }));
    expect(() => book.remove(r.id)).toThrow(/still being placed or is open/);
    j.close();
    const again = new RuleBook(journal(file));
    expect(again.get(r.id)).toMatchObject({ state: 'triggered' });
    expect(again.get(r.id)?.highWater?.toFixed()).toBe('101000000');
  });

  it('resolves percents at arming and refuses one without an average buy price, in words', () => {
    const book = new RuleBook(journal());
    expect(() => book.add([rule({ kind: 'stop-loss', at: parseLevel('-3%', 'stop-loss') })], { avgBuyPrice: () => null })).toThrow(/needs the position's average buy price/);
    expect(book.list()).toHaveLength(0);
    const [r] = book.add([rule({ kind: 'stop-loss', at: parseLevel('-3%', 'stop-loss') })], { avgBuyPrice: () => new Money(100_000_000) });
    expect(r?.resolved?.trigger).toMatchObject({ kind: 'stop-loss' });
    expect(r?.resolved?.trigger.kind === 'stop-loss' && r.resolved.trigger.price.toFixed()).toBe('97000000');
  });
});

describe('the user’s words', () => {
  it('reads levels, trails and sizes, and refuses the ambiguous with what to write', () => {
    expect(parseLevel('95,000,000', 'take-profit')).toEqual({ kind: 'price', price: new Money(95_000_000) });
    expect(parseLevel('+5%', 'take-profit')).toEqual({ kind: 'percent', percent: new Money(5) });
    expect(() => parseLevel('3%', 'stop-loss')).toThrow('write it with a minus, e.g. -3%');
    expect(() => parseLevel('-95000000', 'stop-loss')).toThrow(RuleSpecError);
    expect(() => parseLevel('95.000,5', 'stop-loss')).toThrow(RuleSpecError);
    expect(parseTrail('2%')).toEqual({ kind: 'percent', percent: new Money(2) });
    expect(parseTrail('500000KRW')).toEqual({ kind: 'krw', amount: new Money(500_000) });
    expect(() => parseTrail('100%')).toThrow('under 100%');
    expect(parseSize('all')).toEqual({ kind: 'all' });
    expect(parseSize('50%')).toEqual({ kind: 'percent', percent: new Money(50) });
    expect(parseSize('0.01')).toEqual({ kind: 'volume', volume: new Money('0.01') });
    expect(() => parseSize('0')).toThrow('above 0');
  });
});
