/**
 * Opening a paper wallet: its lock, its file (new or restored), and the catch-up of orders
 * that rested while no upbit-tui ran.
 */
import { acquireProcessLock, type ProcessLock } from '../../runtime/process-lock.js';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import type { ExchangeOptions } from '../../exchange/index.js';
import { Exchange } from '../../exchange/index.js';
import { readSeen, seenPath } from './catch-up.js';
import { LiveMarketView } from './market-view.js';
import { ACCOUNT, PaperVenue, type PaperVenueOptions } from './paper-venue.js';
import { StateNotSavedError } from '../../exchange/index.js';
import { PaperWalletError, corruptWallet, createWalletPersister, readWallet, walletPath } from './wallet-file.js';

/**
 * Open (or create) the paper wallet for `quotesLabel`. Rejects with a `PaperWalletError`
 * naming the file when it exists but cannot be used; the file is then left untouched.
 */
export async function createPaperVenue(options: PaperVenueOptions): Promise<PaperVenue> {
  const file = walletPath(options.dataDir, options.quotesLabel);
  const logger = (options.logger ?? silentLogger).child({ component: 'paper', quotes: options.quotesLabel });
  // The wallet has one owner at a time: a second process saving it would lose the first's orders.
  const lock = await acquireProcessLock(`${file}.lock`, { what: `the paper wallet ${file}` });
  try {
    return await openWallet(options, file, logger, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function openWallet(options: PaperVenueOptions, file: string, logger: Logger, lock: ProcessLock): Promise<PaperVenue> {
  const view = new LiveMarketView(options.quotes);
  const now = options.now ?? Date.now;
  const engineOptions: ExchangeOptions = {
    market: view,
    now,
    onListenerError: (error) => logger.error({ err: error }, 'a paper event listener failed'),
    // Every change is on disk before the venue answers (or its events tell of it).
    persist: createWalletPersister(file, logger).persist,
  };
  const saved = await readWallet(file);
  let exchange: Exchange;
  if (saved === undefined) {
    exchange = new Exchange(engineOptions);
    try {
      // Saved at once, so the next start finds the same wallet.
      exchange.createAccount(ACCOUNT, ACCOUNT, options.krw ?? '10000000');
    } catch (error) {
      exchange.close();
      const cause = error instanceof StateNotSavedError ? error.cause : error;
      throw new PaperWalletError(`Cannot create the paper wallet ${file} (${cause instanceof Error ? cause.message : String(cause)}): check that the data directory is writable (or pass another --data-dir).`, { cause });
    }
  } else {
    try {
      exchange = Exchange.fromSnapshot(saved, engineOptions);
    } catch (error) {
      throw corruptWallet(file, error instanceof Error ? error.message : String(error), error);
    }
    if (!exchange.hasAccount(ACCOUNT)) {
      exchange.close();
      throw corruptWallet(file, `it has no "${ACCOUNT}" account`);
    }
  }
  const venue = new PaperVenue(options, file, exchange, view, logger, now, lock, await readSeen(seenPath(file)));
  // Orders that rested while no upbit-tui ran fill from the candles of that time. Offline,
  // they stay open and are looked at again on the next start.
  try {
    const filled = await venue.catchUp();
    if (filled > 0) logger.info({ filled }, 'paper orders filled from the market while upbit-tui was closed');
  } catch (error) {
    logger.warn({ err: error }, error instanceof Error ? error.message : 'paper catch-up failed');
  }
  return venue;
}
