/**
 * The TUI's trading session: the same path as every CLI trading command (the mode chosen once
 * by `openTradingContext`, its credentials, venue, journal, order service and start-up
 * recovery, all acquired on the TUI's kernel), then the session of ./trading-session.ts with
 * its tasks spawned under the kernel (`private-stream` or `paper-fills`, `order-service`,
 * `account-sync`), so the tasks panel lists them.
 *
 * It opens in the background, as the kernel task `trading-session`: the first frame of prices
 * never waits for a REST call or the recovery; the status bar says `account: loading…` until
 * the balances were read, and shows the private stream's state and the order budget once it
 * is open (neither in paper mode). When it cannot open (`--live` without keys, a state that
 * cannot be used, the account locked), that is one line for the user, said once the terminal
 * is back, with the exit code a CLI command would have: never "a bug".
 */
import { UsageError } from './errors.js';
import { isCancellation } from '../runtime/errors.js';
import { DirectoryError, ensureDirectory } from '../runtime/dirs.js';
import type { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import { LockedError } from '../runtime/process-lock.js';
import { JournalError } from '../trading/journal/index.js';
import { PaperWalletError } from '../trading/paper/index.js';
import { quotesFromMarketStore } from '../trading/session/index.js';
import type { MarketSnapshot } from '../trading/market-store.js';
import { startUnder } from '../trading/under-kernel.js';
import { UpbitError } from '../upbit/rest/index.js';
import type { Venue } from '../trading/venue.js';
import { tradingSlot, type TradingSource, type TradingView } from '../ui/trading-source.js';
import type { EmbeddedExchange } from './embedded-exchange.js';
import { recoveryNotice } from './recovered-orders.js';
import { openTradingContext, type TradingFlagsInput } from './trading-context.js';
import { sessionOf } from './trading-session.js';
import { startMonitor } from './monitor-host.js';
import type { MonitorNotice } from './notify.js';
import type { MarketFeed } from '../trading/feed/index.js';
import type { MonitorEvent } from '../trading/monitor/monitor.js';

/** The task that opens the session (it ends once the session's own tasks run). */
export const TUI_TRADING_TASK = 'trading-session';

/** How long quitting waits for an order already sent: within the kernel's step deadline (2 s). */
const DRAIN_MS = 1500;

export interface TuiTradingOptions {
  logger: Logger;
  /** Read for the keys (and scrubbed of them). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The built-in exchange the TUI already opened for `--sim` (its keeper): traded on, not opened again. */
  embedded?: { current(): EmbeddedExchange };
  /** The ticker store: prices for the pre-trade check. */
  prices: { getSnapshot: () => MarketSnapshot };
  /** What the start-up recovery found, for the screen's notice line (null: nothing to say). */
  setNotice: (text: string | null) => void;
  /** The session could not be opened: `line` is for the user once the terminal is restored. */
  fail: (line: UsageError) => void;
  /**
   * The market feed: the monitor holds its own demand on it for the markets that have rules.
   * @default none: no monitor (rules are not watched by this console)
   */
  feed?: MarketFeed;
  /** Rule events, for the log pane. */
  onRuleEvent?: (e: MonitorEvent) => void;
  /** Notifications of firings, fills and failures (bell, OSC 9/777, hook). */
  notify?: (n: MonitorNotice) => void;
}

/** Spawn the opening of the session on `kernel`; the returned source has the session once it is open. */
export function startTuiTrading(kernel: Kernel, flags: TradingFlagsInput, o: TuiTradingOptions): TradingSource {
  const slot = tradingSlot();
  const log = o.logger.child({ component: 'tui-trading' });
  kernel.spawn(TUI_TRADING_TASK, async (signal) => {
    try {
      const dataDir = ensureDirectory(flags.dataDir);
      const ctx = await openTradingContext(
        kernel,
        { ...flags, dataDir },
        {
          logger: o.logger,
          ...(o.env === undefined ? {} : { env: o.env }),
          // Every line to the log; the screen gets the recovery's (below): the badge says the mode.
          notice: (line) => log.info({ notice: line }, 'trading notice'),
          signal,
          drainDeadlineMs: DRAIN_MS,
          privateStream: true,
          ...(o.embedded === undefined ? {} : { embedded: o.embedded }),
        },
      );
      if (signal.aborted) return;
      const built = sessionOf(ctx, { quotes: quotesFromMarketStore(o.prices), logger: o.logger, source: 'ui', drainDeadlineMs: DRAIN_MS });
      startUnder(kernel, built);
      const monitor =
        o.feed === undefined
          ? undefined
          : await startMonitor(kernel, ctx, built.session, o.feed, {
              dataDir,
              logger: o.logger,
              command: 'upbit-tui (console)',
              ...(o.onRuleEvent === undefined ? {} : { onEvent: o.onRuleEvent }),
              ...(o.notify === undefined ? {} : { notify: o.notify }),
            });
      slot.set({ mode: ctx.mode.kind, account: built.session.account, orders: built.session.orders, session: built.session, ...venueLinks(ctx.venue), ...(monitor === undefined ? {} : { monitor }) });
      const said = ctx.recovered.map(recoveryNotice);
      if (ctx.stillUnknown.length > 0) said.push(`${ctx.stillUnknown.length} earlier order(s) still unknown; they are looked up again (see the log).`);
      if (said.length > 0) o.setNotice(said.join(' '));
      log.info({ mode: ctx.mode.kind, exchange: ctx.mode.exchange, recovered: ctx.recovered.length, stillUnknown: ctx.stillUnknown.length }, 'trading session open');
    } catch (error) {
      if (isCancellation(error, signal)) return;
      const line = userLine(error, flags.dataDir);
      log.warn({ err: error }, 'the trading session could not be opened');
      if (line === undefined) throw error;
      o.fail(line);
    }
  });
  return slot;
}

/**
 * What the status line shows of the venue's links: its private stream's status as a store
 * (the venue tells each change) and its order budget (read when the line redraws). Paper has
 * neither: its events are its own engine's and its orders send no request.
 */
export function venueLinks(venue: Pick<Venue, 'privateStream' | 'orderBudget'>): Pick<TradingView, 'privateStream' | 'orderBudget'> {
  const stream = venue.privateStream;
  return {
    ...(stream === undefined ? {} : { privateStream: { getSnapshot: () => stream.status(), subscribe: (listener: () => void) => stream.onStatus(() => listener()) } }),
    ...(venue.orderBudget === undefined ? {} : { orderBudget: venue.orderBudget }),
  };
}

/** The failure to open as the one line (and exit code) a trading command would end with; undefined for a bug. */
export function userLine(error: unknown, dataDir: string): UsageError | undefined {
  if (error instanceof UsageError) return error;
  if (error instanceof DirectoryError) {
    return new UsageError(`The data directory ${dataDir} cannot be used: ${error.problem}. Pass --data-dir a writable directory, or fix this one.`, 2, { cause: error });
  }
  // A CLI command's codes (README, exit codes): 6 busy, 4 no connection, 3 refused, 5 outcome unknown.
  if (error instanceof LockedError) return new UsageError(error.message, 6, { cause: error });
  if (error instanceof JournalError || error instanceof PaperWalletError) return new UsageError(error.message, 1, { cause: error });
  if (error instanceof UpbitError) {
    const code = error.kind === 'connection' || error.kind === 'rate-limit' ? 4 : error.kind === 'outcome-unknown' ? 5 : error.kind === 'bug' ? 1 : error.kind === 'credentials' && error.status === null ? 2 : 3;
    return new UsageError(error.message, code, { cause: error });
  }
  return undefined;
}
