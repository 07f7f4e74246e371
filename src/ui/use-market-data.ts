import { useEffect } from 'react';
import type { MarketCode } from '../upbit/types.js';

/**
 * Hold `demand(market)` while the component is mounted and focused on `market`: made on mount
 * and on a change of market (the previous one released first), released on unmount. `demand`
 * returns its release, made at the same moment (docs/architecture.md#one-owner-of-lifetime);
 * the App passes e.g. `(m) => focusDemand(feed, m)` (focus-demand.ts). Keep `demand` stable
 * (`useCallback` or module level): a new function is a new demand. A null market demands nothing.
 */
export function useMarketDemand(demand: (market: MarketCode) => () => void, market: MarketCode | null): void {
  useEffect(() => (market === null ? undefined : demand(market)), [demand, market]);
}
