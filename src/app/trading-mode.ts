import { UsageError } from './errors.js';

export const UPBIT_API_URL = 'https://api.upbit.com';

/**
 * Where orders go. Decided once per run from the flags and the environment, before anything
 * connects, so a run can never drift from paper into live.
 *
 * - `live`: real orders on Upbit. Needs keys AND `--live`.
 * - `sim`: orders go to an Upbit-compatible simulator over REST — the embedded one (`--sim`,
 *   its state kept in the data directory so balances persist between commands) or one given
 *   with `--sim --api-url URL` (e.g. a standalone `upbit-tui sim`).
 * - `paper`: orders fill locally against the current order book (of Upbit, or of the
 *   simulator with `--sim --paper`) with the exchange's own rules; the wallet persists.
 *
 * `exchange` names where the orders live, never how its URL is spelled: with the account
 * (a fingerprint of the access key) it keys the order journal and the trading lock, so
 * `http://127.0.0.1:P` and `http://localhost:P` (or a proxy in front of Upbit) share one
 * journal and an unknown order of one is looked up by the other before anything is placed.
 * `upbit` (live), `sim` (a simulator over REST, told apart by its account's key),
 * `sim:embedded` (the built-in exchange of the data directory), `paper:upbit` and
 * `paper:sim` (the paper wallets, one per quotes source, as their files are).
 */
export type TradingMode =
  | { kind: 'live'; apiUrl: string; exchange: 'upbit'; notice: string }
  | { kind: 'sim'; embedded: boolean; apiUrl: string | null; exchange: 'sim' | 'sim:embedded'; notice: string }
  | { kind: 'paper'; quotes: 'upbit' | 'sim'; apiUrl: string | null; exchange: 'paper:upbit' | 'paper:sim'; notice: string };

export interface TradingFlags {
  sim: boolean;
  paper: boolean;
  live: boolean;
  /** Only when the user gave --api-url. */
  apiUrl: string | undefined;
  /** Whether UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY (or a key file) are configured. */
  hasKeys: boolean;
}

export function resolveTradingMode(f: TradingFlags): TradingMode {
  if (f.live && f.paper) throw new UsageError('--live and --paper contradict each other. Use --live for real orders or --paper for paper trading.');
  if (f.live && f.sim) throw new UsageError('--live sends real orders to Upbit, --sim uses the built-in exchange: pick one.');
  if (f.live) {
    if (!f.hasKeys) {
      throw new UsageError('--live needs your Upbit API keys: set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY (or a key file), or drop --live to paper trade.');
    }
    const apiUrl = f.apiUrl ?? UPBIT_API_URL;
    // Said like the other modes, and loudest: every order of this run is real.
    return { kind: 'live', apiUrl, exchange: 'upbit', notice: `LIVE trading on ${hostOf(apiUrl)} with real money.` };
  }
  if (f.sim && !f.paper) {
    const embedded = f.apiUrl === undefined;
    return {
      kind: 'sim',
      embedded,
      apiUrl: f.apiUrl ?? null,
      exchange: embedded ? 'sim:embedded' : 'sim',
      notice: embedded ? 'Simulated trading on the built-in exchange (no real money).' : `Simulated trading on ${f.apiUrl} (no real money).`,
    };
  }
  const quotes = f.sim ? 'sim' : 'upbit';
  const why = f.paper ? '--paper' : f.hasKeys ? 'no --live given' : 'no API keys configured';
  return {
    kind: 'paper',
    quotes,
    apiUrl: f.apiUrl ?? null,
    exchange: quotes === 'sim' ? 'paper:sim' : 'paper:upbit',
    notice: `Paper trading on ${quotes === 'sim' ? 'simulated' : 'live Upbit'} quotes (${why}); no real orders are sent.${f.hasKeys && !f.paper ? ' Add --live to trade for real.' : ''}`,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The key of the trading lock: the exchange and, where the account is known before anything
 * is opened (live, a simulator over REST: from the keys), its fingerprint. The built-in
 * exchange and the paper wallets have one account per data directory.
 */
export function tradingLockKey(mode: TradingMode, accountId: string | undefined): string {
  return mode.exchange === 'upbit' || mode.exchange === 'sim' ? `${mode.exchange}|${accountId ?? 'no-keys'}` : mode.exchange;
}

/**
 * Whether a journal of the earlier, URL-keyed scheme (its stored endpoint and account) holds
 * orders of this mode's account, to be taken into its journal: live ones were keyed by the
 * REST URL (Upbit's, or the `--api-url` given), simulators by each URL they were reached at,
 * paper wallets on Upbit's quotes by `paper:<URL>`. The embedded exchange (`sim:embedded`) and
 * paper on simulated quotes (`paper:sim`) kept their keys, so their journals are the same files.
 */
export function isEarlierJournalOf(mode: TradingMode, accountId: string, earlier: { endpoint: string; accountId: string }): boolean {
  if (earlier.accountId !== accountId) return false;
  const url = urlEndpoint(earlier.endpoint);
  switch (mode.exchange) {
    case 'upbit':
      return url !== null && (url === UPBIT_API_URL || url === urlEndpoint(mode.apiUrl));
    case 'sim':
      return url !== null && url !== UPBIT_API_URL;
    case 'paper:upbit':
      return earlier.endpoint.startsWith('paper:') && urlEndpoint(earlier.endpoint.slice('paper:'.length)) !== null;
    default:
      return false;
  }
}

/** `http(s)://host[:port][/path]` as the earlier scheme normalised it, or null for anything else. */
function urlEndpoint(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
