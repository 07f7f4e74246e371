/**
 * The log file: owner-only, and never a reason to block or stop. On a full disk (/dev/full:
 * every write fails with ENOSPC) lines are dropped and counted, the first drop is told once,
 * and flushing returns at once; when the file takes lines again, a line saying how many were
 * lost comes first (a FIFO whose reader stops, then drains, stands in for space coming back).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/app/errors.js';
import { openFileLogger } from '../../src/app/file-logger.js';
import { createLogSink, openLogFd, type LogDrops } from '../../src/app/log-sink.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-file-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number): string => `${JSON.stringify({ level: 30, msg: `line ${i}`, pad: 'x'.repeat(200) })}\n`;

describe('the log file on a full disk', () => {
  it('drops and counts lines, tells the first drop once, and flush/flushSync return at once', async () => {
    const told: LogDrops[] = [];
    const sink = createLogSink(() => openLogFd('/dev/full'), { onFirstDrop: (d) => told.push(d) });
    for (let i = 0; i < 100; i++) sink.write(line(i));
    let at = Date.now();
    await sink.flush();
    expect(Date.now() - at).toBeLessThan(1000);
    expect(sink.drops()).toEqual({ lines: 100, reason: 'ENOSPC: no space left on the device' });
    for (let i = 0; i < 10; i++) sink.write(line(i));
    at = Date.now();
    // sonic-boom's flushSync sleeps 100 ms and retries an ENOSPC for ever: the process hung here.
    sink.flushSync();
    expect(Date.now() - at).toBeLessThan(100);
    expect(sink.drops()?.lines).toBe(110);
    expect(told).toHaveLength(1);
    expect(told[0]?.reason).toMatch(/^ENOSPC/);
  });

  it('through pino: logging, close() and flushSync() never block; the drops are there to report', async () => {
    const stateDir = path.join(dir, 'full');
    mkdirSync(stateDir);
    const file = path.join(stateDir, 'upbit-tui.log');
    symlinkSync('/dev/full', file);
    let told = 0;
    const log = openFileLogger(file, { level: 'debug', onFirstDrop: () => (told += 1) });
    for (let i = 0; i < 500; i++) log.logger.info({ i, pad: 'y'.repeat(100) }, 'a line');
    const at = Date.now();
    await log.close();
    log.logger.info({}, 'after close');
    log.flushSync();
    expect(Date.now() - at).toBeLessThan(1500);
    expect(log.drops()?.lines).toBe(501);
    expect(told).toBe(1);
  });
});

describe('when the file takes lines again', () => {
  it('writes a line saying how many were dropped, then the new lines', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // A reader that does not read: the pipe fills (64 KiB) and writes fail with EAGAIN.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const sink = createLogSink(() => openLogFd(fifo), { flushDelayMs: 5, retryMs: 20, minWriteBytes: 1 });
      let i = 0;
      await waitFor(
        () => {
          for (let k = 0; k < 20; k++) sink.write(line(i++));
          return sink.drops();
        },
        'a dropped line once the pipe is full',
        10_000,
      );
      let received = '';
      const drain = (): void => {
        const buf = Buffer.alloc(65536);
        for (;;) {
          try {
            const n = readSync(reader, buf, 0, buf.length, null);
            if (n <= 0) return;
            received += buf.subarray(0, n).toString('utf8');
          } catch {
            return; // EAGAIN: empty for now
          }
        }
      };
      drain();
      received = '';
      const droppedSoFar = sink.drops()?.lines ?? 0;
      sink.write(`${JSON.stringify({ msg: 'space is back' })}\n`);
      await waitFor(
        () => {
          drain();
          return received.includes('space is back');
        },
        'the new line to arrive',
        5000,
      );
      const lines = received.split('\n').filter(Boolean);
      const note = lines.find((l) => l.includes('could not be written and were dropped'));
      expect(note, received.slice(0, 500)).toBeDefined();
      const parsed = JSON.parse(note ?? '{}') as { level: number; dropped: number };
      expect(parsed.level).toBe(40);
      expect(parsed.dropped).toBeGreaterThan(0);
      expect(parsed.dropped).toBeLessThanOrEqual(droppedSoFar);
      expect(lines.indexOf(note ?? '')).toBeLessThan(lines.findIndex((l) => l.includes('space is back')));
    } finally {
      closeSync(reader);
    }
  });
});

describe('the log file itself', () => {
  it('is created owner-only (0600), and an existing file readable by others is narrowed to 0600', async () => {
    const fresh = path.join(dir, 'state', 'upbit-tui', 'upbit-tui.log');
    const a = openFileLogger(fresh);
    a.logger.info({}, 'hello');
    await a.close();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(fresh)).mode & 0o077).toBe(0);

    const old = path.join(dir, 'old.log');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    const b = openFileLogger(old);
    await b.close();
    expect(statSync(old).mode & 0o777).toBe(0o600);
  });

  it('refuses an unknown UPBIT_TUI_LOG_LEVEL with one line (exit 2) instead of pino\'s crash', () => {
    expect(() => openFileLogger(path.join(dir, 'x.log'), { level: 'loud' })).toThrow(UsageError);
    expect(() => openFileLogger(path.join(dir, 'x.log'), { level: 'loud' })).toThrow(/UPBIT_TUI_LOG_LEVEL="loud" is not a log level/);
    expect(openFileLogger(path.join(dir, 'x.log'), { level: 'DEBUG' }).logger).toBeDefined();
  });
});
