/**
 * A CLI command as a short-lived kernel (`app/root.ts`, front end `cli`): its work is the task
 * `command`, everything it opens is acquired on the kernel where it is opened, and its end is
 * the kernel's shutdown, with the command's exit code. SIGINT, SIGTERM and SIGHUP take the
 * kernel's one path: the task's signal aborts (the command stops sending anything new), the
 * task ends, the releases run last-acquired first (an order in flight is awaited and
 * journaled), then the command's last line is said and the process exits. A second SIGINT or
 * SIGTERM forces the exit at once; a second SIGHUP is only the shell passing it on.
 */
import type { LogDrops } from '../app/file-logger.js';
import { describeLogDrops, openFileLogger } from '../app/file-logger.js';
import { UsageError } from '../app/errors.js';
import { openRoot } from '../app/root.js';
import { settleWithin } from '../runtime/deadline.js';
import { endAfterHangup, flushThenExit, writeStderr } from '../runtime/exit.js';
import type { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import type { ShutdownReason, ShutdownSignal } from '../runtime/reason.js';
import { SIGNAL_EXIT_CODES } from '../runtime/reason.js';
import { outputFailureLine, settleStream, writeGuarded } from './output.js';

export interface CommandRun {
  readonly kernel: Kernel;
  /** The log file's logger (bind a part with `child({ component })`). */
  readonly logger: Logger;
  /** Aborted when the kernel shuts down (a signal): send nothing new, end soon. */
  readonly signal: AbortSignal;
}

export interface CommandOptions {
  logFile: string;
  /** Lines the log cannot take are said when the first is dropped. @default said once, at the end of the command */
  onFirstDrop?: (drops: LogDrops) => void;
  /** Exit codes of signals other than 128+signal (the trading commands: 130 for SIGTERM). @default {} */
  signalExitCodes?: Partial<Record<ShutdownSignal, number>>;
  /**
   * How long shutdown waits for the command's task, and for each release (an order on the
   * wire, the drain of the order service). @default 15_000
   */
  stepDeadlineMs?: number;
  /**
   * The failure of the command's body as the line and exit code for the user (a
   * {@link UsageError}), or anything else for a bug (exit 1, with its stack). `stoppedBy` is
   * the signal the kernel is stopping for, if any. Also called with `undefined` when the body
   * finished but a signal came meanwhile: a UsageError then is the line to end with.
   * @default a UsageError as it is, anything else a bug
   */
  failure?: (error: unknown, stoppedBy: ShutdownSignal | undefined) => unknown;
  /** Said on stderr when a second signal (or the shutdown deadline) ends the command at once. */
  forcedLine?: string;
}

/**
 * Run `body` as the command's kernel task. Never settles: the kernel ends the process (after
 * its releases) with the command's exit code, so nothing may run after the command but what
 * the kernel runs. Errors thrown before this is called (bad flags) are main's to report.
 */
export function runCommand(o: CommandOptions, body: (run: CommandRun) => Promise<void>): Promise<never> {
  const log = openFileLogger(o.logFile, { onFirstDrop: o.onFirstDrop });
  /** The line the command ends with, said once every release ran. */
  let last: UsageError | undefined;
  const root = openRoot({
    frontEnd: 'cli',
    log,
    logFile: o.logFile,
    lifetime: {
      stepDeadlineMs: o.stepDeadlineMs ?? 15_000,
      // The task, then each release within its own step deadline: room for an order in flight and its drain.
      shutdownDeadlineMs: 4 * (o.stepDeadlineMs ?? 15_000),
      signalExitCodes: o.signalExitCodes,
      exit: (code) => void endCommand(code, { last, drops: o.onFirstDrop === undefined ? describeLogDrops(o.logFile, log.drops()) : null }),
    },
  });
  const { kernel } = root;
  const stoppedBy = (): ShutdownSignal | undefined => {
    const reason = kernel.shutdownReason;
    return reason?.kind === 'signal' ? reason.signal : undefined;
  };
  const failure = o.failure ?? ((error: unknown) => error);
  const logger = root.logger.child({ component: 'cli' });
  // The terminal hung up: what is still written to it fails with EIO, which is no crash.
  const offHangup = kernel.subscribe(() => {
    if (stoppedBy() !== 'SIGHUP') return;
    offHangup();
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  });
  if (o.forcedLine !== undefined) {
    const line = o.forcedLine;
    kernel.onForce(() => writeStderr(`upbit-tui: ${line}`));
  }
  kernel.spawn('command', async (signal) => {
    let reason: ShutdownReason = { kind: 'done', exitCode: 0 };
    try {
      await body({ kernel, logger, signal });
      const after = stoppedBy() === undefined ? undefined : failure(undefined, stoppedBy());
      if (after instanceof UsageError) last = after;
    } catch (error) {
      logger.error({ err: error, stoppedBy: stoppedBy() }, 'command failed');
      const said = failure(error, stoppedBy());
      if (said instanceof UsageError) {
        last = said;
        reason = { kind: 'done', exitCode: said.exitCode };
      } else {
        reason = { kind: 'error', error: said };
      }
    }
    // Already under way when a signal stopped the command: the signal's exit code then.
    void kernel.shutdown(reason);
  });
  return new Promise<never>(() => undefined);
}

/**
 * The kernel's exit for a command: what the log could not take, the command's last line,
 * then stdout that could not be written (`> /dev/full`: a command that succeeded exits 1 so a
 * script notices), then the exit itself; by SIGHUP for 129 (see `endAfterHangup`).
 */
async function endCommand(code: number, end: { last: UsageError | undefined; drops: string | null }): Promise<void> {
  if (end.drops !== null) writeGuarded(process.stderr, `upbit-tui: ${end.drops}\n`);
  if (end.last !== undefined) writeGuarded(process.stderr, `upbit-tui: ${end.last.message}\n`);
  const exitCode = await reportOutputFailure(code);
  if (exitCode === SIGNAL_EXIT_CODES.SIGHUP) endAfterHangup();
  else flushThenExit(exitCode, 100);
}

/**
 * After the command: stdout that could not be written (`> /dev/full`) is said in one line on
 * stderr, quoting what was lost (an order's identifier), and a command that succeeded exits 1
 * so a script notices; a reader that closed the pipe (`| head`, EPIPE) ends it quietly. The
 * command's work is done and saved either way: output errors never reach it. Returns the exit
 * code to end with. Waits at most a second for stdout (a reader that stopped reading).
 */
export async function reportOutputFailure(exitCode: number): Promise<number> {
  const settled = await settleWithin(settleStream(process.stdout), 1000);
  const failure = settled.kind === 'ok' ? settled.value : undefined;
  if (failure === undefined) return exitCode;
  const workDone = exitCode === 0;
  const line = outputFailureLine(failure, workDone);
  if (line === undefined) return exitCode;
  writeGuarded(process.stderr, `upbit-tui: ${line}\n`);
  return workDone ? 1 : exitCode;
}
