/**
 * Opening a paper wallet: its file (new or restored), and the catch-up of orders
 * that rested while no upbit-tui ran.
 */
import { silentLogger, type Logger } from '../../runtime/logger.js';
import { readSeen, seenPath } from './catch-up.js';
import { LiveMarketView } from './market-view.js';
import { ACCOUNT, PaperVenue, type PaperVenueOptions } from './paper-venue.js';
import { corruptWallet, walletPath } from './wallet-file.js';
import { PaperWallet } from './wallet-store.js';

/**
 * Open (or create) the paper wallet for `quotesLabel`. Rejects with a `PaperWalletError`
 * naming the file when it exists but cannot be used; the file is then left untouched. No lock
 * is held while it is open: each change takes the wallet's lock for itself (wallet-store.ts),
 * so other processes trade the same wallet at the same time.
 */
export async function createPaperVenue(options: PaperVenueOptions): Promise<PaperVenue> {
  const file = walletPath(options.dataDir, options.quotesLabel);
  const logger = (options.logger ?? silentLogger).child({ component: 'paper', quotes: options.quotesLabel });
  const view = new LiveMarketView(options.quotes);
  const now = options.now ?? Date.now;
  const wallet = PaperWallet.open({
    file,
    logger,
    engine: { market: view, now, onListenerError: (error) => logger.error({ err: error }, 'a paper event listener failed') },
    create: (engine) => engine.createAccount(ACCOUNT, ACCOUNT, options.krw ?? '10000000'),
    check: (engine) => {
      if (!engine.hasAccount(ACCOUNT)) throw corruptWallet(file, `it has no "${ACCOUNT}" account`);
    },
  });
  try {
    return await openVenue(options, wallet, view, logger, now);
  } catch (error) {
    wallet.close();
    throw error;
  }
}

async function openVenue(options: PaperVenueOptions, wallet: PaperWallet, view: LiveMarketView, logger: Logger, now: () => number): Promise<PaperVenue> {
  const venue = new PaperVenue(options, wallet, view, logger, now, await readSeen(seenPath(wallet.file)));
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
