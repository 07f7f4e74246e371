/**
 * The watchlist the user builds from the keyboard (add with `/`, remove with `d`), kept across
 * runs in the data directory: `<dataDir>/watchlist.json`, `{"version": 1, "markets": [...]}`.
 * It is state, not settings: the config file (src/app/config.ts) is the user's and is never
 * written (docs/configuration.md#watchlist).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { writeFileAtomically } from '../runtime/atomic-file.js';
import { DirectoryError, ensureDirectory, errnoOf } from '../runtime/dirs.js';
import { JsonTextError, parseJsonText } from '../runtime/json-text.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { isMarketCode } from '../upbit/market-code.js';
import type { MarketCode } from '../upbit/types.js';

const VERSION = 1;

export interface WatchlistState {
  /**
   * The saved markets: undefined when there are none (no file yet) or the file cannot be used,
   * and then `problem` is one line for the user naming the file. Never throws.
   */
  load(): { markets: MarketCode[] | undefined; problem: string | undefined };
  /**
   * Replace the saved markets. Call it only when the user changes the watchlist: a file that
   * could not be loaded is left as it is until then. Saves run one at a time; one asked for
   * while another runs waits, and several waiting become one, of the latest list (their
   * promises all settle with it). Rejects with an error whose message is one line for the user
   * (and logs it); the watchlist in memory stays as it is, so the run goes on.
   */
  save(markets: readonly MarketCode[]): Promise<void>;
}

/** The watchlist state file in `dataDir` (made on the first save if missing). */
export function openWatchlistState(dataDir: string, opts: { logger?: Logger } = {}): WatchlistState {
  const file = path.join(dataDir, 'watchlist.json');
  const logger = opts.logger ?? silentLogger;
  const unusable = (why: string): string =>
    `The saved watchlist ${file} cannot be used (${why}). The watchlist starts from the config or the default; the file is left as it is until you change the watchlist, which replaces it.`;

  // The save being written, and the one waiting for it (the latest list asked for, and who asked).
  let writing = false;
  let waiting: { markets: MarketCode[]; settle: Settle } | undefined;

  async function write(markets: readonly MarketCode[]): Promise<void> {
    try {
      ensureDirectory(dataDir);
      await writeFileAtomically(file, `${JSON.stringify({ version: VERSION, markets })}\n`);
    } catch (error) {
      logger.error({ err: error, file }, 'could not save the watchlist');
      throw new Error(`Cannot save the watchlist to ${file} (${reason(error)}); changes last for this run only. Make the folder writable or free disk space.`, { cause: error });
    }
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      for (let next = waiting; next !== undefined; next = waiting) {
        waiting = undefined;
        await write(next.markets).then(next.settle.resolve, next.settle.reject);
      }
    } finally {
      writing = false;
    }
  }

  return {
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return { markets: undefined, problem: undefined };
        return { markets: undefined, problem: unusable(`it cannot be read: ${reason(error)}`) };
      }
      let value: unknown;
      try {
        value = parseJsonText(text);
      } catch (error) {
        return { markets: undefined, problem: unusable(error instanceof JsonTextError ? error.message : 'it is not JSON') };
      }
      const parsed = parseState(value);
      return typeof parsed === 'string' ? { markets: undefined, problem: unusable(parsed) } : { markets: parsed, problem: undefined };
    },
    save(markets) {
      const list = [...markets];
      if (waiting === undefined) waiting = { markets: list, settle: settler() };
      else waiting.markets = list;
      const { promise } = waiting.settle;
      // drain() never rejects: each save's outcome reaches its caller through `promise`.
      if (!writing) void drain();
      return promise;
    },
  };
}

/** The markets of a version-1 state, or what is wrong with it. */
function parseState(value: unknown): MarketCode[] | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  if (!('version' in value) || value.version !== VERSION) {
    return 'version' in value ? `it is version ${JSON.stringify(value.version)}, and this upbit-tui reads version ${VERSION}` : 'it has no version';
  }
  if (!('markets' in value) || !Array.isArray(value.markets)) return 'it has no list of markets';
  const items: unknown[] = value.markets;
  const markets: MarketCode[] = [];
  for (const item of items) {
    if (typeof item !== 'string' || !isMarketCode(item)) return `${JSON.stringify(item)} is not a market code`;
    if (!markets.includes(item)) markets.push(item);
  }
  return markets;
}

function reason(error: unknown): string {
  if (error instanceof DirectoryError) return error.problem;
  return error instanceof Error ? error.message : String(error);
}

interface Settle {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** `Promise.withResolvers()`, which Node 20 lacks. */
function settler(): Settle {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface InitialWatchlistInput {
  /** `--markets`, when given on the command line. */
  flag: readonly MarketCode[] | undefined;
  /** The saved watchlist ({@link WatchlistState.load}). */
  saved: readonly MarketCode[] | undefined;
  /** The config file's `watchlist`. */
  config: readonly MarketCode[] | undefined;
  /** The app's default (DEFAULT_MARKETS in src/upbit/market-code.ts). */
  fallback: readonly MarketCode[];
}

/**
 * The watchlist a run starts with, first match wins (docs/configuration.md#watchlist):
 * 1. `--markets`: for this run only; `persist` is false, so a one-off list never replaces the
 *    saved one.
 * 2. The saved watchlist, unless it is empty (the user removed every market: an empty table
 *    shows nothing, so the next run starts over from the config or the default).
 * 3. The config's `watchlist`.
 * 4. The fallback.
 * `persist` says whether the run should save the user's changes.
 */
export function initialWatchlist(input: InitialWatchlistInput): { markets: MarketCode[]; persist: boolean; source: 'flag' | 'saved' | 'config' | 'default' } {
  if (input.flag !== undefined && input.flag.length > 0) return { markets: [...input.flag], persist: false, source: 'flag' };
  if (input.saved !== undefined && input.saved.length > 0) return { markets: [...input.saved], persist: true, source: 'saved' };
  if (input.config !== undefined && input.config.length > 0) return { markets: [...input.config], persist: true, source: 'config' };
  return { markets: [...input.fallback], persist: true, source: 'default' };
}
