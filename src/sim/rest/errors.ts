import type { ServerResponse } from 'node:http';

import { sendJson } from '../http-router.js';

/**
 * `{"error":{"name":"…","message":"…"}}` with a string name, as exchange endpoints answer
 * (docs/upbit-protocol.md#rest-errors). REST validation throws the exchange's own `ExchangeError` (`validationError` in
 * exchange/errors.ts), so handlers answer their refusals and the engine's the same way.
 */
export function sendExchangeError(res: ServerResponse, status: number, name: string, message: string): void {
  sendJson(res, status, { error: { name, message } });
}
