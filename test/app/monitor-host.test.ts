/**
 * What the console says as it ends with rules it fired still armed, and the notices rule
 * events become.
 */
import { describe, expect, it } from 'vitest';

import { noticeOf, rulesNotWatchedNote } from '../../src/app/monitor-host.js';
import type { MonitorRole, MonitorSnapshot, RuleStatus } from '../../src/trading/monitor/monitor.js';
import type { RuleState } from '../../src/trading/journal/index.js';

function monitorWith(role: MonitorRole, states: Array<[string, RuleState]>): { role: MonitorRole; store: { getSnapshot: () => MonitorSnapshot; subscribe: () => () => void } } {
  const rules = states.map(([market, state], i) => ({ rule: { id: i + 1, market, state }, level: null, lastPrice: null, waiting: null }) as unknown as RuleStatus);
  const snapshot: MonitorSnapshot = { version: 1, role, watching: false, rules, changes: [] };
  return { role, store: { getSnapshot: () => snapshot, subscribe: () => () => undefined } };
}

describe('rulesNotWatchedNote', () => {
  it('says how many armed rules are left unwatched, on which markets, and points to the headless monitor', () => {
    const note = rulesNotWatchedNote(monitorWith({ firing: true }, [['KRW-BTC', 'armed'], ['KRW-ETH', 'armed'], ['KRW-XRP', 'disarmed'], ['KRW-BTC', 'filled']]));
    expect(note).toBe('2 armed rules (KRW-BTC, KRW-ETH) are not watched while upbit-tui is not running: no stop fires now. To keep them watched, run upbit-tui monitor with the same flags (README: "The monitor, headless").');
  });

  it('says nothing without armed rules, for a read-only console, or with no monitor', () => {
    expect(rulesNotWatchedNote(monitorWith({ firing: true }, [['KRW-BTC', 'disarmed']]))).toBeNull();
    expect(rulesNotWatchedNote(monitorWith({ firing: false, heldBy: 'x' }, [['KRW-BTC', 'armed']]))).toBeNull();
    expect(rulesNotWatchedNote(undefined)).toBeNull();
  });
});

describe('noticeOf', () => {
  it('notifies firings, orders, fills, failures and disarms; not waiting or changed lines', () => {
    expect(noticeOf({ kind: 'triggered', ruleId: 3, market: 'KRW-BTC', text: 'stop crossed', at: 1 })).toEqual({ kind: 'triggered', ruleId: 3, market: 'KRW-BTC', title: 'upbit-tui: KRW-BTC rule 3 triggered', body: 'stop crossed', at: 1 });
    expect(noticeOf({ kind: 'waiting', ruleId: 3, market: 'KRW-BTC', text: 'waiting', at: 1 })).toBeNull();
    expect(noticeOf({ kind: 'changed', ruleId: 3, market: 'KRW-BTC', text: 'resized', at: 1 })).toBeNull();
  });
});
