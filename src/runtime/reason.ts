import { describeError } from './errors.js';

export type ShutdownSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Why the process is ending; it decides the exit code. */
export type ShutdownReason =
  | { kind: 'signal'; signal: ShutdownSignal }
  | { kind: 'user' }
  | { kind: 'error'; error: unknown }
  /** The front end's work is over, with this exit code: a CLI command done (0) or failed with a line for the user (2–6). */
  | { kind: 'done'; exitCode: number };

/** What a shutdown did, for the log and for tests. */
export interface ShutdownReport {
  reason: ShutdownReason;
  exitCode: number;
  /** Steps that did not finish within their deadline, e.g. `task 'feed'`, `release 'socket'`. */
  overruns: string[];
  /** Steps that threw, and what they threw. */
  errors: { step: string; error: string }[];
}

/** 128 + the signal number, as a shell reports a process killed by it. */
export const SIGNAL_EXIT_CODES: Readonly<Record<ShutdownSignal, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The exit code of `reason`; `signalCodes` replaces 128+signal for some signals (a CLI command exits 130 for SIGTERM too). */
export function exitCodeFor(reason: ShutdownReason, signalCodes: Partial<Record<ShutdownSignal, number>> = {}): number {
  switch (reason.kind) {
    case 'signal':
      return signalCodes[reason.signal] ?? SIGNAL_EXIT_CODES[reason.signal];
    case 'done':
      return reason.exitCode;
    case 'user':
      return 0;
    case 'error':
      return 1;
  }
}

export function describeReason(reason: ShutdownReason): string {
  switch (reason.kind) {
    case 'signal':
      return reason.signal;
    case 'user':
      return 'the user quit';
    case 'error':
      return `fatal error: ${describeError(reason.error)}`;
    case 'done':
      return `work done (exit ${reason.exitCode})`;
  }
}
