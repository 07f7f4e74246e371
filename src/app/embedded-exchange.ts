/**
 * The built-in exchange of a data directory (`--sim` without `--api-url`), owned once across
 * processes: whoever holds the lock of `<dataDir>/sim/state.json` HOSTS it on 127.0.0.1 and
 * publishes where it listens in `<dataDir>/sim/host.json`; every other process (a CLI command
 * while the TUI runs, a second TUI) ATTACHES to it over loopback with the keys of the state
 * file. So the TUI and the CLI trade one exchange, one account, one set of orders. The design
 * and its failure cases are in docs/embedded-exchange.md.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { sleep } from '../runtime/backoff.js';
import { DirectoryError, ensureDirectory } from '../runtime/dirs.js';
import type { Logger } from '../runtime/logger.js';
import { LockedError, type ProcessLock } from '../runtime/process-lock.js';
import { openSqlite, type SqliteDatabase } from '../runtime/sqlite.js';
import { StateNotSavedError } from '../sim/exchange/engine.js';
import { parseSnapshot } from '../sim/exchange/snapshot.js';
import { IDENTIFY_PATH, identityProof } from '../sim/identity.js';
import { SimListenError, startSimServer } from '../sim/server.js';
import { Secret, type ApiKeys } from '../upbit/credentials.js';
import { UsageError } from './errors.js';
import { corruptState, createStatePersister, lockStateFile, readStateFile, writeFileAtomically } from './sim-state.js';

/** KRW a new embedded-exchange account starts with. */
export const EMBEDDED_SIM_KRW = '10000000';

/** How long to wait for a process that holds the state file but has not published where it listens yet. */
const PUBLISH_WAIT_MS = 5_000;
/** How long the identity check of a published host may take (it is on loopback). */
const IDENTIFY_TIMEOUT_MS = 2_000;
const DISCOVERY_VERSION = 1;
/** How long a closing host waits for the commands attached to it to finish (a command takes seconds). */
export const CLIENT_WAIT_MS = 10_000;

/** The embedded exchange's state: `<dataDir>/sim/state.json` (accounts, keys, orders). */
export function embeddedSimStateFile(dataDir: string): string {
  return path.join(dataDir, 'sim', 'state.json');
}

/** Where the host says it listens: `<dataDir>/sim/host.json`, owner-only, next to the state. */
export function embeddedHostFile(dataDir: string): string {
  return path.join(dataDir, 'sim', 'host.json');
}

/**
 * The clients' lease: `<dataDir>/sim/clients.lock`, an SQLite file on which every attached
 * command holds a shared lock (an open read transaction) while it uses the host, and on which
 * a closing host waits for the exclusive lock: an OS lock, gone with its process, as the state
 * file's lock is (src/runtime/process-lock.ts).
 */
export function embeddedLeaseFile(dataDir: string): string {
  return path.join(dataDir, 'sim', 'clients.lock');
}

/** What `host.json` holds. The token is the host's secret for the identity check, never sent. */
export interface HostRecord {
  version: typeof DISCOVERY_VERSION;
  pid: number;
  command: string;
  since: string;
  restUrl: string;
  wsUrl: string;
  privateWsUrl: string;
  token: string;
  /** The host is closing: it waits for its attached commands, then stops; not to be attached to. */
  closing?: true;
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

/** Read `host.json` and check the listener it names is that host; undefined when there is none, it is stale, or it fails the check. */
export async function findHost(hostFile: string, log: Logger): Promise<HostRecord | undefined> {
  const record = readHostRecord(hostFile);
  if (record === undefined) return undefined;
  if (!isAlive(record.pid)) {
    log.info({ hostFile, pid: record.pid }, 'host file of a process that has exited; ignored');
    return undefined;
  }
  if (!(await verifyHost(record))) {
    log.warn({ hostFile, pid: record.pid, restUrl: record.restUrl }, 'the listener named in the host file is not that host; ignored (no keys sent)');
    return undefined;
  }
  return record;
}

/**
 * Whether the listener at `record.restUrl` proves it holds `record.token` (a fresh random
 * challenge, answered with its HMAC): the port of a dead host may be anybody's now, and the
 * keys go only to a listener that passes.
 */
export async function verifyHost(record: HostRecord): Promise<boolean> {
  const challenge = randomBytes(32).toString('hex');
  try {
    const res = await fetch(`${record.restUrl}${IDENTIFY_PATH}?challenge=${challenge}`, { signal: AbortSignal.timeout(IDENTIFY_TIMEOUT_MS), redirect: 'error' });
    if (res.status !== 200) {
      await res.body?.cancel();
      return false;
    }
    const body: unknown = await res.json();
    const proof = typeof body === 'object' && body !== null && 'proof' in body && typeof body.proof === 'string' ? body.proof : '';
    const expected = Buffer.from(identityProof(record.token, challenge), 'utf8');
    const given = Buffer.from(proof, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

/** `host.json`, narrowed; undefined when missing or not one (a stale file of an older version is as good as none). */
export function readHostRecord(hostFile: string): HostRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(hostFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const { version, pid, command, since, restUrl, wsUrl, privateWsUrl, token } = r;
  if (version !== DISCOVERY_VERSION || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  if (typeof command !== 'string' || typeof since !== 'string' || typeof token !== 'string' || token.length < 32) return undefined;
  if (!isLoopbackUrl(restUrl, 'http:') || !isLoopbackUrl(wsUrl, 'ws:') || !isLoopbackUrl(privateWsUrl, 'ws:')) return undefined;
  return { version, pid, command, since, restUrl, wsUrl, privateWsUrl, token, ...(r['closing'] === true ? { closing: true as const } : {}) };
}

/** Only loopback: keys are never sent off the machine on the word of a file. */
function isLoopbackUrl(value: unknown, protocol: string): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === protocol && (url.hostname === '127.0.0.1' || url.hostname === '[::1]') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
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

/**
 * A shared lock on the clients' lease, taken before the host file is read again: a host that
 * removed its record (it is closing) is not attached to. Returns its release (idempotent), or
 * undefined when the host is closing. A lease that cannot be opened (a read-only folder the
 * host never made it in) is done without: the command is then told if the host goes.
 */
function takeLease(dataDir: string, hostFile: string, record: HostRecord, log: Logger): (() => void) | undefined {
  let db: SqliteDatabase;
  try {
    db = openSqlite(embeddedLeaseFile(dataDir), { timeout: 0 });
  } catch (error) {
    log.warn({ err: error }, 'cannot open the clients\' lease; attached without it');
    return () => undefined;
  }
  try {
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    if (isBusy(error)) return undefined;
    log.warn({ err: error }, 'cannot take the clients\' lease; attached without it');
    return () => undefined;
  }
  const now = readHostRecord(hostFile);
  if (now?.token !== record.token || now.closing === true) {
    db.close();
    return undefined;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    db.close();
  };
}

/** Until no attached command holds the lease (or `waitMs` has passed): the exclusive lock, kept until the host is closed. */
async function waitForClients(dataDir: string, waitMs: number, log: Logger): Promise<() => void> {
  let db: SqliteDatabase;
  try {
    db = openSqlite(embeddedLeaseFile(dataDir), { timeout: 0 });
  } catch (error) {
    log.warn({ err: error }, 'cannot open the clients\' lease; closing without waiting for attached commands');
    return () => undefined;
  }
  const started = Date.now();
  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      if (Date.now() - started > 100) log.info({ waitedMs: Date.now() - started }, 'attached commands finished; closing the built-in exchange');
      return () => db.close();
    } catch (error) {
      if (!isBusy(error) || Date.now() - started >= waitMs) {
        log.warn({ err: error, waitedMs: Date.now() - started }, 'closing the built-in exchange while commands may still be attached to it');
        return () => db.close();
      }
    }
    await sleep(50);
  }
}

function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');
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
