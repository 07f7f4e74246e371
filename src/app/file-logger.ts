import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../runtime/logger.js';

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
  /** Flush buffered lines synchronously (safe in a force-exit path). */
  flushSync(): void;
  /** Flush what is buffered (the file itself stays open until the process ends). */
  close(): Promise<void>;
}

/**
 * A pino logger writing JSON lines to `file`, asynchronously on the same event loop
 * (sonic-boom; no worker thread, so nothing runs beside the kernel's loop).
 */
export function openFileLogger(file: string, level: string = process.env['UPBIT_TUI_LOG_LEVEL'] ?? 'info'): FileLogger {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const dest = pino.destination({ dest: file, mkdir: true, sync: false, minLength: 4096 });
  const logger = pino({ level, base: { pid: process.pid }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, dest);
  return {
    logger,
    flushSync: () => {
      try {
        dest.flushSync();
      } catch {
        // Not ready yet (file still opening): nothing buffered that we can write now.
      }
    },
    // Flush but keep the file open: the kernel may still log its last lines (an overrun, a
    // fatal error) after this release ran; the descriptor closes with the process.
    close: () =>
      new Promise<void>((resolve) => {
        dest.flush(() => resolve());
      }),
  };
}
