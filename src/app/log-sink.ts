/**
 * Where the log's lines go: a file written asynchronously, one write at a time, that never
 * blocks or stops the program. A line that cannot be written (disk full, quota, I/O error, a
 * write that does not keep up) is dropped and counted; the first drop is reported once; when
 * the file takes lines again, a line saying how many were lost comes first.
 *
 * Not sonic-boom (pino's default destination): on an error other than EAGAIN its
 * `flushSync()` sleeps 100 ms and writes again, for ever, on the main thread, and pino calls
 * it from its exit hook. On a full disk a command that had done its work then never exited,
 * and no signal handler could run (sonic-boom 4.2.1, `flushSync` and `flushBufferSync`).
 */
import { constants, fchmodSync, fstatSync, openSync, write, writeSync } from 'node:fs';

import { errnoOf } from '../runtime/dirs.js';

export interface LogDrops {
  /** Lines dropped since the sink was opened. */
  lines: number;
  /** Why the last one was, e.g. `ENOSPC: no space left on device`. */
  reason: string;
}

export interface LogSinkOptions {
  /** Told once, at the first dropped line (later drops are only counted). */
  onFirstDrop?: (drops: LogDrops) => void;
  /** Lines held while a write is under way or failing; past this, new lines are dropped. @default 1 MiB */
  maxBufferBytes?: number;
  /** Write as soon as this much is buffered. @default 4096 */
  minWriteBytes?: number;
  /** Otherwise, write what is buffered this long after the first line. @default 200 */
  flushDelayMs?: number;
  /** After a failed write, wait this long before the next try. @default 1000 */
  retryMs?: number;
  /** The longest `flush()` waits for a write under way. @default 1000 */
  flushDeadlineMs?: number;
}

export interface LogSink {
  /** One complete line (pino's `write`). Never throws, never blocks. */
  write(line: string): void;
  /** Write what is buffered now, synchronously, one try: for the force-exit path. */
  flushSync(): void;
  /**
   * Write what is buffered; resolves when it is written or dropped, or after `flushDeadlineMs`.
   * Lines logged after it are written synchronously, one try each (the last lines of a run).
   */
  flush(): Promise<void>;
  /** Lines dropped so far, or null when none were. */
  drops(): LogDrops | null;
}

/** Open `file` for appending, owner-only (an existing file's mode is narrowed to 0600 too). */
export function openLogFd(file: string): number {
  // O_NONBLOCK: a named pipe with no reader fails at once (ENXIO) instead of hanging here.
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600);
  try {
    const stats = fstatSync(fd);
    // Only a regular file: a log pointed at /dev/null or a pipe is not ours to chmod.
    if (process.platform !== 'win32' && stats.isFile() && (stats.mode & 0o077) !== 0) fchmodSync(fd, stats.mode & 0o700);
  } catch {
    // The mode could not be read or narrowed (a file of another user on a shared mount); the
    // log holds no secrets (they are redacted), so this is no reason not to log.
  }
  return fd;
}

export function createLogSink(open: () => number, options: LogSinkOptions = {}): LogSink {
  const maxBuffer = options.maxBufferBytes ?? 1024 * 1024;
  const minWrite = options.minWriteBytes ?? 4096;
  const flushDelay = options.flushDelayMs ?? 200;
  const retryMs = options.retryMs ?? 1000;
  const flushDeadline = options.flushDeadlineMs ?? 1000;

  let fd: number | null = null;
  let pending: string[] = [];
  let pendingBytes = 0;
  let inFlight = false;
  let timer: NodeJS.Timeout | undefined;
  let failedAt: number | null = null;
  /** The last write stopped inside a line: the next one starts on a fresh line. */
  let midLine = false;
  let dropped = 0;
  let unreported = 0;
  let reason = '';
  let told = false;
  /** A flush() waits: after a failed write, what is still buffered is dropped, not retried later. */
  let flushing = false;
  /** After a flush() (the last release), each line is written at once: the process is about to end. */
  let final = false;
  const idle = new Set<() => void>();

  const drop = (lines: number, why: string): void => {
    if (lines <= 0) return;
    dropped += lines;
    unreported += lines;
    reason = why;
    if (told) return;
    told = true;
    try {
      options.onFirstDrop?.({ lines: dropped, reason });
    } catch {
      // A reporter that throws must not take logging down with it.
    }
  };

  const settleIdle = (): void => {
    if (flushing && !inFlight && failedAt !== null) {
      drop(pending.length, reason);
      pending = [];
      pendingBytes = 0;
    }
    if (inFlight || pending.length > 0) return;
    flushing = false;
    for (const resolve of [...idle]) resolve();
    idle.clear();
  };

  const ensureOpen = (): boolean => {
    if (fd !== null) return true;
    try {
      fd = open();
      return true;
    } catch (error) {
      failed(pending.length, error);
      pending = [];
      pendingBytes = 0;
      return false;
    }
  };

  const failed = (lines: number, error: unknown): void => {
    failedAt = Date.now();
    drop(lines, reasonOf(error));
  };

  /** The next chunk: a note on what was lost first, then the buffered lines. */
  const takeChunk = (): { buf: Buffer; lines: number; note: number } => {
    const note = unreported;
    const head = (midLine ? '\n' : '') + (note > 0 ? droppedLine(note, reason) : '');
    const lines = pending.length;
    const buf = Buffer.from(head + pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    return { buf, lines, note };
  };

  const start = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (inFlight || pending.length === 0) return settleIdle();
    if (!ensureOpen() || fd === null) return settleIdle();
    const { buf, lines, note } = takeChunk();
    inFlight = true;
    const target = fd;
    const writeFrom = (offset: number): void => {
      write(target, buf, offset, buf.length - offset, null, (error, written) => {
        if (error === null && written > 0 && offset + written < buf.length) return writeFrom(offset + written);
        inFlight = false;
        if (error === null && written > 0) {
          midLine = false;
          failedAt = null;
          unreported -= note;
        } else {
          midLine = offset > 0 && buf[offset - 1] !== 0x0a;
          failed(Math.min(lines, countLines(buf, offset)), error ?? new Error('the file took no bytes'));
        }
        if (flushing && failedAt === null) start();
        else schedule();
        settleIdle();
      });
    };
    writeFrom(0);
  };

  const schedule = (): void => {
    if (inFlight || pending.length === 0 || timer !== undefined) return;
    const backoff = failedAt === null ? 0 : Math.max(0, failedAt + retryMs - Date.now());
    if (backoff === 0 && pendingBytes >= minWrite) return start();
    timer = setTimeout(start, Math.max(backoff, flushDelay));
    timer.unref();
  };

  const flushSync = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || !ensureOpen() || fd === null) return;
    const { buf, lines, note } = takeChunk();
    let offset = 0;
    try {
      while (offset < buf.length) {
        const written = writeSync(fd, buf, offset, buf.length - offset);
        if (written <= 0) throw new Error('the file took no bytes');
        offset += written;
      }
      midLine = false;
      failedAt = null;
      unreported -= note;
    } catch (error) {
      // One try, no sleeping and retrying: this runs when the process must end now.
      failed(Math.min(lines, countLines(buf, offset)), error);
    }
  };

  return {
    write(line) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (pendingBytes + bytes > maxBuffer) {
        drop(1, failedAt !== null ? reason : 'the log file does not keep up with the lines written');
        return;
      }
      pending.push(line);
      pendingBytes += bytes;
      if (final && !inFlight) flushSync();
      else schedule();
    },
    flushSync,
    flush() {
      // A final write is tried now, even while backing off after a failure.
      failedAt = null;
      flushing = true;
      final = true;
      start();
      if (!inFlight && pending.length === 0) {
        flushing = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const deadline = setTimeout(done, flushDeadline);
        function done(): void {
          clearTimeout(deadline);
          idle.delete(done);
          resolve();
        }
        idle.add(done);
      });
    },
    drops: () => (dropped === 0 ? null : { lines: dropped, reason }),
  };
}

/** A pino-shaped warning line (level 40) about lines that were lost. */
function droppedLine(lines: number, reason: string): string {
  return `${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, c: 'log', dropped: lines, msg: `${lines} log line(s) could not be written and were dropped (${reason})` })}\n`;
}

function countLines(buf: Buffer, from: number): number {
  let n = 0;
  for (let i = from; i < buf.length; i++) if (buf[i] === 0x0a) n++;
  return n;
}

function reasonOf(error: unknown): string {
  const code = errnoOf(error);
  const known: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EFBIG: 'the file is too large',
    EIO: 'input/output error',
    EAGAIN: 'the file does not take more right now',
    EROFS: 'read-only file system',
  };
  if (code !== undefined) return `${code}: ${known[code] ?? (error instanceof Error ? error.message : code)}`;
  return error instanceof Error ? error.message : String(error);
}
