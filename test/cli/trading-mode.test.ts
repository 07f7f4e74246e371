import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/app/errors.js';
import { resolveTradingMode, type TradingFlags } from '../../src/app/trading-mode.js';

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
    expect(resolveTradingMode(flags({ sim: true }))).toMatchObject({ kind: 'sim', embedded: true, journalEndpoint: 'sim:embedded' });
    expect(resolveTradingMode(flags({ sim: true, apiUrl: 'http://127.0.0.1:9' }))).toMatchObject({ kind: 'sim', embedded: false, journalEndpoint: 'http://127.0.0.1:9' });
    expect(resolveTradingMode(flags({ sim: true, paper: true }))).toMatchObject({ kind: 'paper', quotes: 'sim' });
  });
  it('keeps paper, simulated and live journals apart', () => {
    const endpoints = [
      resolveTradingMode(flags({})),
      resolveTradingMode(flags({ sim: true })),
      resolveTradingMode(flags({ sim: true, paper: true })),
      resolveTradingMode(flags({ live: true, hasKeys: true })),
    ].map((m) => m.journalEndpoint);
    expect(new Set(endpoints).size).toBe(4);
  });
});
