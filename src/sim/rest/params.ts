import type { IncomingMessage } from 'node:http';

import type { ParamEntry } from '../auth/query-hash.js';
import { jsonBodyEntries, parseQueryEntries } from '../auth/query-hash.js';
import type { RouteContext } from '../http-router.js';
import { ExchangeError } from '../../exchange/types.js';
import { validationError } from '../../exchange/errors.js';

/**
 * The parameters of an exchange request, read once per request and shared by the JWT check
 * and the handler (docs/upbit-protocol.md#rest-requests): the query string, and a body — JSON for POST
 * (form bodies have been refused since 2022-03-01), JSON or form for GET/DELETE because
 * pyupbit sends its GET parameters as a form body and its DELETE ones as JSON.
 */
export interface RequestParams {
  /** Decoded parameters in received order, query string first; array members keep `k[]`. */
  entries: ParamEntry[];
  /** Raw query string and form-body texts, as the client may have hashed them. */
  rawTexts: string[];
  /** The JSON body object, key order kept (values untyped, as the client sent them). */
  json: Record<string, unknown> | undefined;
  /** True when any parameter came from the body. */
  fromBody: boolean;
}

/** Request bodies are a few hundred bytes; this bounds what a client can make us buffer. */
const MAX_BODY_BYTES = 64 * 1024;
const PARAMS_LOCAL = 'params';

/**
 * The request's parameters, parsed on first use and cached in `ctx.locals`. Throws a
 * `ExchangeError` (400/413) for a body or query the exchange would refuse.
 */
export async function readParams(ctx: RouteContext): Promise<RequestParams> {
  const cached = ctx.locals[PARAMS_LOCAL] as Promise<RequestParams> | undefined;
  if (cached !== undefined) return cached;
  const parsed = parseParams(ctx);
  // Cache the promise so concurrent readers share one read; a rejection is re-thrown to each.
  ctx.locals[PARAMS_LOCAL] = parsed;
  return parsed;
}

async function parseParams(ctx: RouteContext): Promise<RequestParams> {
  const method = ctx.route.method;
  const rawQuery = ctx.url.search.startsWith('?') ? ctx.url.search.slice(1) : '';
  const queryEntries = parseQueryEntries(rawQuery);
  if (queryEntries === undefined) throw validationError('The query string has a malformed percent-escape; encode parameter values with encodeURIComponent.');
  const params: RequestParams = { entries: queryEntries, rawTexts: rawQuery === '' ? [] : [rawQuery], json: undefined, fromBody: false };

  const body = await readBody(ctx.req);
  if (body.trim() === '') return params;
  const contentType = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const isForm = contentType === 'application/x-www-form-urlencoded';
  if (method === 'POST' && isForm) {
    throw validationError('Form-encoded bodies are not supported (since 2022-03-01): send the parameters as JSON with "Content-Type: application/json; charset=utf-8".');
  }
  if (isForm || (contentType !== 'application/json' && contentType !== '' && !contentType.endsWith('+json'))) {
    if (method === 'POST') throw validationError(`Unsupported Content-Type "${contentType}": send a JSON body with "Content-Type: application/json; charset=utf-8".`);
    const formEntries = isForm ? parseQueryEntries(body) : undefined;
    if (formEntries === undefined) throw validationError(`Unsupported request body (Content-Type "${contentType}"): put the parameters in the query string.`);
    params.entries.push(...formEntries);
    params.rawTexts.push(body);
    params.fromBody = formEntries.length > 0;
    return params;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validationError('The request body must be a JSON object of parameters.');
  const json = value as Record<string, unknown>;
  params.json = json;
  params.entries.push(...jsonBodyEntries(json));
  params.fromBody = Object.keys(json).length > 0;
  return params;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ExchangeError(413, 'validation_error', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Typed access to a request's parameters for the handlers. */
export class Params {
  constructor(readonly request: RequestParams) {}

  /** The first scalar value of `name` (query, form or JSON), or undefined. */
  get(name: string): string | undefined {
    return this.request.entries.find(([k]) => k === name)?.[1];
  }

  /** Values sent as `name[]=…` (repeated), or as a JSON array under `name`. */
  all(name: string): string[] | undefined {
    const key = `${name}[]`;
    const values = this.request.entries.filter(([k]) => k === key).map(([, v]) => v);
    return values.length > 0 ? values : undefined;
  }

  has(name: string): boolean {
    return this.request.entries.some(([k]) => k === name || k === `${name}[]`);
  }

  /** The parameters as an object for the exchange (`POST` bodies): the JSON body if any, else the entries. */
  object(): Record<string, unknown> {
    if (this.request.json !== undefined) return this.request.json;
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.request.entries) {
      if (k.endsWith('[]')) {
        const key = k.slice(0, -2);
        const list = out[key];
        if (Array.isArray(list)) list.push(v);
        else out[key] = [v];
      } else if (!(k in out)) {
        out[k] = v;
      }
    }
    return out;
  }
}
