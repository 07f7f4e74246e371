import type { IntentInput, JournalIdentity } from '../../src/trading/journal/index.js';

export const LIVE: JournalIdentity = { endpoint: 'https://api.upbit.com', accountId: 'acct-live' };

export const LIMIT_BUY: IntentInput = { market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '95000000', volume: '0.001', source: 'ui' };
