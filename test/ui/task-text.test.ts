import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/ui/table-text.js';
import { orderTasks, taskColumns, taskHeaderText, taskRowText } from '../../src/ui/task-text.js';
import { taskRow } from './task-fixtures.js';

const text = (segments: readonly Segment[]): string => segments.map((s) => s.text).join('');

describe('task text', () => {
  it('lines up name, owner, state, restarts, age and last error under the header', () => {
    const now = 1_000_000;
    const tasks = [
      taskRow('market-store', { startedAt: now - 42_000 }),
      taskRow('quotation-stream', { startedAt: now - 185_000, restarts: 3, lastError: 'Error: socket hang up' }),
      taskRow('order-poll', { owner: 'orders', state: 'stopping', startedAt: now - 2100 }),
    ];
    const cols = taskColumns(tasks, 80);
    expect(taskHeaderText(cols)).toBe('TASK              OWNER   STATE     RESTARTS   AGE  LAST ERROR');
    expect(tasks.map((t) => text(taskRowText(t, cols, now)))).toEqual([
      'market-store      -       running          0   42s',
      'quotation-stream  -       running          3    3m  Error: socket hang up',
      'order-poll        orders  stopping         0  2.1s',
    ]);
  });

  it('tints only the state', () => {
    const segments = taskRowText(taskRow('x', { state: 'failed', lastError: 'boom' }), taskColumns([], 80), Date.now());
    expect(segments.filter((s) => s.tinted).map((s) => s.text.trim())).toEqual(['failed']);
  });

  it('keeps an error on one line and free of escape sequences', () => {
    const task = taskRow('x', { state: 'failed', lastError: 'Error: first\nsecond\u001B[2J\tthird' });
    const line = text(taskRowText(task, taskColumns([task], 120), Date.now()));
    expect(line).toMatch(/Error: first second \[2J third$/);
    expect(line).not.toContain('\n');
    expect(line).not.toContain('\u001B');
  });

  it('cuts the error to the width, and gives up restarts, owner and age before it gets too narrow', () => {
    const task = taskRow('a-rather-long-task-name!', { owner: 'an-owner-name-16', state: 'failed', lastError: 'E'.repeat(200) });
    const cols = taskColumns([task], 80);
    expect(cols).toMatchObject({ name: 24, restarts: 0, owner: 16, age: 4 });
    const line = text(taskRowText(task, cols, Date.now()));
    expect(line).toHaveLength(80);
    expect(line.endsWith('E…')).toBe(true);
    expect(taskColumns([task], 60)).toMatchObject({ restarts: 0, owner: 0, age: 0, error: 24 });
  });

  it('never draws past the terminal width once it fits name and state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 300 }), fc.string({ maxLength: 40 }), fc.option(fc.string({ maxLength: 300 })), (columns, name, lastError) => {
        const task = taskRow(name, { lastError, state: 'failed', restarts: 12 });
        const cols = taskColumns([task], columns);
        expect(text(taskRowText(task, cols, Date.now())).length).toBeLessThanOrEqual(columns);
        expect(taskHeaderText(cols).length).toBeLessThanOrEqual(columns);
      }),
    );
  });

  it('lists trouble first: failed, stopping, running, done, each in start order', () => {
    const tasks = [
      taskRow('done-1', { state: 'done' }),
      taskRow('run-1'),
      taskRow('failed-1', { state: 'failed' }),
      taskRow('stop-1', { state: 'stopping' }),
      taskRow('run-2'),
    ];
    expect(orderTasks(tasks).map((t) => t.name)).toEqual(['failed-1', 'stop-1', 'run-1', 'run-2', 'done-1']);
  });
});
