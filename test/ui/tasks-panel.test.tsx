import chalk from 'chalk';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kernelTaskSource } from '../../src/app/tui.js';
import { Kernel } from '../../src/runtime/kernel.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { App } from '../../src/ui/App.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { frameLines, frameWhere, stripAnsi, until } from './ink-helpers.js';
import { FakeTaskSource, taskRow } from './task-fixtures.js';

const ESC = '\u001B';

function liveStore(markets = ['KRW-BTC', 'KRW-ETH']): MarketStore {
  const store = new MarketStore({ markets });
  store.setConnection({ state: 'live', since: Date.now() });
  for (const m of markets) store.applyTicker(makeTicker(m, 1_000_000, { prevClose: 990_000 }));
  store.flush();
  return store;
}

let savedLevel: typeof chalk.level;
beforeEach(() => {
  savedLevel = chalk.level;
  chalk.level = 1;
});
afterEach(() => {
  chalk.level = savedLevel;
  cleanup();
});

/** Render the app and wait until its keys are live. */
async function mount(tasks: FakeTaskSource | undefined, store = liveStore()) {
  const r = render(<App store={store} tasks={tasks} onQuit={() => {}} colors="none" />);
  await until(() => r.stdin.listenerCount('readable') > 0, 'the input hook');
  await frameWhere(r.lastFrame, (f) => f.includes('BTC/KRW'), 'the ticker table');
  return r;
}

/**
 * The open panel's subscription to the source is made in the same passive-effect flush that
 * attaches the new mode's input hook (both live in the screen component), so the subscriber
 * count is the condition to wait on before the next key: a key sent earlier would reach only
 * the old mode's hook.
 */
const listening = (tasks: FakeTaskSource, open: boolean) => until(() => tasks.subscribers === (open ? 1 : 0), open ? 'the tasks-mode keys' : 'the table-mode keys');

describe('tasks panel', () => {
  it('opens on t with task names and states, and closes on Esc (t again does not flip it back)', async () => {
    const tasks = new FakeTaskSource([taskRow('market-store'), taskRow('quotation-stream', { state: 'stopping' })]);
    const { stdin, lastFrame } = await mount(tasks);
    expect(lastFrame()).toContain('q/ctrl+c quit');
    expect(lastFrame()).toContain('t tasks');

    stdin.write('t');
    const open = await frameWhere(lastFrame, (f) => f.includes('market-store'), 'the tasks panel');
    await listening(tasks, true);
    expect(open).toMatch(/^TASK +OWNER +STATE +RESTARTS +AGE +LAST ERROR$/m);
    expect(open).toMatch(/^market-store +- +running +0 +\d/m);
    expect(open).toMatch(/^quotation-stream +- +stopping +0 +\d/m);
    expect(open).not.toContain('BTC/KRW');
    expect(open).toContain('live · ');
    expect(open).toContain('q/ctrl+c quit');
    expect(open).toContain('esc back');
    expect(open).not.toContain('t tasks');

    // A key delivered twice (a repeat, a slow link) cannot close what it opened.
    stdin.write('t');
    stdin.write(ESC);
    const closed = await frameWhere(lastFrame, (f) => f.includes('BTC/KRW'), 'the table after Esc');
    expect(closed).not.toContain('market-store');
    expect(closed).toContain('t tasks');
    await listening(tasks, false);

    stdin.write('t');
    await frameWhere(lastFrame, (f) => f.includes('market-store'), 'the panel again');
    await listening(tasks, true);
    stdin.write(ESC);
    await frameWhere(lastFrame, (f) => f.includes('BTC/KRW') && !f.includes('market-store'), 'the table after Esc');
  });

  it('follows the source while open, and holds no subscription while closed', async () => {
    const tasks = new FakeTaskSource([taskRow('quotation-stream')]);
    const { stdin, lastFrame } = await mount(tasks);
    expect(tasks.subscribers).toBe(0);
    stdin.write('t');
    await frameWhere(lastFrame, (f) => f.includes('quotation-stream'), 'the panel');
    await listening(tasks, true);
    tasks.poke();
    tasks.set([taskRow('quotation-stream', { state: 'done' }), taskRow('order-poll')]);
    const frame = await frameWhere(lastFrame, (f) => f.includes('order-poll'), 'the new task');
    // Live tasks above ended ones.
    expect(frameLines(frame).findIndex((l) => l.startsWith('order-poll'))).toBeLessThan(frameLines(frame).findIndex((l) => l.startsWith('quotation-stream')));
    expect(frame).toMatch(/^quotation-stream +- +done/m);
    stdin.write(ESC);
    await frameWhere(lastFrame, (f) => f.includes('BTC/KRW'), 'the table');
    await listening(tasks, false);
  });

  it("shows a failed task's last error, cut to the width", async () => {
    const error = 'Error: Upbit rejected the order: insufficient_funds_bid (balance 12,000 KRW, needed 150,000 KRW)';
    const tasks = new FakeTaskSource([taskRow('market-store'), taskRow('order-submit', { state: 'failed', lastError: error, restarts: 2 })]);
    const { stdin, lastFrame } = await mount(tasks);
    stdin.write('t');
    const frame = await frameWhere(lastFrame, (f) => f.includes('order-submit'), 'the failed task');
    const line = frameLines(frame).find((l) => l.startsWith('order-submit'));
    // Trouble first: the failed task leads the list.
    expect(frameLines(frame)[1]).toBe(line);
    expect(line).toMatch(/^order-submit +- +failed +2 +\S+ +Error: Upbit rejected the order: insuff.*…$/);
    // ink-testing-library's stdout is 100 columns wide.
    expect(line).toHaveLength(100);
  });

  it('fits 80×24 with many tasks: never taller than rows − 1, the rest as "+N more"', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => taskRow(`worker-${i}`, { owner: 'pool', lastError: i === 59 ? 'Error: timed out' : null, state: i === 59 ? 'failed' : 'running' }));
    const tasks = new FakeTaskSource(rows);
    const store = liveStore();
    store.setNotice('a notice, so that every line of chrome is drawn');
    store.flush();
    const { stdin, stdout, lastFrame } = await mount(tasks, store);
    Object.defineProperty(stdout, 'columns', { value: 80, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: 24, configurable: true });
    stdout.emit('resize');
    stdin.write('t');
    const frame = await frameWhere(lastFrame, (f) => f.includes('worker-') && frameLines(f).every((l) => l.length <= 80), 'an 80-column panel');
    const lines = frameLines(frame);
    expect(lines).toHaveLength(23);
    expect(lines[0]).toMatch(/^TASK/);
    expect(lines[1]).toMatch(/^worker-59 +pool +failed .*Error: timed out$/);
    // Header, 18 tasks, "+N more", status, notice, keys.
    expect(frame).toContain('+42 more');
    expect(lines.at(-1)).toMatch(/^↑\/k\/↓\/j move {2}\? help {2}q\/ctrl\+c quit {2}.*esc back$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('leaves t unbound, and out of the hint, without a task source', async () => {
    const store = liveStore();
    const { stdin, lastFrame } = await mount(undefined, store);
    const hint = stripAnsi(lastFrame() ?? '').split('\n').at(-1) ?? '';
    expect(hint).toContain('q/ctrl+c quit');
    expect(hint).not.toContain('tasks');
    stdin.write('t');
    // A frame drawn after the key was handled: still the table.
    store.applyTicker(makeTicker('KRW-BTC', 1_234_000));
    store.flush();
    const frame = await frameWhere(lastFrame, (f) => f.includes('1,234,000'), 'the next price');
    expect(frame).not.toContain('TASK');
  });

  it("reads the kernel's task list through the app's adapter", async () => {
    const kernel = new Kernel({ exit: () => {} });
    try {
      const source = kernelTaskSource(kernel);
      kernel.spawn('market-store', (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
      const worker = kernel.spawn('quotation-stream', (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
      // The same array until something changes, however often it is asked or notified.
      const first = source.getSnapshot();
      expect(source.getSnapshot()).toBe(first);
      const { stdin, lastFrame } = render(<App store={liveStore()} tasks={source} onQuit={() => {}} colors="none" />);
      await until(() => stdin.listenerCount('readable') > 0, 'the input hook');
      stdin.write('t');
      await frameWhere(lastFrame, (f) => /^quotation-stream +- +running/m.test(f), 'the running stream');
      await worker.halt();
      expect(source.getSnapshot()).not.toBe(first);
      await frameWhere(lastFrame, (f) => /^quotation-stream +- +done/m.test(f), 'the halted stream');
    } finally {
      await kernel.shutdown({ kind: 'user' });
    }
  });
});
