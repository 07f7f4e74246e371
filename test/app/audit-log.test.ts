/**
 * The audit trail: entries in a bounded ring published as an external store, appended as JSON
 * lines to `<stateDir>/audit/<day>.jsonl`; the orders store's changes become entries; a folder
 * that cannot be written, or a full disk, neither throws nor hangs, and is said once.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { AuditLog, type AuditEntry, type StatusSource } from '../../src/app/audit-log.js';
import { OrdersStore } from '../../src/trading/session/index.js';
import type { ConnectionStatus } from '../../src/upbit/socket/status.js';
import { blockSaves } from '../helpers/unwritable.js';
import { waitFor } from '../helpers/wait-for.js';
import { fillEvent, intent, orderEvent } from '../ui/pane-fixtures.js';

const dirs: string[] = [];
const undo: Array<() => void> = [];
afterEach(() => {
  for (const u of undo.splice(0)) u();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
  dirs.push(dir);
  return dir;
}

const kinds = (log: AuditLog) => log.getSnapshot().entries.map((e) => e.kind);
const entriesOf = (file: string): AuditEntry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);

describe('audit log', () => {
  it('appends each entry as one JSON line to <stateDir>/audit/<YYYY-MM-DD>.jsonl, flushed by close()', async () => {
    const dir = stateDir();
    const log = new AuditLog(dir);
    log.record({ kind: 'notice', text: 'Started.' });
    log.record({ kind: 'order', market: 'KRW-BTC', text: 'Open: buy 0.0002 KRW-BTC at 50,000,000 (limit), placed here.', data: { uuid: 'u1', price: '50000000' } });
    await log.close();
    const file = log.fileFor(Date.now());
    expect(path.relative(dir, file)).toMatch(/^audit\/\d{4}-\d{2}-\d{2}\.jsonl$/);
    const lines = entriesOf(file);
    expect(lines.map((e) => [e.kind, e.market, e.text])).toEqual([
      ['notice', undefined, 'Started.'],
      ['order', 'KRW-BTC', 'Open: buy 0.0002 KRW-BTC at 50,000,000 (limit), placed here.'],
    ]);
    expect(lines[1]?.data).toEqual({ uuid: 'u1', price: '50000000' });
    expect(typeof lines[0]?.at).toBe('number');
    expect(Object.keys(lines[1] ?? {})).toEqual(['at', 'kind', 'market', 'text', 'data']);
    expect(log.getSnapshot().entries).toHaveLength(2);
    await log.close();
  });

  it('never throws on data JSON cannot hold: the line is written without it, saying why', async () => {
    const log = new AuditLog(stateDir());
    expect(() => log.record({ kind: 'notice', text: 'big', data: { n: 1n } })).not.toThrow();
    await log.close();
    const [line] = entriesOf(log.fileFor(Date.now()));
    expect([line?.text, typeof line?.data?.['unwritable']]).toEqual(['big', 'string']);
  });

  it('keeps at most `capacity` entries for the pane, newest last, and publishes a burst once', async () => {
    const log = new AuditLog(stateDir(), { capacity: 5 });
    let published = 0;
    log.subscribe(() => published++);
    for (let i = 0; i < 8; i++) log.record({ kind: 'notice', text: `n${i}` });
    await waitFor(() => published > 0, 'the publication');
    expect(published).toBe(1);
    expect(log.getSnapshot().entries.map((e) => e.text)).toEqual(['n3', 'n4', 'n5', 'n6', 'n7']);
    await log.close();
    // The file has every entry, not only the ring's.
    expect(entriesOf(log.fileFor(Date.now())).map((e) => e.text)).toHaveLength(8);
  });

  it('turns the orders store’s changes into entries: the start, an order placed here and one elsewhere, a fill, the end, a refusal', async () => {
    const log = new AuditLog(stateDir());
    const store = new OrdersStore({ hz: 100 });
    const off = log.watchOrders(store);
    const at = Date.now() + 1;
    const wait = (kind: AuditEntry['kind'], n = 1) => waitFor(() => kinds(log).filter((k) => k === kind).length >= n, `${n} ${kind} entries`);

    // The first read: what was already open is the baseline, said once.
    store.applySync([]);
    store.applyEvent(orderEvent('old', 'wait', { at: 1 }));
    await wait('notice');
    expect(log.getSnapshot().entries[0]?.text).toBe('1 open order at start.');

    store.applyJournal([intent('mine-1', 'acked', { uuid: 'u1' })]);
    store.applyEvent(orderEvent('u1', 'wait', { identifier: 'mine-1', at }));
    store.applyEvent(orderEvent('u2', 'wait', { side: 'ask', market: 'KRW-ETH', price: '3000000', volume: '0.5', at: at + 1 }));
    await wait('order', 2);
    store.applyEvent(fillEvent('u1', 't1', { price: '50000000', volume: '0.0001', fee: '2.5', at, identifier: 'mine-1', orderVolume: '0.0002', executed: '0.0001' }));
    // An earlier run's fill, read from the journal: not this run's trail.
    store.applyEvent(fillEvent('x', 't0', { price: '1', volume: '1', at: 1 }));
    store.applyEvent(orderEvent('x', 'done'));
    await wait('fill');
    store.applyJournal([intent('mine-1', 'cancel', { uuid: 'u1' }), intent('mine-2', 'rejected', { error: { name: 'insufficient_funds_bid', message: '주문가능한 금액(KRW)이 부족합니다.' } })]);
    store.applyEvent(orderEvent('u1', 'cancel', { identifier: 'mine-1' }));
    await wait('cancel');
    await wait('refusal');
    off();
    store.close();

    const texts = log.getSnapshot().entries.map((e) => `${e.kind}: ${e.text}`);
    expect(texts).toEqual([
      'notice: 1 open order at start.',
      'order: Open: buy 0.0002 KRW-BTC at 50,000,000 (limit), placed here.',
      'order: Open: sell 0.5 KRW-ETH at 3,000,000 (limit), placed elsewhere.',
      'fill: Filled: bought 0.0001 KRW-BTC at 50,000,000, fee 2.5.',
      // The refusal is said as its snapshot comes; the end as soon as the journal says how it ended (the same snapshot here).
      'refusal: Refused by the exchange: buy KRW-BTC (주문가능한 금액(KRW)이 부족합니다.).',
      'cancel: Cancelled: buy 0.0002 KRW-BTC at 50,000,000 (limit).',
    ]);
    const fill = log.getSnapshot().entries[3];
    expect([fill?.market, fill?.data]).toEqual(['KRW-BTC', { uuid: 'u1', tradeUuid: 't1', identifier: 'mine-1', side: 'bid', price: '50000000', volume: '0.0001', fee: '2.5' }]);
    await log.close();
  });

  it('an order of this app that opens before the journal read says so is still "placed here", and its end waits for the journal\'s word', async () => {
    const log = new AuditLog(stateDir());
    const store = new OrdersStore({ hz: 100 });
    const off = log.watchOrders(store);
    store.applySync([]);
    await waitFor(() => store.getSnapshot().loaded, 'the first read');
    // The stream (or the REST answer) comes first: the store does not know the identifier yet.
    store.applyEvent(orderEvent('u9', 'wait', { identifier: 'ut-9', at: Date.now() }));
    await waitFor(() => store.getSnapshot().open.length === 1, 'the order open');
    expect(kinds(log)).not.toContain('order');
    store.applyJournal([intent('ut-9', 'acked', { uuid: 'u9' })]);
    await waitFor(() => kinds(log).includes('order'), 'the opening said');
    // Cancelled, and gone from the stream before the journal's read says how it ended.
    store.applyEvent(orderEvent('u9', 'cancel', { identifier: 'ut-9' }));
    await waitFor(() => store.getSnapshot().open.length === 0, 'the order gone');
    store.applyJournal([intent('ut-9', 'cancel', { uuid: 'u9' })]);
    await waitFor(() => kinds(log).includes('cancel'), 'the end said');
    expect(log.getSnapshot().entries.map((e) => e.text)).toEqual(['Open: buy 0.0002 KRW-BTC at 50,000,000 (limit), placed here.', 'Cancelled: buy 0.0002 KRW-BTC at 50,000,000 (limit).']);
    off();
    store.close();
    await log.close();
  });

  it('says done for an order placed elsewhere that its fills covered, and cancelled-or-filled when they did not', async () => {
    const log = new AuditLog(stateDir());
    const store = new OrdersStore({ hz: 100 });
    store.applySync([]);
    await waitFor(() => store.getSnapshot().loaded, 'the first read');
    const off = log.watchOrders(store);
    const at = Date.now() + 1;
    store.applyEvent(orderEvent('a', 'wait', { at, volume: '0.0002' }));
    store.applyEvent(orderEvent('b', 'wait', { at: at + 1, volume: '0.0002' }));
    await waitFor(() => kinds(log).length === 2, 'the two orders');
    store.applyEvent(fillEvent('a', 'ta', { price: '50000000', volume: '0.0002', at, orderVolume: '0.0002', executed: '0.0002' }));
    store.applyEvent(orderEvent('a', 'done', { at }));
    store.applyEvent(orderEvent('b', 'cancel', { at: at + 1 }));
    await waitFor(() => kinds(log).length === 5, 'the fill and both ends');
    off();
    store.close();
    expect(log.getSnapshot().entries.slice(3).map((e) => `${e.kind}: ${e.text}`)).toEqual([
      'order: Done: buy 0.0002 KRW-BTC at 50,000,000 (limit).',
      'cancel: No longer open (cancelled, or filled while the stream was away): buy 0.0002 KRW-BTC at 50,000,000 (limit).',
    ]);
    await log.close();
  });

  it('writes each entry to the file of its own local date', async () => {
    const dir = stateDir();
    const log = new AuditLog(dir);
    const day1 = new Date(2026, 11, 2, 23, 59, 59).getTime();
    const day2 = new Date(2026, 11, 3, 0, 0, 1).getTime();
    log.record({ at: day1, kind: 'notice', text: 'late' });
    log.record({ at: day2, kind: 'notice', text: 'early' });
    await log.close();
    expect(entriesOf(path.join(dir, 'audit', '2026-12-02.jsonl')).map((e) => e.text)).toEqual(['late']);
    expect(entriesOf(path.join(dir, 'audit', '2026-12-03.jsonl')).map((e) => e.text)).toEqual(['early']);
  });

  it('records each change of a connection’s state once, not the first connect', async () => {
    const log = new AuditLog(stateDir());
    const listeners = new Set<(s: ConnectionStatus) => void>();
    const stream: StatusSource = {
      status: () => ({ state: 'connecting', attempt: 1 }),
      onStatus: (l) => {
        listeners.add(l);
        return () => void listeners.delete(l);
      },
    };
    const off = log.watchConnection('private stream', stream);
    const tell = (s: ConnectionStatus) => {
      for (const l of listeners) l(s);
    };
    tell({ state: 'live', since: 1 });
    tell({ state: 'reconnecting', attempt: 1, retryInMs: 500, retryAt: 2, reason: 'socket closed (1006)' });
    tell({ state: 'reconnecting', attempt: 2, retryInMs: 900, retryAt: 3, reason: 'socket closed (1006)' });
    tell({ state: 'live', since: 4 });
    off();
    expect(listeners.size).toBe(0);
    const quotation = log.connectionListener('quotation');
    quotation({ state: 'offline', reason: 'api.upbit.com unreachable', attempt: 3, retryInMs: 1000, retryAt: 5 });
    await log.close();
    expect(log.getSnapshot().entries.map((e) => e.text)).toEqual([
      'The private stream connection is live.',
      'The private stream connection dropped (socket closed (1006)); reconnecting.',
      'The private stream connection is live.',
      'The quotation connection is offline (api.upbit.com unreachable); still retrying.',
    ]);
  });

  it('a folder it cannot write to neither throws nor hangs: one error entry says so and what to do, and writing stops', async () => {
    const dir = stateDir();
    const blocked = blockSaves(path.join(dir, 'upbit-tui.log'));
    undo.push(blocked.undo);
    const log = new AuditLog(dir, { sink: { flushDelayMs: 0 } });
    log.record({ kind: 'notice', text: 'one' });
    await waitFor(() => kinds(log).includes('error'), 'the error entry');
    for (let i = 0; i < 50; i++) log.record({ kind: 'notice', text: `more ${i}` });
    const started = performance.now();
    await log.close();
    expect(performance.now() - started).toBeLessThan(1500);
    const errors = log.getSnapshot().entries.filter((e) => e.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.text).toMatch(/^The audit trail cannot be written to .*audit\/\d{4}-\d{2}-\d{2}\.jsonl \(E[A-Z]+: .*\); it is kept on screen only for the rest of this run\. Free space there or make the folder writable/);
    expect(log.getSnapshot().file).toBeNull();
  });

  it('a full disk (the file is /dev/full) is said once too, and close() still returns', async () => {
    const dir = stateDir();
    const log = new AuditLog(dir, { sink: { flushDelayMs: 0 } });
    mkdirSync(path.join(dir, 'audit'));
    symlinkSync('/dev/full', log.fileFor(Date.now()));
    for (let i = 0; i < 5; i++) log.record({ kind: 'fill', text: `fill ${i}` });
    await waitFor(() => kinds(log).includes('error'), 'the error entry');
    log.record({ kind: 'notice', text: 'after' });
    await log.close();
    const errors = log.getSnapshot().entries.filter((e) => e.kind === 'error');
    expect([errors.length, errors[0]?.text.includes('ENOSPC')]).toEqual([1, true]);
  });
});
