import { randomBytes } from 'node:crypto';

/** Every identifier we generate starts with this, so our orders are recognisable on the account. */
export const IDENTIFIER_PREFIX = 'ut-';

/** Upbit does not publish a limit; we stay well under what clients commonly use. */
export const MAX_IDENTIFIER_LENGTH = 40;

/**
 * A fresh client order `identifier`: `ut-<ms since epoch, base 36>-<64 random bits, hex>`,
 * e.g. `ut-mfr1x2k3-9f86d081884c7d65` (28 characters).
 *
 * Upbit burns an identifier on first use, even when the order is rejected, and never replays
 * the original order for a repeated one (docs/upbit-protocol.md#order-identifier), so every attempt needs a new one
 * that no earlier run can have used. The timestamp keeps them apart across restarts (and
 * sorts them by age); the random part keeps two processes apart within one millisecond, and
 * keeps a clock set back from repeating an old value. The journal's UNIQUE column is the last
 * guard. Only `[0-9a-z-]`, so it needs no escaping in a query string or a JWT query hash.
 */
export function newIdentifier(now: number = Date.now()): string {
  return `${IDENTIFIER_PREFIX}${Math.max(0, Math.trunc(now)).toString(36)}-${randomBytes(8).toString('hex')}`;
}
