/**
 * Whole-file saving for small JSON files that hold secrets (the sim state, the paper wallet):
 * written owner-only (0600) to a temporary file beside the target, flushed to disk, then
 * renamed over it, so a crash leaves the old or the new content, never half of one.
 */
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Replace `file` with `text` atomically: write a temporary file beside it, flush it to disk, rename. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
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

export interface DebouncedFileWriterOptions {
  file: string;
  /** The current content, rendered on each save. */
  render: () => string;
  /** Quiet time after a change before writing. */
  debounceMs: number;
  /** Writes the content. @default writeFileAtomically */
  write?: (file: string, text: string) => Promise<void>;
  /** After each successful write. */
  onWritten?: () => void;
  /** For every failed write, before the failure is passed on (to `flush`'s caller). */
  onWriteError?: (error: unknown) => void;
  /** A debounced save (one nobody awaits) failed. */
  onBackgroundError?: (error: unknown) => void;
}

export interface DebouncedFileWriter {
  /** Something changed: save after the debounce. Ignored after `close`. */
  changed(): void;
  /** Save now if the content differs from what was last written; waits for a save under way. Rejects when the write fails. */
  flush(): Promise<void>;
  /** Stop the timer and save one last time. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Debounced saving, one write at a time, skipping writes whose content is what the file
 * already holds. A failed write is retried on the next change or flush.
 */
export function createDebouncedFileWriter(options: DebouncedFileWriterOptions): DebouncedFileWriter {
  const { file, render, debounceMs } = options;
  const write = options.write ?? writeFileAtomically;
  let timer: NodeJS.Timeout | undefined;
  let written: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  let closed: Promise<void> | undefined;

  const save = async (): Promise<void> => {
    const text = render();
    if (text === written) return;
    try {
      await write(file, text);
    } catch (error) {
      options.onWriteError?.(error);
      throw error;
    }
    written = text;
    options.onWritten?.();
  };
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const run = chain.then(save);
    // The chain goes on after a failure; the caller of this flush still sees it.
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    changed() {
      if (closed !== undefined || timer !== undefined) return;
      timer = setTimeout(() => {
        // Not awaited by anyone: the failure is reported here and the next change retries.
        flush().catch((error: unknown) => options.onBackgroundError?.(error));
      }, debounceMs);
    },
    flush,
    close() {
      closed ??= flush();
      return closed;
    },
  };
}
