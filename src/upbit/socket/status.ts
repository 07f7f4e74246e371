/**
 * What an Upbit WebSocket client reports about its connection, in words the status bar can
 * show as they are. Shared by the quotation and the private stream.
 */

/**
 * When recent connections dropped soon after opening (lived less than the socket's
 * `stableAfterMs`): their drop times on the socket's clock, oldest first, within the last
 * {@link FLAP_WINDOW_MS}. Read against "now" when shown, so the count decays by itself.
 */
export interface Drops {
  drops?: readonly number[];
}

/** How far back drops count towards flapping. */
export const FLAP_WINDOW_MS = 60_000;
/** This many drops of short-lived connections inside the window is a flapping link. */
export const FLAPPING_MIN_DROPS = 3;

export type ConnectionStatus =
  /** Nothing is subscribed, so no connection is kept (see `UpbitSocket.setRequest`). */
  | ({ state: 'idle' } & Drops)
  | ({ state: 'connecting'; attempt: number } & Drops)
  | ({ state: 'live'; since: number } & Drops)
  /** `retryAt` is when the next attempt starts (socket clock): count down from it. */
  | ({ state: 'reconnecting'; attempt: number; retryInMs: number; retryAt: number; reason: string } & Drops)
  /**
   * Every attempt since the last live connection (at least 3) failed before opening, or the
   * server refused us for a reason a quick retry will not fix (e.g. the API key); still retrying.
   */
  | ({ state: 'offline'; reason: string; attempt: number; retryInMs: number; retryAt: number } & Drops);

/** The drops of `s` within {@link FLAP_WINDOW_MS} before `now`. */
export function recentDrops(s: ConnectionStatus, now: number): number {
  if (s.drops === undefined) return 0;
  let n = 0;
  for (const at of s.drops) if (now - at < FLAP_WINDOW_MS) n += 1;
  return n;
}

export interface SocketStats {
  /** Frames received. */
  messages: number;
  /** Messages that could not be used (see `onInvalid`). */
  invalid: number;
  /** Connections that opened. */
  connects: number;
  lastMessageAt: number | null;
  /** Payload bytes received. */
  bytes: number;
}

export function sameStatus(a: ConnectionStatus, b: ConnectionStatus): boolean {
  switch (a.state) {
    case 'idle':
      return b.state === 'idle' && sameDrops(a, b);
    case 'connecting':
      return b.state === 'connecting' && a.attempt === b.attempt && sameDrops(a, b);
    case 'live':
      return b.state === 'live' && a.since === b.since && sameDrops(a, b);
    case 'reconnecting':
      return b.state === 'reconnecting' && a.attempt === b.attempt && a.retryAt === b.retryAt && a.reason === b.reason && sameDrops(a, b);
    case 'offline':
      return b.state === 'offline' && a.attempt === b.attempt && a.retryAt === b.retryAt && a.reason === b.reason && sameDrops(a, b);
  }
}

function sameDrops(a: Drops, b: Drops): boolean {
  const x = a.drops ?? [];
  const y = b.drops ?? [];
  return x.length === y.length && x.at(-1) === y.at(-1);
}
