/**
 * Whole-file saving for small JSON files that hold secrets (the sim state, the paper wallet):
 * written owner-only (0600) to a temporary file beside the target, flushed to disk, then
 * renamed over it, so a crash leaves the old or the new content, never half of one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

function tempPathOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
}

/** Replace `file` with `text` atomically: write a temporary file beside it, flush it to disk, rename. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temp = tempPathOf(file);
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * {@link writeFileAtomically}, synchronously, and durable when it returns: the temporary file
 * is flushed before the rename and the folder after it, so the new content survives a power
 * cut from then on (https://man7.org/linux/man-pages/man2/fsync.2.html: "Calling fsync() does
 * not necessarily ensure that the entry in the directory containing the file has also reached
 * disk"). For state that must be on disk before anyone is told about it (the simulator's
 * answers, the paper venue's): the caller cannot interleave anything between the change and
 * the save. Throws the OS error (EACCES, ENOSPC, EROFS, …); the old file is then untouched.
 */
export function writeFileAtomicallySync(file: string, text: string): void {
  const temp = tempPathOf(file);
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      const data = Buffer.from(text, 'utf8');
      for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // There was no temporary file, or it cannot be removed either: the OS error above says why.
    }
    throw error;
  }
  syncFolder(path.dirname(file));
}

/**
 * Flush a folder's entries (the rename) to disk. Never throws: once renamed, the new content
 * is what every reader sees, so reporting the save as failed (and undoing the change in
 * memory) would be the worse lie; a folder that cannot be flushed (Windows cannot open one,
 * some file systems refuse) costs only the rename's durability across a power cut.
 */
function syncFolder(folder: string): void {
  let fd: number;
  try {
    fd = openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // See above: the rename is done.
  } finally {
    closeSync(fd);
  }
}

export interface DurableFileSaverOptions {
  file: string;
  /** Writes the file, durably, before it returns. @default writeFileAtomicallySync */
  write?: (file: string, text: string) => void;
  /** The first failure of a run of them (later ones are only counted: a caller may retry often). */
  onFailing?: (error: unknown) => void;
  /** The first success after failures, with how many saves failed. */
  onRecovered?: (failedSaves: number) => void;
}

export interface DurableFileSaver {
  /** Write `text` now, durably; throws the OS error. */
  readonly save: (text: string) => void;
  /** The error of the last save if it failed; undefined once one works again. */
  readonly failure: () => unknown;
}

/** Synchronous durable saves of one file, remembering whether the last one failed. */
export function createDurableFileSaver(options: DurableFileSaverOptions): DurableFileSaver {
  const write = options.write ?? writeFileAtomicallySync;
  let failure: unknown;
  let failures = 0;
  return {
    save(text) {
      try {
        write(options.file, text);
      } catch (error) {
        failures++;
        if (failure === undefined) options.onFailing?.(error);
        failure = error;
        throw error;
      }
      if (failure !== undefined) options.onRecovered?.(failures);
      failure = undefined;
      failures = 0;
    },
    failure: () => failure,
  };
}
