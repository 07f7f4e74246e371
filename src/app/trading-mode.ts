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
 */
export type TradingMode =
  | { kind: 'live'; apiUrl: string; journalEndpoint: string; notice: string }
  | { kind: 'sim'; embedded: boolean; apiUrl: string | null; journalEndpoint: string; notice: string }
  | { kind: 'paper'; quotes: 'upbit' | 'sim'; apiUrl: string | null; journalEndpoint: string; notice: string };

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
    return { kind: 'live', apiUrl, journalEndpoint: apiUrl, notice: `LIVE trading on ${hostOf(apiUrl)} with real money.` };
  }
  if (f.sim && !f.paper) {
    const embedded = f.apiUrl === undefined;
    return {
      kind: 'sim',
      embedded,
      apiUrl: f.apiUrl ?? null,
      journalEndpoint: embedded ? 'sim:embedded' : f.apiUrl ?? 'sim:embedded',
      notice: embedded ? 'Simulated trading on the built-in exchange (no real money).' : `Simulated trading on ${f.apiUrl} (no real money).`,
    };
  }
  const quotes = f.sim ? 'sim' : 'upbit';
  const why = f.paper ? '--paper' : f.hasKeys ? 'no --live given' : 'no API keys configured';
  return {
    kind: 'paper',
    quotes,
    apiUrl: f.apiUrl ?? null,
    journalEndpoint: `paper:${quotes === 'sim' ? 'sim' : f.apiUrl ?? UPBIT_API_URL}`,
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
