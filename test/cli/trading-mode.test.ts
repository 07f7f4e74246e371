import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/app/errors.js';
import { isEarlierJournalOf, resolveTradingMode, tradingLockKey, type TradingFlags } from '../../src/app/trading-mode.js';

const flags = (f: Partial<TradingFlags>): TradingFlags => ({ sim: false, paper: false, live: false, apiUrl: undefined, hasKeys: false, ...f });

describe('trading mode', () => {
  it('never trades for real without keys AND --live', () => {
    expect(resolveTradingMode(flags({ hasKeys: true })).kind).toBe('paper');
    expect(resolveTradingMode(flags({})).kind).toBe('paper');
    expect(() => resolveTradingMode(flags({ live: true }))).toThrow(/--live needs your Upbit API keys/);
    expect(resolveTradingMode(flags({ live: true, hasKeys: true }))).toMatchObject({ kind: 'live', apiUrl: 'https://api.upbit.com' });
  });
  it('says LIVE, and where, when orders are real (every mode has a notice)', () => {
    expect(resolveTradingMode(flags({ live: true, hasKeys: true })).notice).toBe('LIVE trading on api.upbit.com with real money.');
    expect(resolveTradingMode(flags({ live: true, hasKeys: true, apiUrl: 'http://127.0.0.1:9' })).notice).toBe('LIVE trading on 127.0.0.1:9 with real money.');
  });
  it('tells the user with keys how to go live', () => {
    expect(resolveTradingMode(flags({ hasKeys: true })).notice).toMatch(/Add --live/);
  });
  it('refuses contradictions', () => {
    expect(() => resolveTradingMode(flags({ live: true, paper: true, hasKeys: true }))).toThrow(UsageError);
    expect(() => resolveTradingMode(flags({ live: true, sim: true, hasKeys: true }))).toThrow(UsageError);
  });
  it('--sim trades on the simulator, --sim --paper paper-trades on its quotes', () => {
    expect(resolveTradingMode(flags({ sim: true }))).toMatchObject({ kind: 'sim', embedded: true, exchange: 'sim:embedded' });
    expect(resolveTradingMode(flags({ sim: true, apiUrl: 'http://127.0.0.1:9' }))).toMatchObject({ kind: 'sim', embedded: false, exchange: 'sim' });
    // Not the URL's spelling: the same simulator reached another way is the same exchange.
    expect(resolveTradingMode(flags({ sim: true, apiUrl: 'http://localhost:9' })).exchange).toBe('sim');
    expect(resolveTradingMode(flags({ sim: true, paper: true }))).toMatchObject({ kind: 'paper', quotes: 'sim' });
  });
  it('keeps paper, simulated and live journals apart', () => {
    const endpoints = [
      resolveTradingMode(flags({})),
      resolveTradingMode(flags({ sim: true })),
      resolveTradingMode(flags({ sim: true, paper: true })),
      resolveTradingMode(flags({ live: true, hasKeys: true })),
    ].map((m) => m.exchange);
    expect(new Set(endpoints).size).toBe(4);
  });
  it('keys the lock on the exchange and the account, and recognises journals of the URL-keyed scheme of the same account', () => {
    const live = resolveTradingMode(flags({ live: true, hasKeys: true }));
    const sim = resolveTradingMode(flags({ sim: true, apiUrl: 'http://localhost:41873' }));
    const paper = resolveTradingMode(flags({ apiUrl: 'https://api.upbit.com' }));
    expect(tradingLockKey(live, 'acct')).toBe('upbit|acct');
    expect(tradingLockKey(sim, 'acct')).toBe('sim|acct');
    expect(tradingLockKey(sim, 'other')).not.toBe(tradingLockKey(sim, 'acct'));
    expect(tradingLockKey(paper, undefined)).toBe('paper:upbit');
    expect(isEarlierJournalOf(live, 'acct', { endpoint: 'https://api.upbit.com', accountId: 'acct' })).toBe(true);
    expect(isEarlierJournalOf(live, 'acct', { endpoint: 'http://127.0.0.1:41873', accountId: 'acct' })).toBe(false);
    expect(isEarlierJournalOf(sim, 'acct', { endpoint: 'http://127.0.0.1:41873', accountId: 'acct' })).toBe(true);
    expect(isEarlierJournalOf(sim, 'acct', { endpoint: 'http://127.0.0.1:41873', accountId: 'other' })).toBe(false);
    expect(isEarlierJournalOf(sim, 'acct', { endpoint: 'https://api.upbit.com', accountId: 'acct' })).toBe(false);
    expect(isEarlierJournalOf(sim, 'acct', { endpoint: 'sim', accountId: 'acct' })).toBe(false);
    expect(isEarlierJournalOf(paper, 'paper', { endpoint: 'paper:https://api.upbit.com', accountId: 'paper' })).toBe(true);
    expect(isEarlierJournalOf(paper, 'paper', { endpoint: 'paper:sim', accountId: 'paper' })).toBe(false);
  });
});
