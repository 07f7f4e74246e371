/**
 * The trading part of the status line, as text: the mode badge's words and the account's
 * summary (KRW available, total value at the last ticker prices, open orders). Pure, so the
 * summary component can use the text itself as its snapshot: it re-renders only when what it
 * shows changes, never for a tick that moves nothing on it.
 */
import { selectKrw, selectTotalValue, type AccountSnapshot, type OrdersSnapshot, type PriceLookup } from '../trading/session/index.js';
import type { VenueKind } from '../trading/venue.js';
import { formatCount, formatKrw } from './format.js';

export const ACCOUNT_LOADING = 'account: loading…';

/** `SIM`, `PAPER`, `LIVE`; without colour LIVE is marked in the text (`LIVE!`), as urgent status runs are. */
export function modeBadgeText(mode: VenueKind, markers: boolean): string {
  switch (mode) {
    case 'live':
      return markers ? 'LIVE!' : 'LIVE';
    case 'sim':
      return 'SIM';
    case 'paper':
      return 'PAPER';
  }
}

/**
 * `KRW 9,989,995 · total ≈ 10,002,345 KRW (+1 unpriced) · 1 open order`. Holdings with no
 * known price (no ticker for their KRW market yet, or not in the watchlist) are counted, not
 * valued at a guess. `account: loading…` until the balances were first read.
 */
export function accountSummaryText(account: AccountSnapshot | null, orders: OrdersSnapshot | null, prices: PriceLookup): string {
  if (account === null || !account.loaded) return account?.syncError != null ? 'account: cannot be read yet (retrying; see the log)' : ACCOUNT_LOADING;
  const krw = selectKrw(account);
  const value = selectTotalValue(account, prices);
  const unpriced = value.unpriced.length > 0 ? ` (+${value.unpriced.length} unpriced)` : '';
  const parts = [`KRW ${formatKrw(krw.available)}`, `total ≈ ${formatKrw(value.total)} KRW${unpriced}`];
  if (orders !== null && orders.loaded) parts.push(`${formatCount(orders.open.length)} open order${orders.open.length === 1 ? '' : 's'}`);
  if (account.syncError !== null) parts.push('account read failing, retrying');
  return parts.join(' · ');
}
