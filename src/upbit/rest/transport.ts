/**
 * One HTTP exchange with Upbit over an undici `Pool`, and the one fact the order path needs
 * from a failure: **could any byte of the request have been written?**
 *
 * We dispatch with our own handler rather than `pool.request()` because the handler sees
 * `onRequestStart`, which undici calls (from `writeH1`, via the legacy `onConnect`) on a
 * connected socket immediately before it writes the request line. Until then the request
 * sits in the pool's queue while a connection is opened; if that fails (refused, DNS, connect
 * timeout, TLS) undici errors the *queued* requests, which never touched a socket.
 *
 * A failure is reported as "not sent" only when two independent witnesses agree:
 *   1. the handler never saw `onRequestStart` (nothing was handed to a socket), and
 *   2. the error code is one that only the connect phase produces:
 *      `UND_ERR_CONNECT_TIMEOUT`, `ECONNREFUSED`, `ENOTFOUND`/`EAI_AGAIN` (DNS),
 *      `EHOSTUNREACH`/`ENETUNREACH`, TLS certificate errors, or a pool already closed —
 *      or the caller's signal aborted it before dispatch.
 * Everything else is "may have been sent": `UND_ERR_HEADERS_TIMEOUT` (the request was
 * written, the answer is late), `UND_ERR_BODY_TIMEOUT` (even the status arrived),
 * `UND_ERR_SOCKET` ("other side closed", e.g. a keep-alive socket the server closed as we
 * wrote — nodejs/undici#3492; envoy#2715 explains why that is ambiguous), `ECONNRESET`,
 * `EPIPE`, or an unknown code. Being wrong in that direction costs one lookup by
 * identifier; being wrong in the other can double an order.
 *
 * Timeouts are undici's own (`connectTimeout`, `headersTimeout`, `bodyTimeout`), set
 * explicitly. undici checks the latter two on a coarse timer (about 0.5 s ticks), so they
 * fire up to about a second late — irrelevant at 5 s, visible in tests at 0.3 s.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path and query, e.g. `/v1/order?uuid=…` (the base URL's path prefix is added here). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Codes only the connect phase produces (see the module comment). */
const PRE_SEND_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

export type FailurePhase =
  /** The connection could not be opened. */
  | 'connect'
  /** The request went out (or may have) and no status line came back in time. */
  | 'headers-timeout'
  /** The status arrived, the body stalled. */
  | 'body-timeout'
  /** The connection broke after the request may have been written. */
  | 'connection-lost'
  /** The caller's signal aborted. */
  | 'aborted'
  /** The answer was larger than we accept. */
  | 'too-large'
  | 'other';

/** A request that got no complete answer. `sent` says whether it may have reached Upbit. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly phase: FailurePhase,
    /** False only when it provably never left (see the module comment). */
    readonly sent: boolean,
    /** undici's or the OS's error code. */
    readonly code: string | undefined,
    /** The HTTP status, when the headers arrived before the failure. */
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface TransportOptions {
  /** Time to open a connection (TCP + TLS). @default 3000 */
  connectTimeoutMs?: number;
  /** Time from writing a request to its status line and headers. @default 5000 */
  headersTimeoutMs?: number;
  /** Longest gap between two chunks of a response body. @default 5000 */
  bodyTimeoutMs?: number;
  /** Keep-alive connections to the origin. Orders are capped at 8/s, so a few suffice. @default 4 */
  connections?: number;
  /** Larger answers are refused (the largest, `/v1/market/all`, is a few hundred kB). @default 8 MiB */
  maxBodyBytes?: number;
}

export const DEFAULT_TIMEOUTS = { connectTimeoutMs: 3_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 } as const;

export class HttpTransport {
  readonly origin: string;
  readonly headersTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  private readonly prefix: string;
  private readonly pool: Pool;
  private closing: Promise<void> | undefined;
  private readonly maxBodyBytes: number;

  /** @param baseUrl e.g. `https://api.upbit.com`, or `http://127.0.0.1:PORT` for the simulator; a path prefix is kept. */
  constructor(baseUrl: string, options: TransportOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch (err) {
      throw new Error(`The Upbit API URL "${baseUrl}" is not a URL; pass one like https://api.upbit.com.`, { cause: err });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`The Upbit API URL "${baseUrl}" must start with https:// (or http:// for a local simulator).`);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs;
    this.headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.bodyTimeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    // Explicit timeouts: undici's defaults are 10 s to connect and 300 s for headers and
    // body — far too long for a trading client (docs/architecture.md#retries-and-timeouts).
    // pipelining 1: a POST is never queued behind another request on the same socket.
    this.pool = new Pool(this.origin, {
      connections: options.connections ?? 4,
      pipelining: 1,
      connectTimeout: this.connectTimeoutMs,
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
    });
  }

  /**
   * Send one request and read the whole answer. Resolves for any HTTP status; rejects with
   * a {@link TransportError} when no complete answer came, or with `signal.reason` when the
   * signal aborted before the request was handed to a socket.
   */
  send(request: HttpRequest): Promise<HttpResponse> {
    const { signal } = request;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise<HttpResponse>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let handedToSocket = false;
      let abortedBeforeSocket = false;
      let status: number | undefined;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;

      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => {
        if (controller !== undefined) {
          // Already on a socket: abort it; the error arrives through onResponseError.
          controller.abort(toError(signal?.reason));
          return;
        }
        // Still queued: answer now; when the pool gets to it, onRequestStart aborts it
        // before a byte is written (writeH1 checks `request.aborted` right after onConnect).
        abortedBeforeSocket = true;
        settle(() => reject(signal?.reason as Error));
      };

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (c) => {
          if (abortedBeforeSocket || settled) {
            c.abort(toError(signal?.reason ?? new Error('request no longer wanted')));
            return;
          }
          controller = c;
          handedToSocket = true;
        },
        onResponseStart: (c, statusCode, responseHeaders) => {
          if (statusCode < 200) return; // 1xx informational; the real answer follows
          status = statusCode;
          headers = responseHeaders;
          controller ??= c;
        },
        onResponseData: (c, chunk) => {
          size += chunk.length;
          if (size > this.maxBodyBytes) {
            c.abort(new TransportError(`the answer exceeded ${this.maxBodyBytes} bytes`, 'too-large', true, undefined, status));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          settle(() => resolve({ status: status ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
        onResponseError: (_c, err) => {
          settle(() => reject(this.classify(err, handedToSocket, status, signal)));
        },
      };

      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.pool.dispatch(
          {
            method: request.method,
            path: `${this.prefix}${request.path}`,
            headers: request.headers,
            body: request.body ?? null,
            // Only reads may be replayed by undici on a broken pipeline; never a POST.
            idempotent: request.method === 'GET',
            blocking: true,
          },
          handler,
        );
      } catch (err) {
        settle(() => reject(this.classify(err, false, undefined, signal)));
      }
    });
  }

  /** Close the pool: in-flight requests finish, idle sockets close. */
  /** Close the pool once; later calls get the same promise (the venue and its owner may both close it). */
  close(): Promise<void> {
    this.closing ??= this.pool.close();
    return this.closing;
  }

  private classify(err: unknown, handedToSocket: boolean, status: number | undefined, signal: AbortSignal | undefined): TransportError {
    if (err instanceof TransportError) return err;
    const code = errorCode(err);
    const cause = { cause: err };
    if (signal?.aborted === true && (err === signal.reason || code === 'UND_ERR_ABORTED' || code === 'UND_ERR_ABORT')) {
      return new TransportError('the request was aborted', 'aborted', handedToSocket, code, status, cause);
    }
    const preSend = !handedToSocket && code !== undefined && PRE_SEND_CODES.has(code);
    if (preSend) return new TransportError(connectWords(code, this.origin, this.connectTimeoutMs), 'connect', false, code, status, cause);
    switch (code) {
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new TransportError(`no answer within ${this.headersTimeoutMs} ms`, 'headers-timeout', true, code, status, cause);
      case 'UND_ERR_BODY_TIMEOUT':
        return new TransportError(`the answer stalled for ${this.bodyTimeoutMs} ms`, 'body-timeout', true, code, status, cause);
      case 'UND_ERR_SOCKET':
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
        return new TransportError('the connection was lost before the answer arrived', 'connection-lost', true, code, status, cause);
      default:
        return new TransportError(`the request failed (${code ?? describe(err)})`, 'other', true, code, status, cause);
    }
  }
}

function connectWords(code: string, origin: string, connectTimeoutMs: number): string {
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `could not connect to ${origin} within ${connectTimeoutMs} ms`;
    case 'ECONNREFUSED':
      return `${origin} refused the connection`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return `could not resolve ${new URL(origin).hostname} (DNS)`;
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return 'the client is closed';
    default:
      return `could not connect to ${origin} (${code})`;
  }
}

/**
 * The error code, looking into an `AggregateError` (Node's happy-eyeballs connect reports
 * one error per address): the shared code when all agree, otherwise none.
 */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) {
    const codes = new Set(inner.map((e: unknown) => errorCode(e)));
    const [only] = codes;
    return codes.size === 1 ? only : undefined;
  }
  return undefined;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
