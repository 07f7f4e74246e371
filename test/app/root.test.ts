/**
 * The one composition root (src/app/root.ts) for a front end that has no terminal and no
 * command line of its own yet: a headless run (the monitor of the next issue). Built in
 * process with a stand-in `process`, so its signals and its exit are the test's.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { openFileLogger } from '../../src/app/file-logger.js';
import { fatalText, openRoot } from '../../src/app/root.js';
import { sleep } from '../../src/runtime/index.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-root-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeProcess(): EventEmitter & NodeJS.Process {
  return new EventEmitter() as EventEmitter & NodeJS.Process;
}

describe('openRoot: a headless run', () => {
  it('is a kernel whose tasks and releases stop on SIGTERM from the process, logged to its file, the log released last, exit 143', async () => {
    const logFile = path.join(dir, 'headless.log');
    const proc = fakeProcess();
    const exits: number[] = [];
    const order: string[] = [];
    const root = openRoot({ frontEnd: 'headless', log: openFileLogger(logFile), logFile, proc, lifetime: { exit: (code) => exits.push(code) } });
    expect(root.frontEnd).toBe('headless');
    // What a monitor would do: a task, and a part acquired where it is opened.
    root.kernel.spawn('monitor', async (signal) => {
      await sleep(3_600_000, signal).catch(() => undefined);
      order.push('monitor stopped');
    });
    root.kernel.acquire('rules store', () => void order.push('rules store released'));
    root.logger.child({ component: 'monitor' }).info({ rules: 0 }, 'armed');

    expect(proc.listenerCount('SIGTERM')).toBe(1);
    proc.emit('SIGTERM');
    await waitFor(() => exits.length > 0, 'the kernel to exit', 5000);
    expect(exits).toEqual([143]);
    expect(order).toEqual(['monitor stopped', 'rules store released']);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l['msg'] === 'armed')).toMatchObject({ component: 'monitor' });
    // The kernel logs under the one component key, through to the end of shutdown.
    expect(lines.at(-1)).toMatchObject({ component: 'kernel', msg: 'shutdown complete', exitCode: 143 });
  });

  it('says a fatal error as a bug, with the log file, in the words of its front end', () => {
    expect(fatalText('headless', '/x/upbit-tui.log', 'Error: boom')).toBe('upbit-tui: unexpected error (a bug — please report it with the log file /x/upbit-tui.log):\nError: boom\n');
    expect(fatalText('tui', '/x/upbit-tui.log', 'Error: boom')).toMatch(/^upbit-tui stopped on an unexpected error\. This is a bug: please report it with the log file \/x\/upbit-tui\.log\nError: boom\n$/);
  });
});
