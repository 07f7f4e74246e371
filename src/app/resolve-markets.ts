import type { Logger } from '../runtime/logger.js';
import { UsageError } from './errors.js';
import { fetchMarketList } from '../upbit/market-list.js';
import type { MarketCode } from '../upbit/types.js';

/**
 * Check requested markets against what the exchange lists, so a typo fails before the UI
 * starts with a message that names the bad code and suggests near matches.
 */
export function checkMarketsExist(requested: readonly MarketCode[], listed: readonly MarketCode[], where: string): void {
  const known = new Set(listed);
  const unknown = requested.filter((m) => !known.has(m));
  if (unknown.length === 0) return;
  const hints = unknown
    .map((m) => {
      const base = m.slice(m.indexOf('-') + 1);
      const near = listed.filter((l) => l.endsWith(`-${base}`)).slice(0, 3);
      return near.length > 0 ? `${m} (did you mean ${near.join(', ')}?)` : m;
    })
    .join('; ');
  const sample = listed.slice(0, 6).join(',');
  throw new UsageError(`Unknown market ${hints} on ${where}. Known markets include ${sample}.`);
}

/**
 * Validate markets against a live exchange's `GET /v1/market/all`. If the exchange cannot be
 * reached we do not block start-up: the codes were already checked for shape, and the status
 * bar will say the exchange is unreachable.
 */
export async function checkMarketsLive(requested: readonly MarketCode[], apiUrl: string, logger: Logger): Promise<void> {
  let listed: MarketCode[];
  try {
    listed = (await fetchMarketList(apiUrl, { timeoutMs: 1500 })).map((m) => m.market);
  } catch (error) {
    logger.warn({ err: error, apiUrl }, 'market list unavailable; skipping the existence check of --markets');
    return;
  }
  checkMarketsExist(requested, listed, new URL(apiUrl).host);
}
