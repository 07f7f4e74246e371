/**
 * The paper wallet's file, `<dataDir>/paper/<quotesLabel>.json`: the engine's snapshot as
 * JSON, written whole (temporary file, fsync, rename; owner-only) so a crash leaves the old
 * or the new wallet, never half of one. A file that cannot be read is never overwritten.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { createDebouncedFileWriter, writeFileAtomically } from '../../runtime/atomic-file.js';
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
export async function readWallet(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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

/** Replace `file` with `text` atomically. */
export async function writeWallet(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomically(file, text);
}

export interface WalletSaver {
  /** Something changed: save after the debounce. */
  changed(): void;
  /** Save now (if the content changed); waits for a save under way. Rejects when the write fails. */
  flush(): Promise<void>;
}

/**
 * Debounced saving, one write at a time, skipping content the file already holds. A failed
 * debounced write is logged and tried again on the next change or flush.
 */
export function createWalletSaver(file: string, snapshot: () => unknown, debounceMs: number, logger: Logger): WalletSaver {
  return createDebouncedFileWriter({
    file,
    render: () => `${JSON.stringify(snapshot(), null, 1)}\n`,
    debounceMs,
    write: writeWallet,
    onBackgroundError: (error) => logger.error({ err: error, file }, 'could not save the paper wallet'),
  });
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
