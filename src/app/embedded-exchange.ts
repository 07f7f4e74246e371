/**
 * The built-in exchange of a data directory (`--sim` without `--api-url`), owned once across
 * processes: whoever holds the lock of `<dataDir>/sim/state.json` HOSTS it on 127.0.0.1 and
 * publishes where it listens in `<dataDir>/sim/host.json`; every other process (a CLI command
 * while the TUI runs, a second TUI) ATTACHES to it over loopback with the keys of the state
 * file. So the TUI and the CLI trade one exchange, one account, one set of orders. The design
 * and its failure cases are in docs/embedded-exchange.md.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

import { sleep } from '../runtime/backoff.js';
import { DirectoryError, ensureDirectory } from '../runtime/dirs.js';
import type { Logger } from '../runtime/logger.js';
import { LockedError, type ProcessLock } from '../runtime/process-lock.js';
import { openSqlite } from '../runtime/sqlite.js';
import { StateNotSavedError } from '../exchange/engine.js';
import { parseSnapshot } from '../exchange/snapshot.js';
import { SimListenError, startSimServer } from '../sim/server.js';
import { Secret, type ApiKeys } from '../upbit/credentials.js';
import { DISCOVERY_VERSION, embeddedHostFile, embeddedLeaseFile, findHost, isAlive, readHostRecord, takeLease, waitForClients, type HostRecord } from './embedded-discovery.js';
import { UsageError } from './errors.js';
import { corruptState, createStatePersister, lockStateFile, readStateFile, writeFileAtomically } from './sim-state.js';

/** KRW a new embedded-exchange account starts with. */
export const EMBEDDED_SIM_KRW = '10000000';

/** How long to wait for a process that holds the state file but has not published where it listens yet. */
const PUBLISH_WAIT_MS = 5_000;
/** How long a closing host waits for the commands attached to it to finish (a command takes seconds). */
export const CLIENT_WAIT_MS = 10_000;

/** The embedded exchange's state: `<dataDir>/sim/state.json` (accounts, keys, orders). */
export function embeddedSimStateFile(dataDir: string): string {
  return path.join(dataDir, 'sim', 'state.json');
}

export interface EmbeddedExchange {
  /** `host`: this process runs it; `attached`: another process does (`hostPid`). */
  readonly role: 'host' | 'attached';
  readonly hostPid: number;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly privateWsUrl: string;
  /** The account's keys, from the state file. */
  readonly keys: ApiKeys;
  readonly stateFile: string;
  /**
   * Why requests to the exchange fail, when the exchange says so, as the line to show instead
   * of the request's error: the host could not save its state (and refused the change), or the
   * host this process attached to has gone away. Synchronous; undefined when neither.
   */
  problem(): UsageError | undefined;
  /** For an attached exchange: whether the host it attached to still runs (always true for a host). */
  hostAlive(): boolean;
  /** Stop hosting (the host file first, then the server, then the lock) or let go of the host. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenEmbeddedExchangeOptions {
  dataDir: string;
  logger: Logger;
  /** Seed of the price process, when this process hosts. @default random */
  seed?: number;
  /** Port to host on; taken by something else, a free one is used. @default 0 (a free one) */
  port?: number;
  /** Waiting for a holder of the state to publish where it listens. @default 5000 */
  publishWaitMs?: number;
  signal?: AbortSignal;
  /**
   * When attached, keep the host from closing under this process until it closes (a lease the
   * host waits for, see {@link CLIENT_WAIT_MS}). A long-lived client (the TUI) does not: it
   * hosts the exchange itself when its host goes (see {@link keepEmbeddedExchange}).
   * @default true
   */
  holdHost?: boolean;
  /** When hosting: how long closing waits for attached commands to finish. @default CLIENT_WAIT_MS */
  clientWaitMs?: number;
}

/**
 * Host the data directory's exchange, or attach to the process that does. Throws a
 * `UsageError` (one line, what to do) when neither is possible: the state is held by a process
 * that does not share it (`upbit-tui sim --state` on it, an older upbit-tui), or the folder
 * cannot be written and nobody hosts it.
 */
export async function openEmbeddedExchange(options: OpenEmbeddedExchangeOptions): Promise<EmbeddedExchange> {
  const stateFile = embeddedSimStateFile(options.dataDir);
  const hostFile = embeddedHostFile(options.dataDir);
  const log = options.logger.child({ component: 'embedded-exchange' });
  const deadline = Date.now() + (options.publishWaitMs ?? PUBLISH_WAIT_MS);
  // A closing host may wait for its attached commands that long before it lets the state go.
  const closingDeadline = deadline + CLIENT_WAIT_MS;
  for (;;) {
    options.signal?.throwIfAborted();
    let lock: ProcessLock | undefined;
    let refused: unknown;
    try {
      // Not fs.mkdir({recursive}): it never returns for a path under /proc (see runtime/dirs.ts).
      ensureDirectory(path.dirname(stateFile));
      // Also held by `upbit-tui sim --state` on the same file.
      lock = await lockStateFile(stateFile);
    } catch (error) {
      refused = error;
    }
    if (lock !== undefined) {
      try {
        return await host(stateFile, hostFile, lock, options, log);
      } catch (error) {
        lock.release();
        throw error;
      }
    }
    // Held by someone (or the folder is read-only): attach to it if it says where it is.
    const found = await findHost(hostFile, log);
    if (found !== undefined && found.closing !== true) {
      const lease = options.holdHost === false ? () => undefined : takeLease(options.dataDir, hostFile, found, log);
      // Undefined: the host began closing after it was found; it is opened again below.
      if (lease !== undefined) return attach(found, stateFile, hostFile, log, lease);
    }
    if (!(refused instanceof LockedError) && found === undefined) throw cannotKeepState(stateFile, refused);
    if (found?.closing === true && Date.now() >= closingDeadline) {
      throw new UsageError(`The built-in exchange of ${path.dirname(stateFile)} is still closing in another process (pid ${found.pid}, "${found.command}"). Wait for it to exit, then run this again.`, 1);
    }
    if (found?.closing !== true && refused instanceof LockedError && Date.now() >= deadline) {
      throw new UsageError(
        `${refused.message.replace(/ Quit that process.*$/, '')} It runs the built-in exchange without sharing it (\`upbit-tui sim --state ${stateFile}\`, or an older upbit-tui). Quit it and run this again, or pass another --data-dir.`,
        1,
        { cause: refused },
      );
    }
    await sleep(50, options.signal);
  }
}

async function host(stateFile: string, hostFile: string, lock: ProcessLock, options: OpenEmbeddedExchangeOptions, log: Logger): Promise<EmbeddedExchange> {
  const saved = await readStateFile(stateFile);
  const account = accountOf(saved, stateFile) ?? { accessKey: randomBytes(20).toString('hex'), secretKey: randomBytes(20).toString('hex') };
  // Every change is on disk before the exchange answers it (see createStatePersister).
  const persister = createStatePersister({ file: stateFile, logger: log.child({ component: 'state' }), warn: (message) => log.warn({ file: stateFile }, message) });
  const token = randomBytes(32).toString('hex');
  const start = (port: number): ReturnType<typeof startSimServer> =>
    startSimServer({
      port,
      seed: options.seed,
      logger: log.child({ component: 'sim' }),
      exchangeSnapshot: saved,
      // Keys like Upbit's: 40 hex characters from a CSPRNG, made on the first run and kept in the state file.
      accounts: [{ accessKey: account.accessKey, secretKey: account.secretKey, krw: EMBEDDED_SIM_KRW }],
      // A new account is on disk before it is used; a state only read is not written again.
      persist: persister.persist,
      instanceToken: token,
    });
  let server: Awaited<ReturnType<typeof startSimServer>>;
  try {
    try {
      server = await start(options.port ?? 0);
    } catch (error) {
      // The old port of a host that went away is someone else's now: any free one will do.
      if (!(error instanceof SimListenError) || (options.port ?? 0) === 0) throw error;
      server = await start(0);
    }
  } catch (error) {
    if (error instanceof StateNotSavedError) throw embeddedStateProblem(stateFile, error.cause, 'start');
    throw error;
  }
  try {
    // Made before the host file, so a client on a folder that turns read-only can still take its lease.
    openSqlite(embeddedLeaseFile(options.dataDir), { timeout: 0 }).close();
  } catch (error) {
    log.warn({ err: error }, 'cannot make the clients\' lease; attached commands will not be waited for');
  }
  const record: HostRecord = {
    version: DISCOVERY_VERSION,
    pid: process.pid,
    command: ['upbit-tui', ...process.argv.slice(2)].join(' ').slice(0, 200),
    since: new Date().toISOString(),
    restUrl: server.restUrl,
    wsUrl: server.wsUrl,
    privateWsUrl: server.privateWsUrl,
    token,
  };
  try {
    // Owner-only and whole (a temporary file renamed over the old one): a reader sees the old record or this one.
    await writeFileAtomically(hostFile, `${JSON.stringify(record)}\n`);
  } catch (error) {
    // The state was writable a moment ago; this process still trades on it, others cannot join.
    log.warn({ err: error, hostFile }, 'could not publish where the built-in exchange listens; other processes cannot attach to it');
  }
  log.info({ restUrl: server.restUrl, stateFile }, 'hosting the built-in exchange');
  let closed: Promise<void> | undefined;
  return {
    role: 'host',
    hostPid: process.pid,
    restUrl: server.restUrl,
    wsUrl: server.wsUrl,
    privateWsUrl: server.privateWsUrl,
    keys: keysOf(account, stateFile),
    stateFile,
    problem: () => {
      const failure = persister.failure();
      return failure === undefined ? undefined : embeddedStateProblem(stateFile, failure, 'change');
    },
    hostAlive: () => true,
    close() {
      closed ??= (async () => {
        const ours = (): boolean => readHostRecord(hostFile)?.token === token;
        try {
          // First, so no process attaches to a closing exchange; a newcomer waits for it to stop, then hosts.
          if (ours()) await writeFileAtomically(hostFile, `${JSON.stringify({ ...record, closing: true })}\n`);
        } catch (error) {
          log.warn({ err: error, hostFile }, 'could not mark the host file closing');
        }
        // Commands attached to this exchange finish first (their orders are in flight); a TUI attached to it hosts it itself once it is gone.
        const releaseClients = await waitForClients(options.dataDir, options.clientWaitMs ?? CLIENT_WAIT_MS, log);
        try {
          await server.close();
        } finally {
          releaseClients();
          try {
            if (ours()) rmSync(hostFile, { force: true });
          } catch (error) {
            log.warn({ err: error, hostFile }, 'could not remove the host file; the next process sees it is stale');
          }
          lock.release();
        }
      })();
      return closed;
    },
  };
}

async function attach(record: HostRecord, stateFile: string, hostFile: string, log: Logger, releaseLease: () => void): Promise<EmbeddedExchange> {
  // The host wrote its account to the state file before it listened, and so before it published.
  let account: { accessKey: string; secretKey: string } | undefined;
  try {
    account = accountOf(await readStateFile(stateFile), stateFile);
    if (account === undefined) throw corruptState(stateFile, 'it holds no account, though a process runs the exchange on it');
  } catch (error) {
    releaseLease();
    throw error;
  }
  log.info({ hostPid: record.pid, restUrl: record.restUrl }, 'attached to the built-in exchange of another process');
  const hostAlive = (): boolean => readHostRecord(hostFile)?.token === record.token && isAlive(record.pid);
  return {
    role: 'attached',
    hostPid: record.pid,
    restUrl: record.restUrl,
    wsUrl: record.wsUrl,
    privateWsUrl: record.privateWsUrl,
    keys: keysOf(account, stateFile),
    stateFile,
    problem: () => (hostAlive() ? undefined : hostGone(record)),
    hostAlive,
    close: () => {
      releaseLease();
      return Promise.resolve();
    },
  };
}

function accountOf(saved: unknown, stateFile: string): { accessKey: string; secretKey: string } | undefined {
  if (saved === undefined) return undefined;
  try {
    const first = parseSnapshot(saved, 'KRW')[0];
    return first === undefined ? undefined : { accessKey: first.accessKey, secretKey: first.secretKey };
  } catch (error) {
    throw corruptState(stateFile, error instanceof Error ? error.message : String(error), error);
  }
}

function keysOf(account: { accessKey: string; secretKey: string }, stateFile: string): ApiKeys {
  return { accessKey: account.accessKey, secretKey: new Secret(account.secretKey), source: `file ${stateFile}` };
}

/** The line for a command whose exchange went away with the process that hosted it. */
export function hostGone(record: Pick<HostRecord, 'pid' | 'command'>): UsageError {
  return new UsageError(
    `The built-in exchange was run by another process (pid ${record.pid}, "${record.command}"), which stopped while this command used it. An order sent just before is in the journal and is looked up on the next run. Run the command again: it starts the exchange itself when no other process runs it.`,
    1,
  );
}

/** The folder of the state cannot be written (or locked), and no process hosts the exchange there. */
function cannotKeepState(stateFile: string, error: unknown): UsageError {
  const why = error instanceof DirectoryError ? error.problem : error instanceof Error ? error.message.replace(/\.? Check the data directory is writable\.$/, '') : String(error);
  return new UsageError(
    `The built-in exchange cannot keep its state in ${path.dirname(stateFile)} (${why}), and no other upbit-tui runs it there. Make that folder writable, or pass another --data-dir.`,
    1,
    { cause: error },
  );
}

/** One line for a state the built-in exchange could not save: what, why, what to do, and that the change was not made. */
export function embeddedStateProblem(stateFile: string, error: unknown, when: 'start' | 'change'): UsageError {
  const why = error instanceof Error ? error.message : String(error);
  const fix = `Make ${path.dirname(stateFile)} writable (or free disk space there), or pass another --data-dir`;
  return new UsageError(
    when === 'start'
      ? `Cannot write the built-in exchange's state to ${stateFile} (${why}). ${fix}.`
      : `Cannot save the built-in exchange's state to ${stateFile} (${why}), so the exchange refused the change and did not make it: no order was placed or cancelled by it. ${fix}, then run the command again.`,
    1,
    { cause: error },
  );
}

export interface EmbeddedExchangeKeeper {
  /** The exchange in use now (another one after its host went away). */
  current(): EmbeddedExchange;
  /**
   * Kernel task: while attached, checks every `pollMs` that the host still runs; when it has
   * gone (a CLI command that hosted it finished), opens the exchange again, hosting it itself
   * on the same port when that is free, so the quotation socket's reconnect finds it there.
   */
  run(signal: AbortSignal): Promise<void>;
  /** Close the current exchange (see {@link EmbeddedExchange.close}). */
  close(): Promise<void>;
}

export interface KeeperOptions extends Omit<OpenEmbeddedExchangeOptions, 'port' | 'signal'> {
  /** @default 500 */
  pollMs?: number;
  /** After a change of exchange: said on screen when it listens elsewhere than before. */
  onChange?: (next: EmbeddedExchange, previous: EmbeddedExchange) => void;
  /** The exchange could not be opened again (tried again at the next poll). */
  onProblem?: (error: unknown) => void;
}

/** For a long-lived front end (the TUI): keeps an exchange to trade on as hosts come and go. */
export function keepEmbeddedExchange(first: EmbeddedExchange, options: KeeperOptions): EmbeddedExchangeKeeper {
  let current = first;
  const log = options.logger.child({ component: 'embedded-exchange' });
  return {
    current: () => current,
    async run(signal) {
      while (!signal.aborted) {
        try {
          await sleep(options.pollMs ?? 500, signal);
        } catch {
          return;
        }
        if (current.hostAlive()) continue;
        const previous = current;
        log.warn({ hostPid: previous.hostPid }, 'the process running the built-in exchange has gone; opening it again');
        let next: EmbeddedExchange;
        try {
          next = await openEmbeddedExchange({ ...options, port: Number(new URL(previous.restUrl).port), signal });
        } catch (error) {
          if (signal.aborted) return;
          log.error({ err: error }, 'could not open the built-in exchange again; trying again');
          options.onProblem?.(error);
          continue;
        }
        if (signal.aborted) {
          await next.close();
          return;
        }
        current = next;
        log.info({ role: next.role, restUrl: next.restUrl }, 'built-in exchange open again');
        options.onChange?.(next, previous);
      }
    },
    close: () => current.close(),
  };
}

/**
 * Quotes from the built-in exchange for paper trading on simulated quotes (`--sim --paper`):
 * the running host's, when a process runs the data directory's exchange (so paper orders fill
 * at the prices the TUI shows), else an exchange of its own for the run (no account, nothing
 * saved: the paper wallet is the state). No keys are involved either way.
 */
export async function openEmbeddedQuotes(dataDir: string, logger: Logger): Promise<{ restUrl: string; hostPid: number | null; close(): Promise<void> }> {
  const log = logger.child({ component: 'embedded-exchange' });
  const hostFile = embeddedHostFile(dataDir);
  const hosted = await findHost(hostFile, log);
  const lease = hosted === undefined ? undefined : takeLease(dataDir, hostFile, hosted, log);
  if (hosted !== undefined && lease !== undefined) {
    return {
      restUrl: hosted.restUrl,
      hostPid: hosted.pid,
      close: () => {
        lease();
        return Promise.resolve();
      },
    };
  }
  const sim = await startSimServer({ port: 0, logger: log.child({ component: 'sim' }) });
  return { restUrl: sim.restUrl, hostPid: null, close: () => sim.close() };
}
