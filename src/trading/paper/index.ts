/** Paper trading: `createPaperVenue({ dataDir, quotes, quotesLabel })`. */
export { PaperVenue, createPaperVenue } from './paper-venue.js';
export type { PaperVenueOptions } from './paper-venue.js';
export { PaperWalletError, walletPath } from './wallet-file.js';
