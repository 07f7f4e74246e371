import type { ConnectionStatus } from '../upbit/quotation-client.js';

export interface NoticeContext {
  /** `host:port` of the quotation WebSocket. */
  host: string;
  /** The built-in exchange is in use (`--sim`): there is nothing else to suggest. */
  sim: boolean;
  /** The user picked the WebSocket (`--ws-url`): a test server, a proxy, a simulator they run. */
  wsUrlChosen: boolean;
}

/**
 * The line under the status bar while the quotation stream is offline: the `--sim` hint is for
 * a user who tried Upbit itself and cannot reach it, not for one who chose the server.
 */
export function connectionNotice(s: ConnectionStatus, ctx: NoticeContext): string | null {
  if (s.state !== 'offline' || ctx.sim || ctx.wsUrlChosen) return null;
  return `Cannot reach ${ctx.host}: ${s.reason}. Still retrying; run with --sim to use the built-in exchange.`;
}
