import type { MarketSnapshot } from '../trading/market-store.js';
import type { ConnectionStatus } from '../upbit/quotation-client.js';
import { FLAP_WINDOW_MS, FLAPPING_MIN_DROPS, recentDrops } from '../upbit/socket/status.js';
import { formatCount, formatDuration } from './format.js';
import type { Tone } from './theme.js';

/** Whole seconds left until `at`, rounded up so it reaches 0s only when the retry starts. */
export function countdown(at: number, now: number): string {
  return `${Math.ceil(Math.max(0, at - now) / 1000)}s`;
}

/**
 * The connection state in plain words, short, for the head of the status line; the countdown
 * is computed from the retry deadline against `now`, so each redraw shows the time left.
 */
export function describeConnection(status: ConnectionStatus, now: number): string {
  switch (status.state) {
    case 'idle':
      return 'idle (nothing subscribed)';
    case 'connecting':
      return status.attempt > 1 ? `connecting… (attempt ${status.attempt})` : 'connecting…';
    case 'live':
      return 'live';
    case 'reconnecting':
      return `reconnecting in ${countdown(status.retryAt, now)} (attempt ${status.attempt})`;
    case 'offline':
      return `offline, retrying in ${countdown(status.retryAt, now)} (attempt ${status.attempt})`;
  }
}

/** `flapping: 4 drops in 60s` once short-lived connections keep dropping, else null. */
export function flappingText(status: ConnectionStatus, now: number): string | null {
  const drops = recentDrops(status, now);
  return drops >= FLAPPING_MIN_DROPS ? `flapping: ${drops} drops in ${formatDuration(FLAP_WINDOW_MS)}` : null;
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
  /**
   * With `split`: throughput, lag and invalid messages, cut from `rest` (which then ends with
   * the age, flapping and why the link is down), for the account summary to go between. Else empty.
   */
  tail: readonly StatusRun[];
}

export interface StatusOptions {
  /** Lag p99 above this is a warning, above twice this an alarm. @default DEFAULT_LAG_WARN_MS */
  lagWarnMs?: number;
  /**
   * Mark urgent runs in the text itself (`!`, `!!`), for when colour is off (`none` mode).
   * @default false
   */
  markers?: boolean;
  /** Return the throughput and after as `tail`, apart from `rest`. @default false */
  split?: boolean;
}

/** Above the threshold the UI and stop checks run late: `warn`; above twice it, `bad`. */
export function lagTone(p99Ms: number, warnMs: number): Tone {
  if (p99Ms > 2 * warnMs) return 'bad';
  if (p99Ms > warnMs) return 'warn';
  return 'plain';
}

const MARKERS: Readonly<Record<Tone, string>> = { plain: '', warn: '!', bad: '!!' };

/** What marks a run of `tone` in the text itself when colour is off (`markers`): `!`, `!!`, or nothing. */
export function marker(tone: Tone, markers: boolean): string {
  return markers ? MARKERS[tone] : '';
}

/**
 * Most important first, so that a narrow terminal cuts only the least: the state (and the
 * retry countdown), the age of the newest tick, flapping, why the link is down, then
 * throughput, lag and invalid messages.
 */
export function statusText(s: MarketSnapshot, opts: StatusOptions = {}): StatusText {
  const now = s.publishedAt;
  const mark = (tone: Tone): string => marker(tone, opts.markers === true);
  const parts: StatusRun[] = [];
  if (s.lastMessageAt !== null) parts.push({ text: `last ${formatDuration(now - s.lastMessageAt)} ago`, tone: 'plain' });
  const flapping = flappingText(s.connection, now);
  if (flapping !== null) parts.push({ text: `${flapping}${mark('warn')}`, tone: 'warn' });
  if (s.connection.state === 'reconnecting' || s.connection.state === 'offline') parts.push({ text: s.connection.reason, tone: 'plain' });
  const tailFrom = parts.length;
  parts.push({ text: `${formatCount(s.msgPerSec)} msg/s`, tone: 'plain' });
  if (s.lagP99Ms !== null) {
    const tone = lagTone(s.lagP99Ms, opts.lagWarnMs ?? DEFAULT_LAG_WARN_MS);
    parts.push({ text: `lag p99 ${Math.round(s.lagP99Ms)}ms${mark(tone)}`, tone });
  }
  if (s.invalidCount > 0) parts.push({ text: `${formatCount(s.invalidCount)} invalid`, tone: 'plain' });
  const split = opts.split === true;
  const rest = joinRuns(split ? parts.slice(0, tailFrom) : parts);
  const tail = split ? joinRuns(parts.slice(tailFrom)) : [];
  return {
    tail,
    lead: s.shuttingDown ? `${SHUTTING_DOWN} · ` : '',
    // Up, but nothing for seconds (no tick, no pong): the prices on screen may be dead.
    connection: s.silent && s.connection.state === 'live' ? `silent${mark('warn')}` : describeConnection(s.connection, now),
    rest,
  };
}

/** Each part after a ` · `, adjacent plain runs merged. */
export function joinRuns(parts: readonly StatusRun[]): StatusRun[] {
  const runs: StatusRun[] = [];
  for (const part of parts) {
    for (const run of [{ text: ' · ', tone: 'plain' } as const, part]) {
      const last = runs.at(-1);
      if (last !== undefined && last.tone === 'plain' && run.tone === 'plain') last.text += run.text;
      else runs.push({ ...run });
    }
  }
  return runs;
}
