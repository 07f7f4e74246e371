import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../runtime/logger.js';

import type { RateGroup } from '../upbit/rate-groups.js';

export type { RateGroup };

export interface RouteInfo {
  method: string;
  /** The registered pattern, e.g. `/v1/candles/minutes/{unit}`. */
  path: string;
  group: RateGroup;
  /** Exchange (JWT) endpoint rather than quotation. Decides error-name style (string vs integer). */
  exchange: boolean;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Values of `{name}` segments of the pattern. */
  params: Record<string, string>;
  route: RouteInfo;
  /** Scratch space for middleware (e.g. the authenticated access key). */
  locals: Record<string, unknown>;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;
/** Runs around every routed request, outermost first (faults, then rate limits, then auth…). */
export type Middleware = (ctx: RouteContext, next: () => Promise<void>) => Promise<void>;

/** Write a JSON body with the given status (plus any headers set earlier on `res`). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface Route {
  info: RouteInfo;
  segments: string[];
  handler: RouteHandler;
}

/**
 * Routing for the simulator's REST side (`/v1/...`): exact segments or `{param}` segments,
 * one rate-limit group per route, and a middleware chain. Anything unrouted gets the
 * quotation API's 404 body, whose `name` is the integer status (docs/upbit-protocol.md#rest-errors).
 */
export class HttpRouter {
  private readonly routes: Route[] = [];
  private readonly middleware: Middleware[] = [];

  constructor(private readonly logger: Logger) {}

  /** Register `handler` for `method path`; returns the release. */
  add(method: string, path: string, opts: { group: RateGroup; exchange?: boolean }, handler: RouteHandler): () => void {
    const info: RouteInfo = { method: method.toUpperCase(), path, group: opts.group, exchange: opts.exchange ?? false };
    if (this.routes.some((r) => r.info.method === info.method && r.info.path === path)) {
      throw new Error(`BUG: route ${info.method} ${path} registered twice`);
    }
    const route: Route = { info, segments: path.split('/'), handler };
    this.routes.push(route);
    return () => {
      const i = this.routes.indexOf(route);
      if (i >= 0) this.routes.splice(i, 1);
    };
  }

  /** Add a middleware (later ones run inside earlier ones); returns the release. */
  use(mw: Middleware): () => void {
    this.middleware.push(mw);
    return () => {
      const i = this.middleware.indexOf(mw);
      if (i >= 0) this.middleware.splice(i, 1);
    };
  }

  private match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = pathname.replace(/\/+$/, '').split('/');
    for (const route of this.routes) {
      if (route.info.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i] ?? '';
        const part = parts[i] ?? '';
        if (seg.startsWith('{') && seg.endsWith('}')) params[seg.slice(1, -1)] = decodeURIComponent(part);
        else ok = seg === part;
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const found = this.match(req.method ?? 'GET', url.pathname);
    if (found === undefined) {
      sendJson(res, 404, { error: { name: 404, message: 'Code not found' } });
      return;
    }
    const ctx: RouteContext = { req, res, url, params: found.params, route: found.route.info, locals: {} };
    const chain = [...this.middleware];
    const run = async (i: number): Promise<void> => {
      const mw = chain[i];
      if (mw === undefined) return found.route.handler(ctx);
      return mw(ctx, () => run(i + 1));
    };
    run(0).catch((err: unknown) => {
      this.logger.error({ err, method: req.method, path: url.pathname }, 'BUG: simulator route failed');
      if (!res.headersSent) sendJson(res, 500, { error: { name: found.route.info.exchange ? 'server_error' : 500, message: 'Internal simulator error' } });
      else res.destroy();
    });
  };
}
