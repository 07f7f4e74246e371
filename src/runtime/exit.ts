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
  const exit = (): never => (code === HANGUP_EXIT_CODE ? dieOfHangup() : process.exit(code));
  if (queued.length === 0) exit();
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

/** 128 + SIGHUP, as a shell reports a process its terminal hung up on. */
const HANGUP_EXIT_CODE = 129;

/**
 * End the process by SIGHUP's default action, which a shell reports as 129, instead of
 * `process.exit(129)`. Node's exit puts the terminal modes it saw at start-up back
 * (`ResetStdio`), and on a terminal that hung up `tcsetattr` fails with EIO, which Node treats as a
 * fatal assertion until nodejs/node#58200 (2025; not in Node 20, measured on 20.20): the process
 * then died of SIGSEGV (exit 139) instead, every time (https://github.com/nodejs/node/issues/51519). Dying
 * of the signal skips that restore; there is no terminal left to restore.
 */
export function dieOfHangup(): never {
  // With no listener left, Node puts back the default action (end the process).
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
  // Not reached unless SIGHUP is blocked; then exit as well as possible.
  return process.exit(HANGUP_EXIT_CODE);
}

/**
 * For a command stopped by SIGHUP once its work is done and released: write out what is
 * queued for stdout/stderr (briefly: the terminal may be gone, and its write errors are no
 * crash), then end by SIGHUP (see {@link dieOfHangup}).
 */
export function endAfterHangup(budgetMs = 200): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  flushThenExit(HANGUP_EXIT_CODE, budgetMs);
}
