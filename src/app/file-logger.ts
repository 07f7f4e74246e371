import path from 'node:path';
import { pino } from 'pino';
import { DirectoryError, ensureDirectory, errnoOf } from '../runtime/dirs.js';
import type { Logger } from '../runtime/logger.js';
import { UsageError } from './errors.js';
import { createLogSink, openLogFd, type LogDrops, type LogSinkOptions } from './log-sink.js';

export type { LogDrops } from './log-sink.js';

/** Field paths whose values never reach the log file (API secrets, JWTs). */
export const REDACTED_PATHS = [
  'secret',
  'secretKey',
  'secret_key',
  '*.secret',
  '*.secretKey',
  '*.secret_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.Authorization',
  'token',
  '*.token',
];

export interface FileLogger {
  logger: Logger;
  /** Flush buffered lines synchronously, one try (safe in a force-exit path). */
  flushSync(): void;
  /** Flush what is buffered, within a second (the file itself stays open until the process ends). */
  close(): Promise<void>;
  /** Lines that could not be written (disk full, I/O error), or null when none were lost. */
  drops(): LogDrops | null;
}

/** pino's level names (https://getpino.io/#/docs/api?id=level-string). */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface FileLoggerOptions {
  /** @default UPBIT_TUI_LOG_LEVEL, else info */
  level?: string;
  /** Told once, at the first line that could not be written. */
  onFirstDrop?: (drops: LogDrops) => void;
  /** Sink tuning (tests). */
  sink?: Omit<LogSinkOptions, 'onFirstDrop'>;
}

/**
 * A pino logger writing JSON lines to `file` (owner-only, 0600), asynchronously on the same
 * event loop (no worker thread, so nothing runs beside the kernel's loop). Writing never
 * blocks the program: lines that cannot be written are dropped and counted (see ./log-sink.ts).
 * Throws a {@link UsageError} (exit 2) naming the path when the log cannot be opened, or
 * when UPBIT_TUI_LOG_LEVEL is not a level.
 */
export function openFileLogger(file: string, options: FileLoggerOptions = {}): FileLogger {
  const level = checkLevel(options.level ?? process.env['UPBIT_TUI_LOG_LEVEL']);
  const fix = `Set XDG_STATE_HOME to a writable directory (the log is written to $XDG_STATE_HOME/upbit-tui/upbit-tui.log).`;
  try {
    ensureDirectory(path.dirname(file));
  } catch (error) {
    if (error instanceof DirectoryError) throw new UsageError(`Cannot write the log file ${file}: ${error.problem}. ${fix}`, 2, { cause: error });
    throw error;
  }
  let first: number | undefined;
  try {
    first = openLogFd(file);
  } catch (error) {
    const code = errnoOf(error);
    // A full disk must not stop the program: it runs, its lines are dropped and counted.
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw new UsageError(`Cannot write the log file ${file} (${openProblem(code, error)}). ${fix}`, 2, { cause: error });
  }
  const open = (): number => {
    if (first === undefined) return openLogFd(file);
    const fd = first;
    first = undefined;
    return fd;
  };
  const sink = createLogSink(open, { ...options.sink, onFirstDrop: options.onFirstDrop });
  const logger = pino({ level, base: { pid: process.pid }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  return {
    logger,
    flushSync: () => sink.flushSync(),
    // Flush but keep the file open: the kernel may still log its last lines (an overrun, a
    // fatal error) after this release ran; the descriptor closes with the process.
    close: () => sink.flush(),
    drops: () => sink.drops(),
  };
}

/** What to tell the user when log lines were lost (once, after the run or in the UI), or null. */
export function describeLogDrops(file: string, drops: LogDrops | null): string | null {
  if (drops === null) return null;
  return `${drops.lines} log line(s) could not be written to ${file} (${drops.reason}) and were dropped; the run itself was not affected. Free space there, or set XDG_STATE_HOME elsewhere.`;
}

function checkLevel(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'info';
  const level = value.trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(level)) return level;
  throw new UsageError(`UPBIT_TUI_LOG_LEVEL=${JSON.stringify(value)} is not a log level: set it to one of ${LEVELS.join(', ')}, or unset it (the default is info).`, 2);
}

function openProblem(code: string | undefined, error: unknown): string {
  switch (code) {
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENXIO':
      return 'it is a named pipe nobody reads';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENOENT':
      return 'it is a symbolic link to something that does not exist';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
