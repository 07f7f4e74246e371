import { readFile } from 'node:fs/promises';

import { UsageError } from '../app/errors.js';
import { createDebouncedFileWriter, writeFileAtomically } from '../runtime/atomic-file.js';
import { JsonTextError, parseJsonText } from '../runtime/json-text.js';
import type { Logger } from '../runtime/logger.js';
import { acquireProcessLock, type ProcessLock } from '../runtime/process-lock.js';

export { writeFileAtomically };

/**
 * The `upbit-tui sim --state FILE` file: the exchange's snapshot as JSON. It holds the
 * accounts' secret keys, so it is written owner-only (0600), always whole (a temporary file
 * renamed over the old one), and never over a file that could not be read.
 */

/** The file's content, or undefined when there is no file yet. A file that is not JSON is a user error. */
export async function readStateFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read the state file ${file} (${reason(error)}). Check its permissions, or pass another --state.`, 1, { cause: error });
  }
  try {
    // The file holds secret keys: the error says where it breaks, never what is there.
    return parseJsonText(text);
  } catch (error) {
    throw corruptState(file, error instanceof JsonTextError ? error.message : 'it is not JSON');
  }
}

/**
 * Hold `<file>.lock` while the exchange runs on `file`: two simulators (or a simulator and a
 * `--sim` command) saving one state file would each overwrite the other's orders.
 */
export function lockStateFile(file: string): Promise<ProcessLock> {
  return acquireProcessLock(`${file}.lock`, { what: `the simulator state file ${file}` });
}

/** The error for a state file that is there but unusable; it is left untouched. */
export function corruptState(file: string, why: string, cause?: unknown): UsageError {
  return new UsageError(
    `The state file ${file} cannot be used (${why}). It was left as it is: move it away (or delete it) to start with a fresh exchange, or pass another --state.`,
    1,
    { cause },
  );
}

export interface StateSaverOptions {
  file: string;
  /** The current state, serialised on each save. */
  snapshot: () => unknown;
  /** Quiet time after a change before writing. @default 250 */
  debounceMs?: number;
  logger: Logger;
  /** Told once per run of failures (the log has each one). */
  warn: (message: string) => void;
}

export interface StateSaver {
  /** Something changed: save after the debounce. */
  changed(): void;
  /** Save now if the state differs from what was last written; waits for a save under way. */
  flush(): Promise<void>;
  /** Stop the timer and save one last time. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Debounced saving, one write at a time, skipping writes whose content is what the file
 * already holds. A failed write is logged and retried on the next change.
 */
export function createStateSaver(options: StateSaverOptions): StateSaver {
  const { file, logger } = options;
  let failing = false;
  return createDebouncedFileWriter({
    file,
    render: () => `${JSON.stringify(options.snapshot(), null, 1)}\n`,
    debounceMs: options.debounceMs ?? 250,
    onWritten: () => {
      if (failing) logger.info({ file }, 'state file saved again');
      failing = false;
    },
    onWriteError: (error) => {
      logger.error({ err: error, file }, 'could not save the state file');
      if (!failing) options.warn(`upbit-tui sim: cannot save the state to ${file} (${reason(error)}); will retry on the next change.`);
      failing = true;
    },
    // Failures are logged in onWriteError.
    onBackgroundError: () => undefined,
  });
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
