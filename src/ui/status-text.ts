import type { MarketSnapshot } from '../trading/market-store.js';
import type { ConnectionStatus } from '../upbit/quotation-client.js';
import { formatCount, formatDuration } from './format.js';

/** The connection state in plain words. */
export function describeConnection(status: ConnectionStatus): string {
  switch (status.state) {
    case 'connecting':
      return status.attempt > 1 ? `connecting… (attempt ${status.attempt})` : 'connecting…';
    case 'live':
      return 'live';
    case 'reconnecting':
      return `reconnecting (attempt ${status.attempt}, in ${formatDuration(status.retryInMs)}): ${status.reason}`;
    case 'offline':
      return `offline: ${status.reason} — retrying in ${formatDuration(status.retryInMs)} · try --sim`;
  }
}

export const SHUTTING_DOWN = 'shutting down… (Ctrl+C again to force)';

/** The status line in three runs, so the connection words alone can take a colour. */
export interface StatusText {
  lead: string;
  connection: string;
  rest: string;
}

export function statusText(s: MarketSnapshot): StatusText {
  const rest = [`${formatCount(s.msgPerSec)} msg/s`];
  if (s.lagP99Ms !== null) rest.push(`lag p99 ${Math.round(s.lagP99Ms)}ms`);
  if (s.lastMessageAt !== null) rest.push(`last ${formatDuration(s.publishedAt - s.lastMessageAt)} ago`);
  if (s.invalidCount > 0) rest.push(`${formatCount(s.invalidCount)} invalid`);
  return {
    lead: s.shuttingDown ? `${SHUTTING_DOWN} · ` : '',
    connection: describeConnection(s.connection),
    rest: ` · ${rest.join(' · ')}`,
  };
}
