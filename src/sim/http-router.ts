import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../runtime/logger.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Write a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Exact-path routing for the simulator's REST side (`/v1/...`). Anything unrouted gets the
 * quotation API's 404 body, whose `name` is the integer status (shared/upbit-api.md §3.6).
 */
export class HttpRouter {
  private readonly routes = new Map<string, RouteHandler>();

  constructor(private readonly logger: Logger) {}

  /** Register `handler` for `method path`; returns the release. */
  add(method: string, path: string, handler: RouteHandler): () => void {
    const key = `${method.toUpperCase()} ${path}`;
    if (this.routes.has(key)) throw new Error(`BUG: route ${key} registered twice`);
    this.routes.set(key, handler);
    return () => {
      this.routes.delete(key);
    };
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const handler = this.routes.get(`${req.method ?? 'GET'} ${url.pathname}`);
    if (handler === undefined) {
      sendJson(res, 404, { error: { name: 404, message: 'Code not found' } });
      return;
    }
    const fail = (err: unknown): void => {
      this.logger.error({ err, method: req.method, path: url.pathname }, 'BUG: simulator route failed');
      if (!res.headersSent) sendJson(res, 500, { error: { name: 500, message: 'Internal simulator error' } });
      else res.destroy();
    };
    try {
      const done = handler(req, res, url);
      if (done instanceof Promise) done.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
