import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `GET /upbit-tui/identify?challenge=HEX`: the proof that this server is the exchange a
 * process published in its discovery file (see docs/embedded-exchange.md). The answer is
 * HMAC-SHA256(token, challenge), so the token itself never goes on the wire: a listener that
 * took over the port of a dead host cannot answer, and is never sent the account's keys.
 * Outside Upbit's API (no rate limit, no fault injection), only when a token is configured.
 */
export const IDENTIFY_PATH = '/upbit-tui/identify';

/** What the server answers for `challenge` with `token`; the client computes the same and compares. */
export function identityProof(token: string, challenge: string): string {
  return createHmac('sha256', token).update(challenge).digest('hex');
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** `handle`, with {@link IDENTIFY_PATH} answered first. */
export function withIdentity(token: string, handle: Handler): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (req.method !== 'GET' || url.pathname !== IDENTIFY_PATH) {
      handle(req, res);
      return;
    }
    const challenge = url.searchParams.get('challenge') ?? '';
    const ok = /^[0-9a-f]{32,128}$/.test(challenge);
    const body = JSON.stringify(ok ? { proof: identityProof(token, challenge) } : { error: 'challenge must be 32 to 128 lower-case hex digits' });
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };
}
