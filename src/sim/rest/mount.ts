import type { WebSocketServer } from 'ws';

import type { Logger } from '../../runtime/logger.js';
import { JwtVerifier } from '../auth/jwt.js';
import { createAuthMiddleware } from '../auth/middleware.js';
import { dec } from '../../exchange/decimal.js';
import { Exchange, type ExchangeOptions } from '../../exchange/engine.js';
import type { MarketView } from '../../exchange/types.js';
import type { SimFaults } from '../faults.js';
import type { HttpRouter } from '../http-router.js';
import type { PrivateAuthFailure, PrivateHub } from '../private-ws.js';
import { createPrivateHub } from '../private-ws.js';
import type { RateLimitOptions } from '../rate-limit.js';
import { RateLimiter } from '../rate-limit.js';
import { registerExchangeRoutes } from './exchange-routes.js';

/** An exchange account opened from an API key pair. */
export interface SimAccount {
  accessKey: string;
  secretKey: string;
  /** KRW to start with, a decimal string. @default '10000000' */
  krw?: string;
}

export const DEFAULT_ACCOUNT_KRW = '10000000';

export interface ExchangeSideOptions {
  router: HttpRouter;
  wss: WebSocketServer;
  market: MarketView;
  /** The market's trades (after the book moved): resting orders they trade through fill. */
  trades: { onTrade(listener: (trade: { code: string; price: number; volume: number; timestamp: number }) => void): () => void };
  faults: SimFaults;
  logger: Logger;
  /** Market clock (ms since epoch) for order times and the closed-orders window. */
  now: () => number;
  idleTimeoutMs: number;
  accounts: readonly SimAccount[];
  rateLimits: RateLimitOptions | undefined;
  privateAuthFailure: PrivateAuthFailure;
  /** `exchange.snapshot()` output to restore (e.g. read from a state file); accounts it already has are kept as they are. */
  restore?: unknown;
  /** Saves the exchange's state before any answer or event tells of a change (see `ExchangeOptions.persist`). */
  persist?: ExchangeOptions['persist'];
}

export interface ExchangeSide {
  exchange: Exchange;
  limiter: RateLimiter;
  privateHub: PrivateHub;
  /** Release routes, middleware, sockets and the exchange's timers, in reverse order. */
  close(): void;
}

/**
 * The exchange half of the simulator on the shared router and WebSocket server: accounts,
 * JWT auth and rate-limit middleware, the exchange REST routes and the private WebSocket.
 * Middleware order: `authenticate` (notes the access key) → rate limit (per account, or per
 * IP when auth failed; quotation routes per IP) → `requireAuth` (answers auth failures).
 */
export function mountExchange(options: ExchangeSideOptions): ExchangeSide {
  const { router, logger } = options;
  const exchangeOptions: ExchangeOptions = { market: options.market, now: options.now, persist: options.persist };
  const exchange = options.restore === undefined ? new Exchange(exchangeOptions) : Exchange.fromSnapshot(options.restore, exchangeOptions);
  // With `persist`, a new account is saved before the server can answer anything about it.
  try {
    for (const account of options.accounts) {
      if (!exchange.hasAccount(account.accessKey)) exchange.createAccount(account.accessKey, account.secretKey, account.krw ?? DEFAULT_ACCOUNT_KRW);
    }
  } catch (error) {
    exchange.close();
    throw error;
  }
  const limiter = new RateLimiter(options.rateLimits);
  const verifier = new JwtVerifier({ secretOf: (accessKey) => exchange.secretOf(accessKey) });
  const auth = createAuthMiddleware(verifier);
  const releases = [
    options.trades.onTrade((t) => exchange.onMarketTrade(t.code, dec(t.price), dec(t.volume), t.timestamp)),
    router.use(auth.authenticate),
    router.use(limiter.middleware),
    router.use(auth.requireAuth),
    registerExchangeRoutes(router, { exchange, now: options.now }),
  ];
  const privateHub = createPrivateHub({
    events: exchange,
    verifier,
    limiter,
    wss: options.wss,
    faults: options.faults,
    logger,
    idleTimeoutMs: options.idleTimeoutMs,
    authFailure: options.privateAuthFailure,
  });
  return {
    exchange,
    limiter,
    privateHub,
    close() {
      privateHub.close();
      for (const release of releases.reverse()) release();
      exchange.close();
    },
  };
}
