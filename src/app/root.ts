/**
 * The one composition root: every front end of upbit-tui starts here, so each is a kernel with
 * the same parts, built the same way (docs/architecture.md#one-composition-root):
 *
 * - `tui`: the ticker console (`app/tui.ts`), a kernel for the whole session;
 * - `cli`: each scriptable command (`balance`, `buy`, …, `sim`), a short-lived kernel
 *   (`cli/command-runner.ts`): its work is one task, its end is the kernel's shutdown;
 * - `headless`: a run with no terminal to draw on (the monitor of the next issue): build the
 *   root with {@link openRoot}, spawn its tasks and acquire its parts on `root.kernel`; the
 *   kernel then stops it on SIGINT/SIGTERM/SIGHUP and exits with 130/143/129.
 *
 * What the root gives each of them: the log file as the kernel's logger (closed by the
 * kernel's last release, flushed synchronously on a forced exit), the event-loop monitor, the
 * text printed for a fatal error once the terminal is restored, and the process's signals and
 * uncaught errors routed to the kernel. Nothing outside `src/runtime/` listens to a signal.
 */
import { Kernel, type KernelOptions } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import type { LoopMonitorOptions } from '../runtime/loop-monitor.js';
import type { FileLogger } from './file-logger.js';

export type FrontEnd = 'tui' | 'cli' | 'headless';

export interface RootOptions {
  frontEnd: FrontEnd;
  /**
   * The log file, already open: a front end may log before its kernel exists (the TUI checks
   * `--markets` first, so a typo costs no clean-up). The root owns it from here: released last.
   */
  log: FileLogger;
  /** Its path, named in the text of a fatal error. */
  logFile: string;
  /** Options of the event-loop monitor. @default the monitor's defaults */
  loopMonitor?: LoopMonitorOptions;
  /**
   * The kernel's lifetime settings for this front end: a CLI command's exit (its last line,
   * output failures), deadlines long enough for an order in flight, exit codes of signals.
   * @default the kernel's defaults
   */
  lifetime?: Pick<KernelOptions, 'exit' | 'stepDeadlineMs' | 'shutdownDeadlineMs' | 'signalExitCodes'>;
  /** The process whose signals and uncaught errors go to the kernel. @default process */
  proc?: NodeJS.Process;
}

export interface Root {
  readonly kernel: Kernel;
  /** The log file's logger; bind a part with `logger.child({ component })`. */
  readonly logger: Logger;
  readonly frontEnd: FrontEnd;
}

/** What a fatal error is prefixed with, per front end: the TUI's user reads it after the screen is restored. */
export function fatalText(frontEnd: FrontEnd, logFile: string, text: string): string {
  if (frontEnd === 'tui') return `upbit-tui stopped on an unexpected error. This is a bug: please report it with the log file ${logFile}\n${text}\n`;
  return `upbit-tui: unexpected error (a bug — please report it with the log file ${logFile}):\n${text}\n`;
}

/**
 * Build the kernel of a front end: logger, loop monitor, fatal reporting, the log file as its
 * last release, and the process attached (signals, uncaught errors). From this moment the
 * kernel owns the process's end: call `root.kernel.shutdown(reason)` to stop, never
 * `process.exit`.
 */
export function openRoot(o: RootOptions): Root {
  const kernel = new Kernel({
    logger: o.log.logger.child({ component: 'kernel' }),
    loopMonitor: o.loopMonitor,
    // Runs after the terminal is restored (after every release), so the user can read it.
    reportFatal: (text) => {
      try {
        process.stderr.write(fatalText(o.frontEnd, o.logFile, text));
      } catch {
        // stderr is gone (a hang-up): nobody is left to tell; the log has it.
      }
    },
    ...o.lifetime,
  });
  // Acquired right after the loop monitor, so released after every other part: their last lines are logged.
  kernel.acquire('log file', () => o.log.close());
  kernel.onForce(() => o.log.flushSync());
  kernel.attachProcess(o.proc);
  return { kernel, logger: o.log.logger, frontEnd: o.frontEnd };
}
