/**
 * The monitor as a front end runs it (the TUI, `upbit-tui monitor`): the firing lock taken for
 * the account and data directory, or the monitor read-only naming who holds it; the monitor's
 * task spawned on the front end's kernel after the trading session's; its events told to a
 * notifier (bell, OSC 9/777, the hook) and to the front end. A console and a headless monitor,
 * or two consoles, never both fire the same rule (docs/monitor.md, "One firing process").
 */
import type { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import { LockedError } from '../runtime/process-lock.js';
import type { MarketFeed } from '../trading/feed/index.js';
import { acquireMonitorLock } from '../trading/monitor-lock.js';
import { Monitor, type MonitorEvent, type MonitorRole } from '../trading/monitor/monitor.js';
import type { TradingSession } from '../trading/session/index.js';
import type { MonitorNotice } from './notify.js';
import type { TradingContext } from './trading-context.js';
import { tradingLockKey } from './trading-mode.js';

/** The kernel task of the monitor. */
export const MONITOR_TASK = 'monitor';

export interface MonitorHostOptions {
  dataDir: string;
  logger: Logger;
  /** Told of every event (the TUI's log pane, the headless JSON lines). */
  onEvent?: (e: MonitorEvent) => void;
  /** Notifications (src/app/notify.ts): what rings the bell, pops up, runs the hook. @default none */
  notify?: (n: MonitorNotice) => void;
  /** Which process name to show as the holder. @default `upbit-tui monitor` */
  command?: string;
  staleMs?: number;
}

/** The notice a monitor event becomes, for the kinds that notify (`waiting` and `changed` are log lines only). */
export function noticeOf(e: MonitorEvent): MonitorNotice | null {
  if (e.kind !== 'triggered' && e.kind !== 'ordered' && e.kind !== 'filled' && e.kind !== 'failed' && e.kind !== 'disarmed') return null;
  const title = `upbit-tui: ${e.market} rule ${e.ruleId} ${e.kind}`;
  return { kind: e.kind, ruleId: e.ruleId, market: e.market, title, body: e.text, at: e.at };
}

/** The firing lock's key: one per exchange and account (as the trading lock keys them). */
export function monitorLockKey(ctx: Pick<TradingContext, 'mode' | 'venue'>): string {
  return tradingLockKey(ctx.mode, ctx.venue.accountId);
}

/**
 * Take the firing role (or not), build the monitor on `session` and `feed`, and spawn it on
 * `kernel`. The lock is the kernel's to release. Returns the monitor (its store for a view,
 * its book for changes).
 */
export async function startMonitor(kernel: Kernel, ctx: Pick<TradingContext, 'mode' | 'venue' | 'journal'>, session: TradingSession, feed: MarketFeed, o: MonitorHostOptions): Promise<Monitor> {
  const log = o.logger.child({ component: 'monitor-host' });
  let role: MonitorRole;
  try {
    const lock = await acquireMonitorLock(o.dataDir, {
      key: monitorLockKey(ctx),
      what: `the rules of ${ctx.mode.kind === 'paper' ? 'the paper wallet' : `the ${ctx.mode.exchange} account`} in ${o.dataDir}`,
      ...(o.command === undefined ? {} : { command: o.command }),
    });
    kernel.acquire('monitor firing lock', () => lock.release());
    role = { firing: true };
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    role = { firing: false, heldBy: error.message };
    log.info({ heldBy: error.message }, 'another process fires the rules; shown read-only here');
  }
  const monitor = new Monitor({
    journal: ctx.journal,
    session,
    feed,
    venue: ctx.venue,
    role,
    logger: o.logger,
    ...(o.staleMs === undefined ? {} : { staleMs: o.staleMs }),
    onEvent: (e) => {
      o.onEvent?.(e);
      const n = noticeOf(e);
      if (n !== null) o.notify?.(n);
    },
  });
  kernel.spawn(MONITOR_TASK, (signal) => monitor.run(signal));
  return monitor;
}

/**
 * The line the console ends with when it fired rules that are still armed: they are not
 * watched once it has stopped (Upbit has no stop orders to leave behind), and the headless
 * monitor is how to keep them watched. Null when there is nothing to say (no monitor here,
 * read-only, or no armed rule).
 */
export function rulesNotWatchedNote(monitor: Pick<Monitor, 'role' | 'store'> | undefined): string | null {
  if (monitor === undefined || !monitor.role.firing) return null;
  const armed = monitor.store.getSnapshot().rules.filter((s) => s.rule.state === 'armed');
  if (armed.length === 0) return null;
  const markets = [...new Set(armed.map((s) => s.rule.market))].sort().join(', ');
  return `${armed.length} armed rule${armed.length === 1 ? '' : 's'} (${markets}) ${armed.length === 1 ? 'is' : 'are'} not watched while upbit-tui is not running: no stop fires now. To keep them watched, run upbit-tui monitor with the same flags (README: "The monitor, headless").`;
}
