import { describeError } from '../runtime/errors.js';
import { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import { SIM_CATALOG, startSimServer } from '../sim/index.js';
import { MarketStore } from '../trading/market-store.js';
import { renderApp } from '../ui/render.js';
import type { TaskSource } from '../ui/task-source.js';
import type { ColorMode } from '../ui/theme.js';
import { QuotationClient, type ConnectionStatus } from '../upbit/quotation-client.js';
import type { MarketCode } from '../upbit/types.js';
import { connectionNotice } from './connection-notice.js';
import { openFileLogger } from './file-logger.js';
import { fetchMarketList } from '../upbit/market-list.js';
import { checkMarketsExist, checkMarketsLive, recheckMarkets, type RecheckOptions, type UncheckedMarkets } from './resolve-markets.js';
import { enterAltScreen } from './terminal.js';

/** Event-loop lag p99 above this is logged by the kernel and highlighted in the status bar. */
const LAG_WARN_MS = 100;

export interface TuiOptions {
  markets: MarketCode[];
  /** Start the embedded exchange in-process and connect to it. */
  sim: boolean;
  seed: number | undefined;
  wsUrl: string;
  /** The user gave `--ws-url` (no `try --sim` hint then). @default false */
  wsUrlChosen?: boolean;
  apiUrl: string;
  colors: ColorMode;
  logFile: string;
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
  if (opts.sim) {
    checkMarketsExist(opts.markets, SIM_CATALOG.map((m) => m.code), 'the built-in exchange (--sim)');
  } else {
    unchecked = await checkMarketsLive(opts.markets, opts.apiUrl, logger);
  }
  const kernel = new Kernel({
    logger: logger.child({ c: 'kernel' }),
    loopMonitor: { warnAboveMs: LAG_WARN_MS },
    // Runs after the terminal is restored, so the user can read it.
    reportFatal: (text) => process.stderr.write(`upbit-tui stopped on an unexpected error. This is a bug: please report it with the log file ${opts.logFile}\n${text}\n`),
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
  kernel.acquire('log file', () => log.close());
  kernel.onForce(() => log.flushSync());
  kernel.attachProcess();
  logger.info({ opts: { ...opts } }, 'starting');
  try {
    await startParts(kernel, opts, logger, unchecked, logDrops);
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

async function startParts(kernel: Kernel, opts: TuiOptions, logger: Logger, unchecked: UncheckedMarkets | null, logDrops: { tell: (text: string) => void; text: string | null }): Promise<void> {
  let wsUrl = opts.wsUrl;
  if (opts.sim) {
    const sim = await startSimServer({ seed: opts.seed, logger: logger.child({ c: 'sim' }) });
    kernel.acquire('embedded exchange', () => sim.close());
    wsUrl = sim.wsUrl;
  }

  const store = new MarketStore({ markets: opts.markets, logger: logger.child({ c: 'market-store' }) });
  const host = new URL(wsUrl).host;
  const client = new QuotationClient({
    url: wsUrl,
    logger: logger.child({ c: 'quotation' }),
    // Both on Date.now: the frame's receive time, read once by the socket, is the store's too.
    onTicker: (t, at) => store.applyTicker(t, at),
    onStatus: (s: ConnectionStatus) => {
      store.setConnection(s);
      store.setNotice(connectionNotice(s, { host, sim: opts.sim, wsUrlChosen: opts.wsUrlChosen === true }));
    },
    onInvalid: () => store.noteInvalid(),
    // Pongs too: a link whose markets do not trade is alive, not silent.
    onActivity: (at) => store.noteActivity(at),
  });
  client.setSubscriptions([{ type: 'ticker', codes: opts.markets }]);
  logDrops.tell = (text) => store.setNotice(text, 'log');
  if (logDrops.text !== null) store.setNotice(logDrops.text, 'log');

  if (unchecked !== null) {
    // Not verified at start-up (no network): said on screen, and checked once the list answers.
    const recheck: RecheckOptions = {
      fetch: async (signal) => (await fetchMarketList(opts.apiUrl, { timeoutMs: 3000, signal })).map((m) => m.market),
      setNotice: (text) => store.setNotice(text, 'markets'),
      host: new URL(opts.apiUrl).host,
      logger: logger.child({ c: 'markets' }),
    };
    kernel.spawn('market-list-check', (signal) => recheckMarkets(unchecked, recheck, signal));
  }
  kernel.spawn('market-store', (signal) => store.run(signal));
  kernel.spawn('quotation-stream', (signal) => client.run(signal));
  const offLag = kernel.loop.subscribe(() => store.setLagP99(kernel.loop.p99Ms()));
  kernel.acquire('lag feed', offLag);
  const offShutdown = kernel.subscribe(() => {
    if (kernel.isShuttingDown) store.setShuttingDown();
  });
  kernel.acquire('shutdown notice', offShutdown);


  const screen = enterAltScreen({ stdout: process.stdout, stdin: process.stdin });
  kernel.onForce(() => screen.forceRestore());
  const ink = renderApp({
    store,
    tasks: kernelTaskSource(kernel),
    lagWarnMs: LAG_WARN_MS,
    colors: opts.colors,
    onQuit: () => void kernel.shutdown({ kind: 'user' }),
    onInterrupt: () => kernel.interrupt(),
    // A component that threw cannot be drawn again: the whole app stops, the terminal is
    // restored, then the error is printed (exit 1), instead of tasks running behind a dead UI.
    onFatal: (error, componentStack) => {
      logger.error({ error: describeError(error), componentStack }, 'the UI failed while rendering; shutting down');
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
}
