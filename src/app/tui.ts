import type { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import { SIM_CATALOG, simMarketInfo } from '../sim/index.js';
import { MarketStore } from '../trading/market-store.js';
import { renderApp } from '../ui/render.js';
import { spawnMarketTasks } from './market-tasks.js';
import type { TaskSource } from '../ui/task-source.js';
import type { ColorMode } from '../ui/theme.js';
import { MarketFeed } from '../trading/feed/index.js';
import type { ConnectionStatus } from '../upbit/quotation-client.js';
import type { MarketCode } from '../upbit/types.js';
import { connectionNotice } from './connection-notice.js';
import { keepEmbeddedExchange, openEmbeddedExchange, type EmbeddedExchange, type EmbeddedExchangeKeeper } from './embedded-exchange.js';
import { flushThenExit, writeStderr } from '../runtime/exit.js';
import { startTuiTrading } from './tui-trading.js';
import { rulesNotWatchedNote } from './monitor-host.js';
import type { TradingSource } from '../ui/trading-source.js';
import { Notifier, NotifyHook, detectTerminalNotify, type MonitorNotice } from './notify.js';
import { Watchlist } from './watchlist.js';
import type { WatchlistState } from './watchlist-state.js';
import { UsageError } from './errors.js';
import { DEFAULT_MARKETS } from '../upbit/market-code.js';
import type { MarketInfo } from '../upbit/market-list.js';
import type { KeyTable } from '../ui/keymap.js';
import type { Palette } from '../ui/theme.js';
import type { TicketDefaults } from '../ui/use-ticket.js';
import path from 'node:path';
import { AuditLog } from './audit-log.js';
import { focusedMarketData } from './focused-market.js';
import { UpbitRestClient } from '../upbit/rest/index.js';
import { startTuiMetrics } from './tui-metrics.js';
import { openFileLogger } from './file-logger.js';
import { fetchMarketList } from '../upbit/market-list.js';
import { checkMarketsExist, checkMarketsLive, recheckMarkets, type RecheckOptions, type UncheckedMarkets } from './resolve-markets.js';
import { openRoot } from './root.js';
import { enterAltScreen } from './terminal.js';

/**
 * The TUI as a client of the built-in exchange hosts it itself when its host goes, so it holds
 * no lease on it; as its host, it waits for attached commands within the kernel's step deadline.
 */
const TUI_EXCHANGE = { holdHost: false, clientWaitMs: 1500 } as const;

/** Event-loop lag p99 above this is logged by the kernel and highlighted in the status bar. */
const LAG_WARN_MS = 100;

export interface TuiOptions {
  /** The watchlist this run starts with (./watchlist-state.ts `initialWatchlist`). */
  markets: MarketCode[];
  /**
   * `--markets` was given: a market the exchange does not list is refused at start. Otherwise
   * the list is the saved or configured one, and such a market is left out with a notice.
   * @default true
   */
  marketsFromFlag?: boolean;
  /** Where watchlist changes are saved; null or absent: not saved (a one-off `--markets`). */
  watchlistState?: WatchlistState | null;
  /** The config file's keys (remapped bindings) and problems, each one line naming the file and key. @default defaults, none */
  config?: { keys: KeyTable; palette: Palette; problems: readonly string[]; ticket: TicketDefaults };
  /**
   * Use the data directory's built-in exchange: host it in this process, or attach to the
   * process that runs it (a CLI command, another TUI), with the account of its state file.
   */
  sim: boolean;
  /** Where the built-in exchange keeps its state (`<dataDir>/sim/state.json`), as for the CLI's `--sim`. */
  dataDir: string;
  seed: number | undefined;
  wsUrl: string;
  /** The user gave `--ws-url` (no `try --sim` hint then). @default false */
  wsUrlChosen?: boolean;
  apiUrl: string;
  colors: ColorMode;
  logFile: string;
  /**
   * How the TUI trades, with the trading commands' flags and meanings: `--sim` (above) the
   * built-in exchange it shows, `--paper`, `--live` (needs keys), `--key-file`, and `--api-url`
   * only when the user gave it. @default paper on live quotes, as a command without flags
   */
  trading?: { paper: boolean; live: boolean; keyFile: string | undefined; apiUrlChosen: boolean };
  /** Write a line of counters a second to this file (./tui-metrics.ts), for the TUI load benchmark. @default off */
  metricsFile?: string;
  /** A command run on every rule firing, fill and failure (src/app/notify.ts). @default none */
  notifyCommand?: string;
}

/**
 * Start the ticker console: one kernel owns the event loop, the (optional) embedded exchange,
 * the quotation stream, the store's flush loop and the Ink tree. Returns once everything is
 * running; the kernel ends the process on quit, signal or fatal error.
 */
export async function startTui(opts: TuiOptions): Promise<Kernel> {
  // Lines the log file cannot take are dropped, never waited for; the first drop is told on
  // screen (the store exists a little later, so the notice waits for it if need be).
  const logDrops = { tell: (_text: string): void => undefined, text: null as string | null };
  const log = openFileLogger(opts.logFile, {
    onFirstDrop: (drops) => {
      logDrops.text = `Log lines cannot be written to ${opts.logFile} (${drops.reason}); they are dropped, trading is not affected.`;
      logDrops.tell(logDrops.text);
    },
  });
  const logger = log.logger;
  // Check what the user typed before anything starts, so a typo costs no cleanup.
  let unchecked: UncheckedMarkets | null = null;
  // Every market with its names, from the list the check reads (none if it could not be had):
  // the table's Korean names and the `/` search.
  let catalog: readonly MarketInfo[] = [];
  const fromFlag = opts.marketsFromFlag ?? true;
  let markets = opts.markets;
  let dropped: string | null = null;
  // A saved or configured list may name a market the exchange no longer lists (or, with
  // --sim, one only the live exchange has): left out and said, never a refusal to start.
  const keepListed = (listed: readonly MarketCode[], where: string): void => {
    const known = new Set(listed);
    const gone = markets.filter((m) => !known.has(m));
    if (gone.length === 0) return;
    markets = markets.filter((m) => known.has(m));
    dropped = `${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} not listed on ${where}: left out of the watchlist.`;
  };
  if (opts.sim) {
    const listed = SIM_CATALOG.map((m) => m.code);
    if (fromFlag) checkMarketsExist(markets, listed, 'the built-in exchange (--sim)');
    else keepListed(listed, 'the built-in exchange (--sim)');
    catalog = SIM_CATALOG.map(simMarketInfo);
  } else {
    try {
      unchecked = await checkMarketsLive(markets, opts.apiUrl, logger, { onList: (list) => (catalog = list) });
    } catch (error) {
      if (fromFlag || !(error instanceof UsageError) || catalog.length === 0) throw error;
      keepListed(
        catalog.map((m) => m.market),
        new URL(opts.apiUrl).host,
      );
    }
  }
  if (markets.length === 0) markets = [...DEFAULT_MARKETS];
  const names: ReadonlyMap<MarketCode, string> | undefined = catalog.length === 0 ? undefined : new Map(catalog.map((m) => [m.market, m.koreanName]));
  // Before the kernel, as the check above: a state that cannot be used is one line, not "a bug".
  const exchange = opts.sim ? await openEmbeddedExchange({ ...TUI_EXCHANGE, dataDir: opts.dataDir, seed: opts.seed, logger }) : null;
  // The one composition root (./root.ts): logger, loop monitor, fatal report, the log file
  // released last, signals and uncaught errors to the kernel.
  // A trading session that cannot open ends the TUI with its one line, said after the terminal is restored.
  const end: { line: UsageError | null; note: () => string | null } = { line: null, note: () => null };
  const { kernel } = openRoot({
    frontEnd: 'tui',
    log,
    logFile: opts.logFile,
    loopMonitor: { warnAboveMs: LAG_WARN_MS },
    lifetime: {
      exit: (code) => {
        if (end.line !== null) writeStderr(`upbit-tui: ${end.line.message}`);
        const note = end.note();
        if (note !== null) writeStderr(`upbit-tui: ${note}`);
        flushThenExit(code, 100);
      },
    },
  });
  // The terminal going away (SSH drop: EIO; closed pipe: EPIPE) is a hang-up, not a crash.
  // Reading a hung-up terminal fails with EIO too. Acquired before the other parts, so released
  // after them: their last writes to a dead terminal (Ink's unmount) must not be a crash.
  let terminalGone = false;
  const onTerminalError = (error: NodeJS.ErrnoException): void => {
    if (!terminalGone) logger.warn({ code: error.code }, 'terminal input or output failed; shutting down as for SIGHUP');
    terminalGone = true;
    void kernel.shutdown({ kind: 'signal', signal: 'SIGHUP' });
  };
  for (const stream of [process.stdout, process.stdin, process.stderr]) {
    stream.on('error', onTerminalError);
    kernel.acquire('terminal error handler', () => void stream.off('error', onTerminalError));
  }
  logger.info({ opts: { ...opts } }, 'starting');
  try {
    const trading = startParts(kernel, { ...opts, markets }, logger, unchecked, { names, catalog, notices: [...(opts.config?.problems ?? []), ...(dropped === null ? [] : [dropped])] }, logDrops, exchange, (line) => {
      end.line ??= line;
      void kernel.shutdown({ kind: 'done', exitCode: line.exitCode });
    });
    end.note = () => rulesNotWatchedNote(trading.getSnapshot()?.monitor);
  } catch (error) {
    // Whatever did start is released in order and the error printed after the terminal is back.
    void kernel.shutdown({ kind: 'error', error });
  }
  return kernel;
}

/**
 * The kernel's task list as the UI reads it. A TaskInfo is a TaskRow, so the kernel's cached
 * array passes through unchanged: `tasks()` returns the same array until a task changes state
 * (test/runtime/tasks.test.ts), which is what useSyncExternalStore needs, however often the
 * kernel notifies. Task start times use Date.now, as the market store's clock does.
 */
export function kernelTaskSource(kernel: Kernel): TaskSource {
  return {
    getSnapshot: () => kernel.tasks(),
    subscribe: (listener) => kernel.subscribe(listener),
  };
}

function startParts(
  kernel: Kernel,
  opts: TuiOptions,
  logger: Logger,
  unchecked: UncheckedMarkets | null,
  known: { names: ReadonlyMap<MarketCode, string> | undefined; catalog: readonly MarketInfo[]; notices: readonly string[] },
  logDrops: { tell: (text: string) => void; text: string | null },
  exchange: EmbeddedExchange | null,
  failTrading: (line: UsageError) => void,
): TradingSource {
  const store = new MarketStore({ markets: opts.markets, logger: logger.child({ component: 'market-store' }) });
  // This run's audit trail: the `l` pane, and a JSON-lines file a day beside the log file.
  const audit = new AuditLog(path.dirname(opts.logFile), { logger: logger.child({ component: 'audit' }) });
  kernel.acquire('audit log', () => audit.close());
  const auditQuotes = audit.connectionListener('quotation');
  // Subscribed to the store before the UI, so it sees each snapshot before the frame that draws it.
  const metrics = opts.metricsFile === undefined ? undefined : startTuiMetrics(kernel, { path: opts.metricsFile, store, rows: () => process.stdout.rows });
  let wsUrl = opts.wsUrl;
  let keeper: EmbeddedExchangeKeeper | undefined;
  if (exchange !== null) {
    const kept = keepEmbeddedExchange(exchange, {
      ...TUI_EXCHANGE,
      dataDir: opts.dataDir,
      seed: opts.seed,
      logger,
      onChange: (next, previous) =>
        store.setNotice(next.wsUrl === previous.wsUrl ? null : `The built-in exchange now listens at ${next.wsUrl}; restart upbit-tui --sim to see its prices.`, 'exchange'),
      onProblem: (error) => store.setNotice(`The built-in exchange stopped with its process and cannot be restarted here (${error instanceof Error ? error.message : String(error)}).`, 'exchange'),
    });
    keeper = kept;
    kernel.acquire('embedded exchange', () => kept.close());
    kernel.spawn('embedded-exchange', (signal) => kept.run(signal));
    wsUrl = exchange.wsUrl;
    if (exchange.role === 'attached' && opts.seed !== undefined) store.setNotice(`--seed has no effect: the built-in exchange is run by pid ${exchange.hostPid}.`, 'exchange');
  }

  const host = new URL(wsUrl).host;
  // The feed owns the quotation connection; the watchlist (the ticker table) is one demand.
  const feed = new MarketFeed({
    url: wsUrl,
    tickers: store,
    logger: logger.child({ component: 'quotation' }),
    onStatus: (s: ConnectionStatus) => {
      store.setNotice(connectionNotice(s, { host, sim: opts.sim, wsUrlChosen: opts.wsUrlChosen === true }));
      auditQuotes(s);
    },
  });
  const market = focusedMarketData(kernel, feed, new UpbitRestClient({ baseUrl: exchange?.restUrl ?? opts.apiUrl, logger }), logger.child({ component: 'focus' }));
  const watchlist = new Watchlist({ feed, store, markets: opts.markets, state: opts.watchlistState ?? null, logger: logger.child({ component: 'watchlist' }) });
  kernel.acquire('watchlist demand', () => watchlist.close());
  const watchlistActions = { addMarket: (m: MarketCode) => watchlist.add(m), removeMarket: (m: MarketCode) => watchlist.remove(m) };
  if (known.notices.length > 0) {
    for (const line of known.notices) {
      logger.warn({ notice: line }, 'start-up notice');
      audit.record({ kind: 'notice', text: line });
    }
    // Every one is in the log pane (l) and the audit file; the line says how many more there are.
    store.setNotice(known.notices.length === 1 ? (known.notices[0] ?? null) : `${known.notices[0] ?? ''} (+${known.notices.length - 1} more: press l)`, 'config');
  }
  logDrops.tell = (text) => store.setNotice(text, 'log');
  if (logDrops.text !== null) store.setNotice(logDrops.text, 'log');

  if (unchecked !== null) {
    // Not verified at start-up (no network): said on screen, and checked once the list answers.
    const recheck: RecheckOptions = {
      fetch: async (signal) => (await fetchMarketList(opts.apiUrl, { timeoutMs: 3000, signal })).map((m) => m.market),
      setNotice: (text) => store.setNotice(text, 'markets'),
      host: new URL(opts.apiUrl).host,
      logger: logger.child({ component: 'markets' }),
    };
    kernel.spawn('market-list-check', (signal) => recheckMarkets(unchecked, recheck, signal));
  }
  spawnMarketTasks(kernel, store, feed);
  const offLag = kernel.loop.subscribe(() => store.setLagP99(kernel.loop.p99Ms()));
  kernel.acquire('lag feed', offLag);
  const offShutdown = kernel.subscribe(() => {
    if (kernel.isShuttingDown) store.setShuttingDown();
  });
  kernel.acquire('shutdown notice', offShutdown);

  // After the quotation parts, so the first frame of prices never waits for the session.
  const trading = startTuiTrading(
    kernel,
    {
      sim: opts.sim,
      paper: opts.trading?.paper ?? false,
      live: opts.trading?.live ?? false,
      // With --sim the TUI trades on the built-in exchange it shows (`keeper`).
      apiUrl: opts.trading?.apiUrlChosen === true && !opts.sim ? opts.apiUrl : undefined,
      dataDir: opts.dataDir,
      keyFile: opts.trading?.keyFile,
    },
    {
      logger,
      ...(keeper === undefined ? {} : { embedded: keeper }),
      prices: store,
      setNotice: (text) => {
        store.setNotice(text, 'trading');
        if (text !== null) audit.record({ kind: 'notice', text });
      },
      fail: failTrading,
      feed,
      onRuleEvent: (e) => audit.record({ kind: 'rule', market: e.market, text: `Rule ${e.ruleId} ${e.kind}: ${e.text}`, data: { rule: e.ruleId, event: e.kind } }),
      notify: tuiNotifier(kernel, opts.notifyCommand, logger).notify,
    },
  );
  // The session's orders and fills into the audit trail, once it is open.
  const offTrading = trading.subscribe(() => {
    const view = trading.getSnapshot();
    if (view === null) return;
    offTrading();
    kernel.acquire('audit orders', audit.watchOrders(view.orders));
  });
  kernel.acquire('audit orders wait', offTrading);

  const screen = enterAltScreen({ stdout: process.stdout, stdin: process.stdin });
  kernel.onForce(() => screen.forceRestore());
  const ink = renderApp({
    store,
    names: known.names,
    catalog: known.catalog,
    watchlist: { ...watchlistActions, record: (e) => audit.record(e) },
    market,
    log: audit,
    ...(opts.config === undefined ? {} : { ticketDefaults: opts.config.ticket }),
    ...(opts.config === undefined ? {} : { keys: opts.config.keys, palette: opts.config.palette }),
    tasks: kernelTaskSource(kernel),
    trading,
    lagWarnMs: LAG_WARN_MS,
    colors: opts.colors,
    ...(metrics === undefined ? {} : { metrics }),
    onQuit: () => void kernel.shutdown({ kind: 'user' }),
    onInterrupt: () => kernel.interrupt(),
    // A component that threw cannot be drawn again: the whole app stops, the terminal is
    // restored, then the error is printed (exit 1), instead of tasks running behind a dead UI.
    onFatal: (error, componentStack) => {
      logger.error({ err: error, componentStack }, 'the UI failed while rendering; shutting down');
      void kernel.shutdown({ kind: 'error', error });
    },
  });
  // A forced exit leaves the alternate screen without unmounting: no frame may follow it.
  kernel.onForce(() => ink.stopDrawing());
  // Continued after a stop (SIGTSTP, then fg): raw mode, the alternate screen and the whole frame again.
  kernel.acquire(
    'resume handler',
    kernel.onResume(() => {
      const prefix = screen.resume();
      if (prefix === null) return;
      process.stdout.write(prefix);
      ink.repaint();
    }),
  );
  // Acquired last, so released first: the terminal is restored before anything slower.
  kernel.acquire('terminal', async () => {
    ink.unmount();
    await ink.waitUntilExit();
    screen.leave();
  });
  return trading;
}

/**
 * The console's notifications of rule firings, fills and failures: the bell and OSC 9/777 on
 * the terminal (through tmux's passthrough when inside tmux), and the user's command if given;
 * its children are killed at shutdown.
 */
function tuiNotifier(kernel: Kernel, command: string | undefined, logger: Logger): { notify: (n: MonitorNotice) => void } {
  const hook = command === undefined ? undefined : new NotifyHook({ command, logger: logger.child({ component: 'notify-hook' }) });
  if (hook !== undefined) kernel.acquire('notify hook', () => hook.close());
  const notifier = new Notifier({
    // Zero-width sequences and a bell: they do not move the cursor Ink draws from.
    write: (bytes) => void process.stdout.write(bytes),
    terminal: { ...detectTerminalNotify(process.env), osc: 'both', bell: true },
    ...(hook === undefined ? {} : { hook }),
    logger,
  });
  return { notify: (n) => notifier.notify(n) };
}
