/**
 * The paper wallet's file, `<dataDir>/paper/<quotesLabel>.json`: the engine's snapshot as
 * JSON, written whole (temporary file, fsync, rename; owner-only) at every change before the
 * change is answered, so a crash leaves the old or the new wallet, never half of one and
 * never one older than what the order service was told. A file that cannot be read is never
 * overwritten.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createDurableFileSaver } from '../../runtime/atomic-file.js';
import type { Logger } from '../../runtime/logger.js';

/** The wallet file couldn't be used; the user must move it away (it is left untouched). */
export class PaperWalletError extends Error {
  override name = 'PaperWalletError';
}

/** `<dataDir>/paper/<label>.json`; the label is checked so it cannot leave the directory. */
export function walletPath(dataDir: string, label: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(label)) throw new Error(`A paper quotes label must be a plain name, not ${JSON.stringify(label)}.`);
  return path.join(dataDir, 'paper', `${label}.json`);
}

/** The file's JSON, or undefined when there is no file yet. */
export function readWallet(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') return undefined;
    throw new PaperWalletError(`Cannot read the paper wallet ${file} (${reason(error)}): check its permissions.`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corruptWallet(file, `it is not JSON: ${reason(error)}`, error);
  }
}

export function corruptWallet(file: string, why: string, cause?: unknown): PaperWalletError {
  return new PaperWalletError(
    `The paper wallet ${file} cannot be used (${why}). It was left as it is: move it away (or delete it) to start a fresh paper wallet, or restore a backup.`,
    { cause },
  );
}

export interface WalletPersister {
  /** For `ExchangeOptions.persist`: the wallet written whole and flushed to disk before it returns; throws the OS error. */
  readonly persist: (state: unknown) => void;
  /** The error of the last save if it failed (undefined once one works again). */
  readonly failure: () => unknown;
}

/**
 * Saving the wallet on every change, synchronously: the paper venue answers the order
 * service only with what the file holds (a debounced save lost acknowledged orders to a
 * crash or a full disk). The engine saves per change, never per price tick that fills nothing.
 */
export function createWalletPersister(file: string, logger: Logger, write?: (file: string, text: string) => void): WalletPersister {
  const saver = createDurableFileSaver({
    file,
    write,
    onFailing: (error) => logger.error({ err: error, file }, 'could not save the paper wallet; changes are refused until it can be saved'),
    onRecovered: (failedSaves) => logger.info({ file, failedSaves }, 'paper wallet saved again'),
  });
  return {
    persist: (state) => saver.save(`${JSON.stringify(state, null, 1)}\n`),
    failure: saver.failure,
  };
}

/** The one line for a wallet change that could not be saved (and so was not made). */
export function walletNotSaved(file: string, cause: unknown, notMade: string): PaperWalletError {
  return new PaperWalletError(
    `Cannot save the paper wallet ${file} (${reason(cause)}), so ${notMade}. Make ${path.dirname(file)} writable (or free disk space there), or pass another --data-dir, then run the command again.`,
    { cause },
  );
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
