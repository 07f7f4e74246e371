/**
 * The adapter from today's composition (a {@link TradingContext}: mode, venue, journal, order
 * service) to the trading session, so a front end builds the session from the parts it
 * already opened. The caller spawns `tasks` and acquires `releases` under its kernel.
 */
import { createTradingSession, type BuiltSession, type TradingSessionParts } from '../trading/session/index.js';
import type { TradingContext } from './trading-context.js';

export function sessionOf(ctx: Pick<TradingContext, 'mode' | 'venue' | 'journal' | 'service'>, options: Omit<TradingSessionParts, 'mode' | 'venue' | 'journal' | 'service'> = {}): BuiltSession {
  return createTradingSession({ ...options, mode: ctx.mode.kind, venue: ctx.venue, journal: ctx.journal, service: ctx.service });
}
