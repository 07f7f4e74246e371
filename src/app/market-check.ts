/**
 * Before a trading command sends anything about a market (an order, a filtered list, a
 * cancel-all), the market is looked up in the exchange's own list (`GET /v1/market/all`,
 * https://docs.upbit.com/kr/reference/rest-api-guide), so a typo gets the same one line in
 * every mode instead of whatever each exchange (or the paper venue) answers.
 *
 * The list is kept in the data directory for {@link MARKET_LIST_TTL_MS} and in memory for the
 * run. A market missing from a list that was not fetched in this run is looked up once more
 * first, since Upbit lists new markets. When no list can be had at all the check is skipped
 * and said (the exchange itself still refuses an unknown market).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { writeFileAtomically } from '../runtime/atomic-file.js';
import type { Logger } from '../runtime/logger.js';
import type { MarketCode } from '../upbit/types.js';
import { UsageError } from './errors.js';
import { unknownMarketMessage } from './resolve-markets.js';

/** How long a cached list is used without asking again (a miss asks again at once). */
export const MARKET_LIST_TTL_MS = 6 * 60 * 60 * 1000;

export interface MarketListSource {
  /** The exchange's market codes. */
  fetch(signal?: AbortSignal): Promise<MarketCode[]>;
  /** For messages: `api.upbit.com`, `the built-in exchange`. */
  where: string;
  /** Where the list is kept between runs; absent: memory only (the in-process exchange, whose port changes every run). */
  cacheFile?: string;
}

export interface MarketCheckOptions {
  source: MarketListSource;
  logger: Logger;
  /** @default MARKET_LIST_TTL_MS */
  ttlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Markets that could not be checked, and why; null when every market was found. */
export type MarketCheckResult = { unverified: MarketCode[]; problem: string } | null;

/** The list a run checks against, and whether it was fetched in this run. */
interface RunList {
  markets: Set<MarketCode>;
  fetchedAt: number;
  fresh: boolean;
}

interface CachedList {
  version: 1;
  fetchedAt: number;
  markets: MarketCode[];
}

export class MarketCheck {
  readonly where: string;
  readonly #source: MarketListSource;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #list: RunList | undefined;

  constructor(opts: MarketCheckOptions) {
    this.#source = opts.source;
    this.where = opts.source.where;
    this.#log = opts.logger;
    this.#ttlMs = opts.ttlMs ?? MARKET_LIST_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Throws a {@link UsageError} (exit 2) naming any market the exchange does not list.
   * Resolves null when all are listed, or with the markets that could not be checked.
   */
  async check(markets: readonly MarketCode[], signal?: AbortSignal): Promise<MarketCheckResult> {
    if (markets.length === 0) return null;
    let problem: string | null = null;
    if (this.#list === undefined) this.#list = await this.#readCache();
    if (this.#list === undefined || this.#now() - this.#list.fetchedAt > this.#ttlMs) problem = await this.#refresh(signal);
    if (this.#list !== undefined && !this.#list.fresh && markets.some((m) => !this.#list?.markets.has(m))) {
      // Listed since the cache was written? Ask once before refusing.
      problem = await this.#refresh(signal);
    }
    const list = this.#list;
    if (list === undefined) return { unverified: [...markets], problem: problem ?? 'no market list' };
    const unknown = markets.filter((m) => !list.markets.has(m));
    if (unknown.length === 0) return null;
    // A stale list that could not be refreshed cannot prove a new market absent.
    if (!list.fresh) return { unverified: unknown, problem: problem ?? 'the market list could not be refreshed' };
    throw new UsageError(`${unknownMarketMessage(unknown, [...list.markets], this.where)} Nothing was sent.`, 2);
  }

  /** Fetch the list; on failure keep what there is and return why. */
  async #refresh(signal?: AbortSignal): Promise<string | null> {
    let markets: MarketCode[];
    try {
      markets = await this.#source.fetch(signal);
    } catch (error) {
      signal?.throwIfAborted();
      this.#log.warn({ err: error, where: this.where }, 'market list unavailable');
      return error instanceof Error ? error.message : String(error);
    }
    const fetchedAt = this.#now();
    this.#list = { markets: new Set(markets), fetchedAt, fresh: true };
    await this.#writeCache({ version: 1, fetchedAt, markets });
    return null;
  }

  async #readCache(): Promise<RunList | undefined> {
    const file = this.#source.cacheFile;
    if (file === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#log.warn({ err: error, file }, 'market list cache unreadable; fetching the list');
      return undefined;
    }
    const cached = narrowCache(value);
    if (cached === null) {
      this.#log.warn({ file }, 'market list cache has an unknown shape; fetching the list');
      return undefined;
    }
    return { markets: new Set(cached.markets), fetchedAt: cached.fetchedAt, fresh: false };
  }

  /** A cache that cannot be written costs a request next time, nothing more. */
  async #writeCache(cached: CachedList): Promise<void> {
    const file = this.#source.cacheFile;
    if (file === undefined) return;
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomically(file, `${JSON.stringify(cached)}\n`);
    } catch (error) {
      this.#log.warn({ err: error, file }, 'could not write the market list cache');
    }
  }
}

function narrowCache(value: unknown): CachedList | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const markets = v['markets'];
  const fetchedAt = v['fetchedAt'];
  if (v['version'] !== 1 || typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt) || !Array.isArray(markets)) return null;
  if (!markets.every((m): m is string => typeof m === 'string')) return null;
  return { version: 1, fetchedAt, markets };
}

/**
 * The cache file of an exchange's list: `<dataDir>/cache/markets-<host>.json` (the port kept,
 * as a simulator on another port is another exchange).
 */
export function marketListCacheFile(dataDir: string, apiUrl: string): string {
  const host = new URL(apiUrl).host.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
  return path.join(dataDir, 'cache', `markets-${host}.json`);
}

/**
 * The list source of a REST client. `embedded`: the in-process exchange (no cache file: its
 * port is new each run and asking it costs nothing).
 */
export function restMarketListSource(client: { marketAll(options?: { signal?: AbortSignal }): Promise<Array<{ market: MarketCode }>> }, opts: { apiUrl: string; embedded: boolean; dataDir: string }): MarketListSource {
  const source: MarketListSource = {
    fetch: async (signal) => (await client.marketAll({ signal })).map((m) => m.market),
    where: opts.embedded ? 'the built-in exchange' : new URL(opts.apiUrl).host,
  };
  if (!opts.embedded) source.cacheFile = marketListCacheFile(opts.dataDir, opts.apiUrl);
  return source;
}
