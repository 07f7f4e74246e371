/**
 * The process-level defaults of the kernel: the only `process.exit` in the codebase, and the
 * one place that writes to stderr once the terminal is restored.
 */

/**
 * Exit with `code` once stdout and stderr have flushed what is queued, or after `budgetMs`
 * whichever comes first: a pipe nobody reads must not keep a quitting process alive.
 */
export function flushThenExit(code: number, budgetMs: number): void {
  process.exitCode = code;
  const queued = [process.stdout, process.stderr].filter((stream) => stream.writable && stream.writableLength > 0);
  if (queued.length === 0) process.exit(code);
  const exit = (): never => process.exit(code);
  setTimeout(exit, budgetMs);
  let waiting = queued.length;
  for (const stream of queued) {
    // An empty write's callback runs after everything queued before it has been handed to the OS.
    stream.write('', () => {
      waiting -= 1;
      if (waiting === 0) exit();
    });
  }
}

/** Print text for the user on stderr, best effort: a closed terminal is not worth a crash. */
export function writeStderr(text: string): void {
  try {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // stderr is gone (SIGHUP of the terminal); there is nobody left to tell.
  }
}
