import type { ServerResponse } from 'node:http';

import type { Logger } from '../runtime/logger.js';
import type { HttpFaultOnce, SimFaults } from './faults.js';
import { HTTP_RATE_ORDER } from './faults.js';
import type { Middleware, RateGroup, RouteContext } from './http-router.js';
import { sendJson } from './http-router.js';
import type { Rng } from './random.js';
import { REMAINING_REQ_MIN } from './rate-limit.js';

export interface HttpFaultOptions {
  /** Live settings, read on every request. */
  faults: SimFaults;
  /** Source of the draws for the rates (seeded by the server's `faultSeed`). */
  rng: Rng;
  logger: Logger;
}

/**
 * The router middleware that plays the HTTP faults of `faults`. Install it first, so that a
 * dropped or refused request never reaches rate limits, auth or the handler, and a
 * `dropAfter` wraps all of them.
 */
export function httpFaultMiddleware(options: HttpFaultOptions): Middleware {
  const { faults, rng } = options;
  const logger = options.logger.child({ component: 'sim-http-faults' });
  return async (ctx, next) => {
    const fault = takeFault(faults, rng, ctx);
    const latency = faults.httpLatencyMs + (fault?.kind === 'latency' ? (fault.latencyMs ?? 0) : 0);
    if (latency > 0 && !(await waitUnlessClosed(ctx, latency))) return;
    if (fault === undefined || fault.kind === 'latency') return next();

    const { req, res, route } = ctx;
    logger.info({ fault: fault.kind, method: req.method, path: ctx.url.pathname }, 'injecting an HTTP fault');
    switch (fault.kind) {
      case 'dropBefore':
        req.socket.destroy();
        return;
      case 'reset':
        resetSocket(ctx);
        return;
      case 'status5xx': {
        const status = fault.status ?? faults.status5xx;
        sendJson(res, status, { error: { name: route.exchange ? SERVER_ERROR_NAMES[status] : status, message: SERVER_ERROR_MESSAGES[status] } });
        return;
      }
      case 'status429':
      case 'status418':
        sendRateLimited(res, fault.kind === 'status429' ? 429 : 418, route.group, route.exchange);
        return;
      case 'dropAfter':
        return processThenDrop(ctx, next);
      case 'holdAfter':
        return processThenHold(ctx, next, fault.latencyMs ?? 0);
    }
  };
}

/** The fault for this request: the first matching one-shot, else one draw against the rates. */
function takeFault(faults: SimFaults, rng: Rng, ctx: RouteContext): HttpFaultOnce | undefined {
  // One draw per request, used or not, so request n's fate depends only on the seed.
  const u = rng.uniform();
  const i = faults.nextHttp.findIndex((f) => matches(f, ctx));
  if (i >= 0) return faults.nextHttp.splice(i, 1)[0];
  let edge = 0;
  for (const [field, kind] of HTTP_RATE_ORDER) {
    edge += faults[field];
    if (u < edge) return { kind };
  }
  return undefined;
}

function matches(fault: HttpFaultOnce, ctx: RouteContext): boolean {
  const { method, path } = fault.match ?? {};
  if (method !== undefined && method.toUpperCase() !== ctx.route.method) return false;
  if (path === undefined) return true;
  const wanted = path.replace(/\/+$/, '');
  return wanted === ctx.url.pathname.replace(/\/+$/, '') || wanted === ctx.route.path;
}

/** Sleep `ms`; false if the client went away meanwhile (then there is nothing left to do). */
function waitUnlessClosed(ctx: RouteContext, ms: number): Promise<boolean> {
  const socket = ctx.req.socket;
  if (socket.destroyed) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      socket.off('close', onClose);
      resolve(!socket.destroyed);
    }, ms);
    socket.once('close', onClose);
  });
}

function resetSocket(ctx: RouteContext): void {
  const socket = ctx.req.socket;
  try {
    // An RST rather than a FIN: the client's read fails with ECONNRESET.
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * Run the rest of the chain against a response whose output goes nowhere, then close the
 * connection: the server-side effects happen (an order is placed), the client never hears.
 */
async function processThenDrop(ctx: RouteContext, next: () => Promise<void>): Promise<void> {
  const { res, req } = ctx;
  const drop = (): void => {
    if (!req.socket.destroyed) req.socket.destroy();
  };
  // Swallow everything the handler writes; the moment it finishes its answer, drop instead.
  Object.assign(res, {
    writeHead: () => res,
    flushHeaders: () => undefined,
    write: (..._args: unknown[]) => true,
    end: (..._args: unknown[]) => {
      drop();
      return res;
    },
  });
  try {
    await next();
  } finally {
    drop();
  }
}

/** Process the request, keep what the handler answers, and send it `ms` later (unless the client has gone). */
async function processThenHold(ctx: RouteContext, next: () => Promise<void>, ms: number): Promise<void> {
  const { res } = ctx;
  const calls: Array<{ fn: 'writeHead' | 'write' | 'end'; args: unknown[] }> = [];
  const original = { writeHead: res.writeHead.bind(res), write: res.write.bind(res), end: res.end.bind(res) };
  Object.assign(res, {
    writeHead: (...args: unknown[]) => (calls.push({ fn: 'writeHead', args }), res),
    flushHeaders: () => undefined,
    write: (...args: unknown[]) => (calls.push({ fn: 'write', args }), true),
    end: (...args: unknown[]) => (calls.push({ fn: 'end', args }), res),
  });
  await next();
  if (!(await waitUnlessClosed(ctx, ms))) return;
  Object.assign(res, original);
  for (const c of calls) (original[c.fn] as (...a: unknown[]) => unknown)(...c.args);
}

const SERVER_ERROR_NAMES: Readonly<Record<number, string>> = { 500: 'server_error', 502: 'bad_gateway', 503: 'service_unavailable' };
const SERVER_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  500: 'Internal server error (simulated fault).',
  502: 'Bad gateway (simulated fault).',
  503: 'Service temporarily unavailable (simulated fault).',
};

/** How long a forced 418 says the block lasts. */
const FORCED_BLOCK_SECONDS = 10;

/** The rate limiter's answers (same header, same bodies), without counting anything. */
function sendRateLimited(res: ServerResponse, status: 429 | 418, group: RateGroup, exchange: boolean): void {
  res.setHeader('Remaining-Req', `group=${group}; min=${REMAINING_REQ_MIN[group]}; sec=0`);
  const message =
    status === 429 ? 'Too many API requests.' : `Too many API requests after repeated 429 responses: blocked for ${FORCED_BLOCK_SECONDS} seconds. Retry after that.`;
  sendJson(res, status, { error: { name: exchange ? 'too_many_requests' : status, message } });
}
