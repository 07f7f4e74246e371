/**
 * Socket and handshake failures in words for the status bar ("connection refused by
 * api.upbit.com"), never a stack or an error code alone.
 */

export function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function errorCode(err: Error): string | undefined {
  if ('code' in err && typeof err.code === 'string') return err.code;
  // Node 20's happy-eyeballs connect reports every address it tried in an AggregateError.
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      if (inner instanceof Error) {
        const code = errorCode(inner);
        if (code !== undefined) return code;
      }
    }
  }
  return undefined;
}

const TLS_CODE_PREFIXES = ['ERR_TLS_', 'ERR_SSL_', 'CERT_', 'UNABLE_TO_', 'DEPTH_ZERO_', 'SELF_SIGNED_'];

export interface SocketErrorContext {
  /** `host:port` as in the URL. */
  host: string;
  hostname: string;
  connectTimeoutMs: number;
  maxPayloadBytes: number;
}

/** A socket or handshake error in words. */
export function describeSocketError(err: Error, ctx: SocketErrorContext): string {
  const { host, hostname, connectTimeoutMs } = ctx;
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${hostname} (no network?)`;
    case 'ETIMEDOUT':
      return `${host} did not answer within ${formatSeconds(connectTimeoutMs)}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection dropped';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `cannot reach ${host} (${code}; no network?)`;
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return `${host} sent a message over ${ctx.maxPayloadBytes / (1024 * 1024)} MB`;
    case undefined:
      break;
    default:
      if (TLS_CODE_PREFIXES.some((p) => code.startsWith(p))) return `secure connection to ${host} failed (${code})`;
      if (code.startsWith('WS_ERR_')) return `${host} broke the WebSocket protocol (${code})`;
  }
  if (err.message === 'Opening handshake has timed out') return `${host} did not answer within ${formatSeconds(connectTimeoutMs)}`;
  const status = /^Unexpected server response: (\d+)$/.exec(err.message);
  if (status?.[1] !== undefined) return describeHttpStatus(Number(status[1]), host);
  return `cannot connect to ${host} (${code ?? err.message})`;
}

export function describeHttpStatus(status: number, host: string): string {
  if (status === 429) return `rate limited by ${host}`;
  if (status === 418) return `${host} has temporarily blocked this IP (HTTP 418)`;
  return `${host} refused the WebSocket upgrade (HTTP ${status})`;
}

export function describeClose(code: number, reason: Buffer, host: string): string {
  if (code === 1006) return 'connection dropped';
  const text = reason.length > 0 ? `: ${reason.toString('utf8').slice(0, 80)}` : '';
  return `${host} closed the connection (code ${code}${text})`;
}
