import type { MarketSnapshot } from '../trading/market-store.js';
import type { ConnectionStatus } from '../upbit/quotation-client.js';
import { formatCount, formatDuration } from './format.js';
import type { Tone } from './theme.js';

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

/**
 * The kernel's loop-lag warning threshold when none is passed (its loop monitor's
 * `warnAboveMs` default).
 */
export const DEFAULT_LAG_WARN_MS = 100;

/** A run of status text and how urgent it is. */
export interface StatusRun {
  text: string;
  tone: Tone;
}

/** The status line in runs, so the connection words and the lag alone can take a colour. */
export interface StatusText {
  lead: string;
  connection: string;
  /** Everything after the connection words, adjacent plain runs merged. */
  rest: readonly StatusRun[];
}

export interface StatusOptions {
  /** Lag p99 above this is a warning, above twice this an alarm. @default DEFAULT_LAG_WARN_MS */
  lagWarnMs?: number;
  /**
   * Mark urgent runs in the text itself (`!`, `!!`), for when colour is off (`none` mode).
   * @default false
   */
  markers?: boolean;
}

/** Above the threshold the UI and stop checks run late: `warn`; above twice it, `bad`. */
export function lagTone(p99Ms: number, warnMs: number): Tone {
  if (p99Ms > 2 * warnMs) return 'bad';
  if (p99Ms > warnMs) return 'warn';
  return 'plain';
}

const MARKERS: Readonly<Record<Tone, string>> = { plain: '', warn: '!', bad: '!!' };

export function statusText(s: MarketSnapshot, opts: StatusOptions = {}): StatusText {
  const parts: StatusRun[] = [{ text: `${formatCount(s.msgPerSec)} msg/s`, tone: 'plain' }];
  if (s.lagP99Ms !== null) {
    const tone = lagTone(s.lagP99Ms, opts.lagWarnMs ?? DEFAULT_LAG_WARN_MS);
    const marker = opts.markers === true ? MARKERS[tone] : '';
    parts.push({ text: `lag p99 ${Math.round(s.lagP99Ms)}ms${marker}`, tone });
  }
  if (s.lastMessageAt !== null) parts.push({ text: `last ${formatDuration(s.publishedAt - s.lastMessageAt)} ago`, tone: 'plain' });
  if (s.invalidCount > 0) parts.push({ text: `${formatCount(s.invalidCount)} invalid`, tone: 'plain' });
  const rest: StatusRun[] = [];
  for (const part of parts) {
    for (const run of [{ text: ' · ', tone: 'plain' } as const, part]) {
      const last = rest.at(-1);
      if (last !== undefined && last.tone === 'plain' && run.tone === 'plain') last.text += run.text;
      else rest.push({ ...run });
    }
  }
  return {
    lead: s.shuttingDown ? `${SHUTTING_DOWN} · ` : '',
    connection: describeConnection(s.connection),
    rest,
  };
}
