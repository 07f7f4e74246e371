/**
 * The single-instance lock of monitor rule firing (issue 11): the headless monitor, or a TUI
 * running the rules, takes it before it arms any rule and holds it for as long as it fires
 * them. Everything else is shared by every process on the account (docs/locking.md): a rule
 * is the one thing that must not run twice, since two monitors that both see the price cross
 * a stop would both sell. Not used yet; the monitor of issue 11 calls it.
 */
import { acquireProcessLock, type ProcessLock } from '../runtime/process-lock.js';
import { monitorLockPath } from './journal/index.js';

export interface MonitorLockOptions {
  /** The account as the trading lock keys it (tradingLockKey in src/app/trading-mode.ts). */
  key: string;
  /** For the message when another process fires the rules: "the rules of the Upbit account 3f2a…". */
  what: string;
  /** @default `upbit-tui monitor` */
  command?: string;
}

/**
 * Take the firing lock of `key` at once, or reject with a `LockedError` naming the process
 * that fires the rules now (it is not waited for: a second monitor must say so and stop, not
 * start firing later). Like every lock here it is the OS's, so a crashed monitor never holds it.
 */
export function acquireMonitorLock(dataDir: string, options: MonitorLockOptions): Promise<ProcessLock> {
  return acquireProcessLock(monitorLockPath(dataDir, options.key), { what: options.what, waitMs: 0, command: options.command ?? 'upbit-tui monitor' });
}
