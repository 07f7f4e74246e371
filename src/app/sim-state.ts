import { readFile } from 'node:fs/promises';

import { UsageError } from './errors.js';
import { createDurableFileSaver, writeFileAtomically } from '../runtime/atomic-file.js';
import { JsonTextError, parseJsonText } from '../runtime/json-text.js';
import type { Logger } from '../runtime/logger.js';
import { acquireProcessLock, type ProcessLock } from '../runtime/process-lock.js';

export { writeFileAtomically };

/**
 * The `upbit-tui sim --state FILE` file: the exchange's snapshot as JSON. It holds the
 * accounts' secret keys, so it is written owner-only (0600), always whole (a temporary file
 * renamed over the old one), on every change before the change is answered, and never over
 * a file that could not be read.
 *
 * It lives in app/ (not sim/) because its failures are the user's to fix, as `UsageError`s with
 * exit codes, and the exchange itself sees only `persist(state)`; the composition roots that
 * start an exchange (`upbit-tui sim`, the `--sim` trading commands, the TUI) all import it here.
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

export interface StatePersisterOptions {
  file: string;
  logger: Logger;
  /** One line for the user when saving starts failing, and when it works again. */
  warn: (message: string) => void;
  /** Writes the file, durably, before it returns. @default writeFileAtomicallySync (runtime/atomic-file.ts) */
  write?: (file: string, text: string) => void;
}

export interface StatePersister {
  /**
   * For `SimOptions.persist`: the exchange's state, written whole and flushed to disk before
   * it returns. Throws the OS error; the exchange then undoes the change and refuses it.
   */
  readonly persist: (state: unknown) => void;
  /** The error of the last save if it failed (undefined once one works again). */
  readonly failure: () => unknown;
}

/**
 * Saving the exchange's state on every change, synchronously, so no client is told of a
 * change the file does not hold (a debounced save would leave a window in which an order
 * acknowledged to a client is lost to a crash or a full disk). A save takes about a
 * millisecond for a small state, most of it the fsync: the simulator saves per change (an
 * order, a fill, a cancel), never per price tick that changes nothing.
 */
export function createStatePersister(options: StatePersisterOptions): StatePersister {
  const { file, logger } = options;
  const saver = createDurableFileSaver({
    file,
    write: options.write,
    onFailing: (error) => {
      logger.error({ err: error, file }, 'could not save the state file; changes are refused until it can be saved');
      options.warn(`cannot save the state to ${file} (${reason(error)}); every change is refused until it can be saved: make the folder writable or free disk space.`);
    },
    onRecovered: (failedSaves) => {
      logger.info({ file, failedSaves }, 'state file saved again');
      options.warn(`the state is saved to ${file} again; changes are accepted.`);
    },
  });
  return {
    persist: (state) => saver.save(`${JSON.stringify(state, null, 1)}\n`),
    failure: saver.failure,
  };
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
