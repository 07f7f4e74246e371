import { sleep } from '../runtime/backoff.js';
import type { Logger } from '../runtime/logger.js';
import { UsageError } from './errors.js';
import { fetchMarketList, type MarketInfo } from '../upbit/market-list.js';
import type { MarketCode } from '../upbit/types.js';

/** Markets named in full in the message when the exchange lists no more than this. */
const LIST_ALL_UP_TO = 20;
const SAMPLE = 6;

/**
 * The one message for a market the exchange does not list, in the TUI (`--markets`) and in
 * every trading command and mode: the code, where it was looked up, near matches, and the
 * markets there are. Exit 2 (see the README): the user fixes the command line.
 */
export function unknownMarketMessage(unknown: readonly MarketCode[], listed: readonly MarketCode[], where: string): string {
  const named = unknown.map((m) => {
    const near = nearMarkets(m, listed);
    return near.length > 0 ? `${m} (did you mean ${near.join(', ')}?)` : m;
  });
  const subject = unknown.length === 1 ? `${named.join('')} is not a market` : `${named.join('; ')} are not markets`;
  const choices =
    listed.length === 0
      ? `${where} lists no markets at all.`
      : listed.length <= LIST_ALL_UP_TO
        ? `Its markets: ${listed.join(', ')}.`
        : `Its ${listed.length} markets include ${listed.slice(0, SAMPLE).join(', ')}.`;
  return `${subject} on ${where}. ${choices}`;
}

/**
 * Listed markets a typo may have meant: the same coin in another quote currency, or a code
 * of the same quote at most two edits away (KRW-BTCC → KRW-BTC), only the closest. At most 3.
 */
export function nearMarkets(code: MarketCode, listed: readonly MarketCode[]): MarketCode[] {
  const dash = code.indexOf('-');
  const quote = code.slice(0, dash);
  const base = code.slice(dash + 1);
  const scored: Array<{ m: MarketCode; d: number }> = [];
  for (const m of listed) {
    if (m === code) continue;
    const i = m.indexOf('-');
    const q = m.slice(0, i);
    const b = m.slice(i + 1);
    if (b === base) scored.push({ m, d: 0 });
    else if (q === quote) {
      const d = editDistance(base, b);
      if (d <= Math.min(2, Math.floor(base.length / 2))) scored.push({ m, d });
    }
  }
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === 0 || s.d === best)
    .sort((x, y) => x.d - y.d)
    .slice(0, 3)
    .map((s) => s.m);
}

/** Levenshtein distance of two short codes. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * Check requested markets against what the exchange lists, so a typo fails before the UI
 * starts with a message that names the bad code and suggests near matches.
 */
export function checkMarketsExist(requested: readonly MarketCode[], listed: readonly MarketCode[], where: string): void {
  const known = new Set(listed);
  const unknown = requested.filter((m) => !known.has(m));
  if (unknown.length === 0) return;
  throw new UsageError(unknownMarketMessage(unknown, listed, where));
}

/** What {@link checkMarketsLive} could not check: the markets, and why. */
export interface UncheckedMarkets {
  unverified: MarketCode[];
  problem: string;
}

/**
 * Validate markets against a live exchange's `GET /v1/market/all`. If the exchange cannot be
 * reached we do not block start-up (the codes were already checked for shape): the markets
 * are returned as unverified, for the screen to say so.
 */
export async function checkMarketsLive(
  requested: readonly MarketCode[],
  apiUrl: string,
  logger: Logger,
  /** `onList` is given the whole list when it came (for the markets' names), before the check. */
  opts: { timeoutMs?: number; signal?: AbortSignal; onList?: (list: readonly MarketInfo[]) => void } = {},
): Promise<UncheckedMarkets | null> {
  let listed: MarketCode[];
  try {
    const list = await fetchMarketList(apiUrl, { timeoutMs: opts.timeoutMs ?? 1500, signal: opts.signal });
    opts.onList?.(list);
    listed = list.map((m) => m.market);
  } catch (error) {
    logger.warn({ err: error, apiUrl }, 'market list unavailable; the existence check of --markets is pending');
    return { unverified: [...requested], problem: error instanceof Error ? error.message : String(error) };
  }
  checkMarketsExist(requested, listed, new URL(apiUrl).host);
  return null;
}

/** The TUI's notice line while the market list could not be checked. */
export function uncheckedNotice(unchecked: UncheckedMarkets, host: string): string {
  return `Not verified (${host} market list unreachable): ${unchecked.unverified.join(', ')}. A market it does not list stays "waiting".`;
}

export interface RecheckOptions {
  /** The exchange's market codes (`GET /v1/market/all`). */
  fetch: (signal: AbortSignal) => Promise<MarketCode[]>;
  /** The notice line of the markets check; null clears it. */
  setNotice: (text: string | null) => void;
  /** For messages, e.g. `api.upbit.com`. */
  host: string;
  /** Waits before each try; the last one repeats. @default [2000, 5000, 10000, 30000] */
  delaysMs?: readonly number[];
  logger: Logger;
}

/**
 * Task body: while the list could not be had at start-up, say so on screen and keep asking
 * (a few requests a minute at most, far inside Upbit's 10/s for the `market` group). Once it
 * answers, the notice goes, or names the markets it does not list. Ends when `signal` aborts.
 */
export async function recheckMarkets(unchecked: UncheckedMarkets, opts: RecheckOptions, signal: AbortSignal): Promise<void> {
  const delays = opts.delaysMs ?? [2_000, 5_000, 10_000, 30_000];
  opts.setNotice(uncheckedNotice(unchecked, opts.host));
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await sleep(delays[Math.min(attempt, delays.length - 1)] ?? 30_000, signal);
    } catch {
      return; // shutting down
    }
    let listed: MarketCode[];
    try {
      listed = await opts.fetch(signal);
    } catch (error) {
      if (signal.aborted) return;
      opts.logger.debug({ err: error, attempt }, 'market list still unavailable');
      continue;
    }
    const known = new Set(listed);
    const unknown = unchecked.unverified.filter((m) => !known.has(m));
    opts.setNotice(unknown.length === 0 ? null : `${unknownMarketMessage(unknown, listed, opts.host)} Its row stays "waiting": quit (q) and start without it.`);
    opts.logger.info({ unknown }, 'markets checked once the list was reachable');
    return;
  }
}
