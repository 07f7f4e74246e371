/**
 * Everything one scriptable CLI run trades through: the venue (Upbit, a simulator over REST,
 * or the paper exchange), its journal and the one {@link OrderService}, built from the
 * connection flags. Opening it resolves every unfinished order of the journal before it
 * returns, so nothing new can be placed while an earlier outcome is unknown (orders another
 * live process is placing or resolving right now are left to it: docs/locking.md).
 *
 * Everything it opens is acquired on the caller's kernel where it is opened (app/root.ts):
 * the kernel's shutdown releases it in reverse order, also when opening fails half-way (the
 * failure ends a command's kernel). The order service is released first: no new order, those
 * in flight awaited up to `drainDeadlineMs`.
 */
import path from 'node:path';

import { cancellation } from '../runtime/errors.js';
import type { Kernel } from '../runtime/kernel.js';
import { openEmbeddedExchange, openEmbeddedQuotes, type EmbeddedExchange } from './embedded-exchange.js';
import type { Logger } from '../runtime/logger.js';
import { openSectionLock } from '../runtime/process-lock.js';
import { openJournal, journalPath, tradingLockPath, type OrderJournal } from '../trading/journal/index.js';
import { OrderService } from '../trading/order-service.js';
import { createPaperVenue } from '../trading/paper/index.js';
import { accountIdOf, RestVenue } from '../trading/rest-venue.js';
import type { Venue } from '../trading/venue.js';
import { loadCredentials, type ApiKeys } from '../upbit/credentials.js';
import { UpbitRestClient } from '../upbit/rest/index.js';
import { UsageError } from './errors.js';
import { MarketCheck, restMarketListSource, type MarketListSource } from './market-check.js';
import { recoveryNotice, type RecoveredOrder } from './recovered-orders.js';
import { isEarlierJournalOf, resolveTradingMode, tradingLockKey, UPBIT_API_URL, type TradingMode } from './trading-mode.js';

/** How long a short critical section waits for another process's (milliseconds, unless a disk stalls). */
const LOCK_WAIT_MS = 10_000;

export { EMBEDDED_SIM_KRW, embeddedSimStateFile, embeddedStateProblem } from './embedded-exchange.js';

export interface TradingFlagsInput {
  sim: boolean;
  paper: boolean;
  live: boolean;
  /** Only when the user gave --api-url. */
  apiUrl: string | undefined;
  dataDir: string;
  /** `--key-file`: JSON `{"access_key","secret_key"}`, mode 0600. */
  keyFile: string | undefined;
}

export interface OpenTradingOptions {
  /** Read for the keys (and scrubbed of them). @default process.env */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** One line for the user (stderr): the mode, where the embedded exchange keeps its state. */
  notice: (line: string) => void;
  /** Aborts the start-up recovery (SIGINT). */
  signal?: AbortSignal;
  /** How long a short critical section (taking earlier journals in) waits for another process's. @default 10_000 */
  lockWaitMs?: number;
  /** How long the kernel's shutdown waits for orders already sent. Keep it under the kernel's step deadline. @default 10_000 */
  drainDeadlineMs?: number;
  /**
   * The data directory's built-in exchange, when this process already opened it (the TUI's
   * `--sim`, which also shows its prices): used for `--sim` (and `--sim --paper`'s quotes)
   * instead of opening it a second time. Its owner closes it. `current()`: the exchange in use
   * now (its keeper opens it again when the host it attached to goes).
   * @default none: opened here and released on the kernel
   */
  embedded?: { current(): EmbeddedExchange };
  /**
   * Listen to the account's private stream (`myOrder`, `myAsset`) in the venue's task, for a
   * long-lived front end's trading session; a command, over in seconds, reconciles over REST.
   * @default false
   */
  privateStream?: boolean;
}

export interface TradingContext {
  readonly mode: TradingMode;
  readonly venue: Venue;
  /**
   * When the built-in exchange (`--sim` without `--api-url`) could not save its state at its
   * last change, and so refused that change: the line to say instead of the exchange's 503
   * (which the order service can only treat as an outcome to look up).
   */
  stateProblem(): UsageError | undefined;
  readonly journal: OrderJournal;
  readonly service: OrderService;
  /** Checks market codes against the exchange's list before anything is sent for them. */
  readonly markets: MarketCheck;
  /** Orders the recovery could not resolve (their outcome is still unknown). */
  readonly stillUnknown: readonly string[];
  /**
   * The quotation WebSocket of the exchange the prices come from (the one traded on, or paper's
   * quotes): what a headless monitor subscribes to. Upbit and the simulator serve it on the REST
   * host (`wss://api.upbit.com/websocket/v1`, https://docs.upbit.com/kr/reference/websocket-ticker).
   */
  readonly quotesWsUrl: string;
  /** Earlier runs' orders this run's recovery looked up, and what they turned out to be (`--json`: `recovered`). */
  readonly recovered: readonly RecoveredOrder[];
}

type Release = () => void | Promise<void>;

/** Open the trading context on `kernel`: every part is a release acquired on it as it is opened. */
export async function openTradingContext(kernel: Kernel, flags: TradingFlagsInput, options: OpenTradingOptions): Promise<TradingContext> {
  const env = options.env ?? process.env;
  const log = options.logger;
  const acquire = (name: string, release: Release, opts?: { deadlineMs?: number }): void => {
    if (kernel.isShuttingDown) {
      // Opened as a signal came (the kernel takes no more releases): closed at once, and the opening stops.
      Promise.resolve()
        .then(release)
        .catch((error: unknown) => log.warn({ err: error, release: name }, 'release failed'));
      throw cancellation(`stopped while opening: '${name}' closed again`);
    }
    kernel.acquire(name, release, opts);
  };

  try {
    // The embedded exchange makes its own keys: UPBIT_* are for a real or external account.
    const keys = await loadCredentials({ env, keyFile: flags.keyFile, scrubEnv: true });
    const mode = resolveTradingMode({ sim: flags.sim, paper: flags.paper, live: flags.live, apiUrl: flags.apiUrl, hasKeys: keys !== undefined || (flags.sim && flags.apiUrl === undefined) });
    if (mode.notice !== null) options.notice(mode.notice);
    // The account as the journal and the lock know it: a fingerprint of the access key.
    const keyAccount = keys === undefined ? undefined : accountIdOf(keys.accessKey);
    log.info({ mode: mode.kind, exchange: mode.exchange, account: keyAccount }, 'trading command starting');

    // No lock is held for the run: a TUI and CLI commands trade one account side by side
    // (docs/locking.md). The journal is the shared truth and each attempt is claimed in it by
    // the process placing or resolving it; the paper wallet takes its own lock per change.
    // This lock only guards the short set-up step of taking earlier journals in. Keyed on
    // the exchange and account, not the URL's spelling (see TradingMode).
    const lockKey = tradingLockKey(mode, keyAccount);
    const setupLock = openSectionLock(tradingLockPath(flags.dataDir, `${lockKey}|set-up`), {
      what: lockedWhat(mode, keyAccount, flags.dataDir),
      waitMs: options.lockWaitMs ?? LOCK_WAIT_MS,
    });
    acquire('trading set-up lock', () => setupLock.close());

    // Set by the built-in exchange, which saves its state at every change.
    let stateProblem = (): UsageError | undefined => undefined;
    let venue: Venue;
    let marketList: MarketListSource;
    let quotesWsUrl: string;
    if (mode.kind === 'paper') {
      let quotesUrl = mode.apiUrl ?? UPBIT_API_URL;
      const embeddedQuotes = mode.quotes === 'sim' && mode.apiUrl === null;
      if (embeddedQuotes && options.embedded !== undefined) {
        quotesUrl = options.embedded.current().restUrl;
      } else if (embeddedQuotes) {
        const sim = await openEmbeddedQuotes(flags.dataDir, log);
        acquire('embedded exchange', () => sim.close());
        options.notice(sim.hostPid === null ? 'using the built-in exchange for quotes.' : `using the built-in exchange run by pid ${sim.hostPid} for quotes.`);
        quotesUrl = sim.restUrl;
      }
      const quotes = new UpbitRestClient({ baseUrl: quotesUrl, logger: log });
      acquire('quotes client', () => quotes.close());
      quotesWsUrl = quotationStreamOf(quotesUrl);
      marketList = restMarketListSource(quotes, { apiUrl: quotesUrl, embedded: embeddedQuotes, dataDir: flags.dataDir });
      venue = await createPaperVenue({ dataDir: flags.dataDir, quotes, quotesLabel: mode.quotes, logger: log.child({ component: 'paper' }) });
    } else {
      let apiUrl: string;
      let accountKeys: ApiKeys;
      let privateWsUrl: string | undefined;
      if (mode.kind === 'sim' && mode.embedded) {
        const embedded = options.embedded?.current() ?? (await startEmbeddedSim(flags.dataDir, log, acquire));
        options.notice(
          embedded.role === 'host'
            ? `using the built-in exchange; state in ${path.dirname(embedded.stateFile)}`
            : `using the built-in exchange run by pid ${embedded.hostPid}; state in ${path.dirname(embedded.stateFile)}`,
        );
        apiUrl = embedded.restUrl;
        accountKeys = embedded.keys;
        privateWsUrl = embedded.privateWsUrl;
        quotesWsUrl = embedded.wsUrl;
        stateProblem = () => (options.embedded?.current() ?? embedded).problem();
      } else {
        if (keys === undefined) {
          throw new UsageError(
            `${mode.apiUrl ?? 'The exchange'} needs the account's API keys: set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY (upbit-tui sim prints them), or pass --key-file.`,
          );
        }
        apiUrl = mode.apiUrl ?? UPBIT_API_URL;
        accountKeys = keys;
        privateWsUrl = privateStreamOf(apiUrl);
        quotesWsUrl = quotationStreamOf(apiUrl);
      }
      const rest = new UpbitRestClient({ baseUrl: apiUrl, keys: accountKeys, logger: log });
      acquire('rest client', () => rest.close());
      marketList = restMarketListSource(rest, { apiUrl, embedded: mode.kind === 'sim' && mode.embedded, dataDir: flags.dataDir });
      // A command has no private stream: it is over in seconds; the service reconciles over REST.
      venue = new RestVenue({
        client: rest,
        keys: accountKeys,
        kind: mode.kind,
        ...(options.privateStream === true && privateWsUrl !== undefined ? { privateWsUrl } : {}),
        logger: log.child({ component: 'venue' }),
      });
    }
    acquire('venue', () => venue.close());

    const identity = { endpoint: mode.exchange, accountId: venue.accountId };
    const journal = openJournal(journalPath(flags.dataDir, identity), identity);
    acquire('journal', () => journal.close());
    await setupLock.run(() => absorbEarlierJournals(journal, mode, log), options.signal);

    const service = new OrderService({ venue, journal, logger: log.child({ component: 'orders' }) });
    // Released first: no new order, those already sent awaited and journaled before anything closes.
    const drainMs = options.drainDeadlineMs ?? 10_000;
    acquire('order service', () => service.drain(drainMs), { deadlineMs: drainMs + 1000 });
    // Before anything is placed: every pending/unknown attempt of an earlier run is resolved.
    const recovered = await service.recover(options.signal);
    if (recovered.resolved > 0) log.info({ resolved: recovered.resolved }, 'earlier orders resolved');
    // Said, one line each: a user about to repeat a "failed" buy must learn the first one exists.
    for (const order of recovered.orders) options.notice(recoveryNotice(order));

    return {
      mode,
      venue,
      stateProblem,
      journal,
      service,
      markets: new MarketCheck({ source: marketList, logger: log.child({ component: 'markets' }) }),
      stillUnknown: recovered.stillUnknown,
      recovered: recovered.orders,
      quotesWsUrl,
    };
  } catch (error) {
    // What was opened stays acquired on the kernel, whose shutdown (which this failure leads to) releases it.
    log.warn({ err: error }, 'the trading context could not be opened');
    throw error;
  }
}

/** The quotation WebSocket on the REST host of `restUrl` (Upbit's and the simulator's layout). */
function quotationStreamOf(restUrl: string): string {
  const url = new URL('/websocket/v1', restUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * The private WebSocket of the exchange at `apiUrl`: Upbit serves it on the REST host
 * (`wss://api.upbit.com/websocket/v1/private`, https://docs.upbit.com/kr/reference/websocket-myorder),
 * and so does the simulator (`upbit-tui sim`).
 */
function privateStreamOf(apiUrl: string): string | undefined {
  try {
    const url = new URL('/websocket/v1/private', apiUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  } catch {
    return undefined;
  }
}

function lockedWhat(mode: TradingMode, account: string | undefined, dataDir: string): string {
  const where = `(data in ${dataDir})`;
  if (mode.exchange === 'upbit') return `the Upbit account ${account ?? ''} ${where}`;
  if (mode.exchange === 'sim') return `the simulated account ${account ?? ''} at ${mode.apiUrl ?? 'the simulator'} ${where}`;
  return `${mode.kind === 'sim' ? 'the simulated account' : 'the paper wallet'} at ${mode.exchange} ${where}`;
}

/**
 * Journals used to be keyed on the REST URL's spelling: one written for this account under
 * another spelling (`http://127.0.0.1:P` for `http://localhost:P`, another port of the same
 * simulator, `https://api.upbit.com/`) is taken into this journal before recovery, so its
 * pending orders are looked up before anything new is placed. Under the trading lock.
 */
function absorbEarlierJournals(journal: OrderJournal, mode: TradingMode, log: Logger): void {
  for (const other of journal.otherJournals()) {
    if (!isEarlierJournalOf(mode, journal.identity.accountId, other.identity)) continue;
    const report = journal.absorb(other.file);
    log.info({ from: other.file, endpoint: other.identity.endpoint, ...report }, 'orders of an earlier journal of this account taken in');
  }
}

/**
 * The built-in exchange for one command: hosted by this command on port 0 (its accounts and
 * orders loaded from and saved to `<dataDir>/sim/state.json`) or, while another process (the
 * TUI) hosts it, that process's exchange, with the account's keys from the state file (see
 * docs/embedded-exchange.md). Balances carry over from command to command either way.
 */
async function startEmbeddedSim(dataDir: string, log: Logger, acquire: (name: string, release: Release) => void): Promise<EmbeddedExchange> {
  const embedded = await openEmbeddedExchange({ dataDir, logger: log });
  acquire('embedded exchange', () => embedded.close());
  return embedded;
}
