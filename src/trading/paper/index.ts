/** Paper trading: `createPaperVenue({ dataDir, quotes, quotesLabel })`. */
export { createPaperVenue } from './create-paper-venue.js';
export { PaperVenue } from './paper-venue.js';
export type { PaperVenueOptions } from './paper-venue.js';
export { PaperWalletError, walletPath } from './wallet-file.js';
