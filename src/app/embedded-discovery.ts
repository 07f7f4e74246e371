/**
 * How processes find, trust and hold the host of a data directory's built-in exchange: the
 * host file it publishes (`sim/host.json`), the identity check before any key is sent, and the
 * clients' lease a closing host waits for. The design is in docs/embedded-exchange.md; the
 * hosting and attaching themselves are in ./embedded-exchange.ts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { sleep } from '../runtime/backoff.js';
import type { Logger } from '../runtime/logger.js';
import { openSqlite, type SqliteDatabase } from '../runtime/sqlite.js';
import { IDENTIFY_PATH, identityProof } from '../sim/identity.js';

/** How long the identity check of a published host may take (it is on loopback). */
const IDENTIFY_TIMEOUT_MS = 2_000;
export const DISCOVERY_VERSION = 1;

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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/**
 * A shared lock on the clients' lease, taken before the host file is read again: a host that
 * removed its record (it is closing) is not attached to. Returns its release (idempotent), or
 * undefined when the host is closing. A lease that cannot be opened (a read-only folder the
 * host never made it in) is done without: the command is then told if the host goes.
 */
export function takeLease(dataDir: string, hostFile: string, record: HostRecord, log: Logger): (() => void) | undefined {
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
export async function waitForClients(dataDir: string, waitMs: number, log: Logger): Promise<() => void> {
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
