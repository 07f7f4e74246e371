import { describeError } from './errors.js';

export type ShutdownSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Why the process is ending; it decides the exit code. */
export type ShutdownReason = { kind: 'signal'; signal: ShutdownSignal } | { kind: 'user' } | { kind: 'error'; error: unknown };

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

export function exitCodeFor(reason: ShutdownReason): number {
  switch (reason.kind) {
    case 'signal':
      return SIGNAL_EXIT_CODES[reason.signal];
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
  }
}
