/**
 * What an Upbit WebSocket client reports about its connection, in words the status bar can
 * show as they are. Shared by the quotation and the private stream.
 */

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'live'; since: number }
  | { state: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  /**
   * Every attempt since the last live connection (at least 3) failed before opening, or the
   * server refused us for a reason a quick retry will not fix (e.g. the API key); still retrying.
   */
  | { state: 'offline'; reason: string; attempt: number; retryInMs: number };

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
    case 'connecting':
      return b.state === 'connecting' && a.attempt === b.attempt;
    case 'live':
      return b.state === 'live' && a.since === b.since;
    case 'reconnecting':
      return b.state === 'reconnecting' && a.attempt === b.attempt && a.retryInMs === b.retryInMs && a.reason === b.reason;
    case 'offline':
      return b.state === 'offline' && a.attempt === b.attempt && a.retryInMs === b.retryInMs && a.reason === b.reason;
  }
}
