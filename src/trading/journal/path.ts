import { createHash } from 'node:crypto';
import path from 'node:path';

import type { JournalIdentity } from './types.js';

/**
 * One canonical spelling per endpoint, so `https://api.upbit.com/` and `https://API.upbit.com`
 * share a journal: for URLs with a host, the origin (scheme, lower-case host, non-default
 * port) plus any path without its trailing slash; anything else (`paper:…`) as given.
 */
export function normalizeEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (url.host === '' || url.origin === 'null') return trimmed;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The journal file for an exchange and account:
 * `<dataDir>/journal/<slug>-<first 12 hex of sha256(endpoint|accountId)>.sqlite`, e.g.
 * `journal/upbit-3f2a9c0e11d4.sqlite`, `journal/sim-….sqlite`, `journal/paper-sim-….sqlite`
 * (and, for journals of the earlier URL-keyed naming, `journal/127-0-0-1-41873-….sqlite`).
 *
 * One database per endpoint and account keeps live, simulated and paper orders apart: a
 * simulator's uuids or a paper fill can never be reconciled against the real account. The
 * slug is for people reading the directory; the hash is what separates journals.
 */
export function journalPath(dataDir: string, identity: JournalIdentity): string {
  const endpoint = normalizeEndpoint(identity.endpoint);
  const hash = createHash('sha256').update(`${endpoint}|${identity.accountId}`).digest('hex').slice(0, 12);
  return path.join(dataDir, 'journal', `${endpointSlug(endpoint)}-${hash}.sqlite`);
}

/** `https://api.upbit.com` → `api-upbit-com`; `paper:https://api.upbit.com` → `paper-api-upbit-com`. */
export function endpointSlug(endpoint: string): string {
  const host = hostOf(endpoint);
  let raw: string;
  if (host !== null) {
    raw = host;
  } else {
    const colon = endpoint.indexOf(':');
    const scheme = colon > 0 ? endpoint.slice(0, colon) : '';
    const rest = colon > 0 ? endpoint.slice(colon + 1) : endpoint;
    raw = `${scheme}-${hostOf(rest) ?? rest}`;
  }
  const slug = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug === '' ? 'journal' : slug;
}

function hostOf(text: string): string | null {
  try {
    const url = new URL(text);
    return url.host === '' ? null : url.host;
  } catch {
    return null;
  }
}

/**
 * The lock one process holds while it trades `key` from `dataDir`:
 * `<dataDir>/locks/<slug>-<first 12 hex of sha256(key)>.lock`. The key names the exchange and,
 * where it is known before anything is opened (from the keys), the account: `upbit|<account>`,
 * `sim|<account>`, `sim:embedded`, `paper:sim` (see tradingLockKey in src/app/trading-mode.ts).
 */
export function tradingLockPath(dataDir: string, key: string): string {
  const normalized = normalizeEndpoint(key);
  const hash = createHash('sha256').update(normalized).digest('hex').slice(0, 12);
  return path.join(dataDir, 'locks', `${endpointSlug(normalized)}-${hash}.lock`);
}

/**
 * The lock of the one process allowed to fire monitor rules (stop-loss, take-profit: issue 11)
 * for `key` (as {@link tradingLockPath}'s) from `dataDir`:
 * `<dataDir>/locks/monitor-<slug>-<first 12 hex of sha256(key)>.lock`. Placing and resolving
 * orders need no such lock (docs/locking.md); firing does, or two monitors watching one
 * account would both sell on one stop. See acquireMonitorLock in src/trading/monitor-lock.ts.
 */
export function monitorLockPath(dataDir: string, key: string): string {
  const normalized = normalizeEndpoint(key);
  const hash = createHash('sha256').update(`monitor|${normalized}`).digest('hex').slice(0, 12);
  return path.join(dataDir, 'locks', `monitor-${endpointSlug(normalized)}-${hash}.lock`);
}
