import type { Middleware, RouteContext } from '../http-router.js';
import { ExchangeError } from '../../exchange/types.js';
import { sendExchangeError } from '../rest/errors.js';
import { readParams } from '../rest/params.js';
import type { JwtVerifier } from './jwt.js';

/** `ctx.locals` key of the authenticated access key (a string once the JWT checked out). */
export const ACCESS_KEY_LOCAL = 'accessKey';
const FAILURE_LOCAL = 'authFailure';

interface Failure {
  status: number;
  name: string;
  message: string;
}

/** The access key a request was authenticated as; throws if the auth middleware did not pass it. */
export function accessKeyOf(ctx: RouteContext): string {
  const key = ctx.locals[ACCESS_KEY_LOCAL];
  if (typeof key !== 'string') throw new Error(`BUG: ${ctx.route.method} ${ctx.route.path} ran without an authenticated access key`);
  return key;
}

/**
 * JWT authentication of exchange routes as two middlewares, so the rate limiter can sit
 * between them: `authenticate` reads the parameters and verifies the token, noting the
 * access key (or the failure) in `ctx.locals` without answering; the limiter then counts the
 * request against the account, or against the IP when auth failed (Upbit's 401s carry a
 * `Remaining-Req` header too); `requireAuth` finally answers a failure.
 * Quotation routes pass through both untouched.
 */
export function createAuthMiddleware(verifier: JwtVerifier): { authenticate: Middleware; requireAuth: Middleware } {
  const authenticate: Middleware = async (ctx, next) => {
    if (!ctx.route.exchange) return next();
    try {
      const params = await readParams(ctx);
      const outcome = verifier.verify(ctx.req.headers.authorization, params);
      if (outcome.ok) ctx.locals[ACCESS_KEY_LOCAL] = outcome.accessKey;
      else ctx.locals[FAILURE_LOCAL] = { status: outcome.status, name: outcome.name, message: outcome.message } satisfies Failure;
    } catch (err) {
      if (!(err instanceof ExchangeError)) throw err;
      ctx.locals[FAILURE_LOCAL] = { status: err.status, name: err.upbitName, message: err.message } satisfies Failure;
    }
    return next();
  };

  const requireAuth: Middleware = async (ctx, next) => {
    if (!ctx.route.exchange) return next();
    const failure = ctx.locals[FAILURE_LOCAL] as Failure | undefined;
    if (failure !== undefined) {
      sendExchangeError(ctx.res, failure.status, failure.name, failure.message);
      return;
    }
    accessKeyOf(ctx);
    return next();
  };

  return { authenticate, requireAuth };
}
