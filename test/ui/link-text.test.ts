/**
 * The status line's private stream and order budget, as text (src/ui/link-text.ts): the words
 * for each state, the tones, the markers without colour, and which go up front.
 */
import { describe, expect, it } from 'vitest';
import { linkText, orderBudgetRun, privateStreamRun } from '../../src/ui/link-text.js';
import type { RateGroupStatus } from '../../src/upbit/rest/index.js';
import type { ConnectionStatus } from '../../src/upbit/socket/status.js';

const NOW = 10_000;
const LIVE: ConnectionStatus = { state: 'live', since: 0 };
const budget = (remaining: number, over: Partial<RateGroupStatus> = {}): RateGroupStatus => ({ group: 'order', limit: 8, windowMs: 1_000, remaining, inFlight: 0, haltedUntil: null, ...over });
const text = (runs: readonly { text: string }[]): string => runs.map((r) => r.text).join('');

describe('the private stream', () => {
  it.each<[ConnectionStatus, string, string]>([
    [LIVE, 'private live', 'plain'],
    [{ state: 'idle' }, 'private idle', 'plain'],
    [{ state: 'connecting', attempt: 2 }, 'private connecting…', 'warn'],
    [{ state: 'reconnecting', attempt: 1, retryInMs: 2_100, retryAt: 12_100, reason: 'connection dropped' }, 'private reconnecting in 3s', 'warn'],
    [{ state: 'offline', attempt: 4, retryInMs: 4_000, retryAt: 14_000, reason: 'connection refused' }, 'private down, retrying in 4s', 'bad'],
  ])('%o reads %s (%s)', (status, words, tone) => {
    expect(privateStreamRun(status, NOW)).toEqual({ text: words, tone });
  });

  it('marks what needs attention with ! and !! when colour is off', () => {
    expect(privateStreamRun({ state: 'connecting', attempt: 1 }, NOW, true).text).toBe('private connecting…!');
    expect(privateStreamRun({ state: 'offline', attempt: 3, retryInMs: 1, retryAt: NOW, reason: 'x' }, NOW, true).text).toBe('private down, retrying in 0s!!');
    expect(privateStreamRun(LIVE, NOW, true).text).toBe('private live');
  });
});

describe('the order budget', () => {
  it('says what is left of the window: plain, low at a quarter, spent at none', () => {
    expect(orderBudgetRun(budget(8), NOW)).toEqual({ text: 'orders 8/8/s', tone: 'plain' });
    expect(orderBudgetRun(budget(3), NOW)).toEqual({ text: 'orders 3/8/s', tone: 'plain' });
    expect(orderBudgetRun(budget(2), NOW)).toEqual({ text: 'orders 2/8/s', tone: 'warn' });
    expect(orderBudgetRun(budget(0), NOW)).toEqual({ text: 'orders 0/8/s', tone: 'bad' });
    expect(orderBudgetRun(budget(0), NOW, true).text).toBe('orders 0/8/s!!');
    expect(orderBudgetRun(budget(1, { limit: 1, windowMs: 2_000 }), NOW).text).toBe('orders 1/1/2s');
  });

  it('counts a 418 block down to its end, then shows the budget again', () => {
    expect(orderBudgetRun(budget(0, { haltedUntil: 66_500 }), NOW)).toEqual({ text: 'orders blocked 57s', tone: 'bad' });
    expect(orderBudgetRun(budget(8, { haltedUntil: NOW }), NOW).text).toBe('orders 8/8/s');
  });
});

describe('where they go on the line', () => {
  it('all well: both calm, after the account', () => {
    const t = linkText({ privateStream: LIVE, orderBudget: budget(8), now: NOW });
    expect(t.urgent).toEqual([]);
    expect(text(t.calm)).toBe(' · private live · orders 8/8/s');
  });

  it('what needs attention goes up front, each part after a ` · `', () => {
    const down: ConnectionStatus = { state: 'reconnecting', attempt: 1, retryInMs: 500, retryAt: 10_500, reason: 'connection dropped' };
    const t = linkText({ privateStream: down, orderBudget: budget(8), now: NOW });
    expect(t.urgent).toEqual([{ text: ' · ', tone: 'plain' }, { text: 'private reconnecting in 1s', tone: 'warn' }]);
    expect(text(t.calm)).toBe(' · orders 8/8/s');
    const spent = linkText({ privateStream: LIVE, orderBudget: budget(0), now: NOW }, { markers: true });
    expect(text(spent.urgent)).toBe(' · orders 0/8/s!!');
    expect(text(spent.calm)).toBe(' · private live');
  });

  it('a mode with neither (paper) shows nothing', () => {
    expect(linkText({ privateStream: null, orderBudget: null, now: NOW })).toEqual({ urgent: [], calm: [] });
  });
});
