/**
 * One endpoint call, start to finish: wait for rate budget, sign, send, feed the answer's
 * `Remaining-Req` back to the limiter, map failures to errors by who must act, and retry
 * what is safe to retry.
 *
 * Retry rules (docs/architecture.md#retries-and-timeouts, docs/upbit-protocol.md#order-identifier):
 * - GET and DELETE (reads and cancels) are retried a bounded number of times, with full
 *   jitter, on connection errors, timeouts, 5xx and 429. Cancelling twice cannot do harm.
 * - POST is **never** retried here. For an order (`/v1/orders`, `cancel_and_new`), anything
 *   after the request may have been written surfaces as {@link OrderOutcomeUnknownError}
 *   (carrying the identifier) for the order service to resolve with
 *   `GET /v1/order?identifier=…`; a connection that provably never carried the request is
 *   {@link OrderNotSentError}.
 * - A 418 halts the group; calls fail fast until the block ends. Never retried.
 */
import { fullJitterDelay } from '../../runtime/backoff.js';
import type { Logger } from '../../runtime/logger.js';
import type { ApiKeys } from '../credentials.js';
import { authorizationHeader, encodeQuery, type JwtAlgorithm, type ParamEntry } from './auth.js';
import { endpointName, type Endpoint } from './endpoints.js';
import {
  attemptsNote,
  BugError,
  changedNote,
  ConnectionError,
  CredentialsError,
  mapHttpError,
  OrderNotSentError,
  OrderOutcomeUnknownError,
  parseErrorBody,
  RateLimitError,
  type UpbitError,
} from './errors.js';
import { WireShapeError } from './parse.js';
import type { RateLimiter } from './rate-limiter.js';
import { TransportError, type HttpResponse, type HttpTransport } from './transport.js';

/** Per-call options every client method takes. */
export interface CallOptions {
  /** Abort the call. Before the request leaves, it rejects with `signal.reason`; an order already sent becomes an {@link OrderOutcomeUnknownError}. */
  signal?: AbortSignal;
}

export interface RetryPolicy {
  /** Sends in all, first included, for GET and DELETE. @default 3 */
  attempts: number;
  /** Full-jitter backoff: the n-th retry waits random() × min(capMs, baseMs × 2^n). @default 200 */
  baseMs: number;
  /** @default 2000 */
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseMs: 200, capMs: 2_000 };

export interface CallerDeps {
  transport: HttpTransport;
  limiter: RateLimiter;
  keys: ApiKeys | undefined;
  jwtAlgorithm: JwtAlgorithm;
  retry: RetryPolicy;
  logger: Logger;
  random: () => number;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What one call sends: query entries (GET/DELETE) or a JSON body (POST), in wire order. */
export type CallInput = { query: ParamEntry[] } | { body: Record<string, string> };

export interface CallSpec<T> {
  endpoint: Endpoint;
  input: CallInput;
  parse: (value: unknown) => T;
  /** The identifier of the order a POST creates, for the errors that must carry it. */
  orderIdentifier?: string;
  options?: CallOptions;
}

export class RestCaller {
  constructor(private readonly deps: CallerDeps) {}

  get hasKeys(): boolean {
    return this.deps.keys !== undefined;
  }

  async call<T>(spec: CallSpec<T>): Promise<T> {
    const { endpoint } = spec;
    const signal = spec.options?.signal;
    const retries = endpoint.method !== 'POST';
    const attempts = retries ? Math.max(1, Math.floor(this.deps.retry.attempts)) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(spec, attempt);
      } catch (err) {
        if (attempt >= attempts || !retryable(err) || signal?.aborted === true) throw err;
        const delayMs = fullJitterDelay(attempt - 1, this.deps.retry, this.deps.random);
        this.deps.logger.warn(
          { endpoint: endpointName(endpoint), attempt, delayMs: Math.round(delayMs), error: (err as UpbitError).message },
          `${endpointName(endpoint)} failed; retrying`,
        );
        await this.deps.sleep(delayMs, signal);
      }
    }
  }

  private async once<T>(spec: CallSpec<T>, attempt: number): Promise<T> {
    const { endpoint, options } = spec;
    const signal = options?.signal;
    const name = endpointName(endpoint);
    const keys = endpoint.exchange ? this.requireKeys(name) : undefined;

    // Built (and signed) before waiting for budget, so nothing can throw between taking a
    // slot and sending. The JWT has no time claim; its nonce is unused until it is sent.
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'upbit-tui' };
    let path = endpoint.path;
    let body: string | undefined;
    if ('query' in spec.input) {
      if (spec.input.query.length > 0) path = `${path}?${encodeQuery(spec.input.query)}`;
      if (keys !== undefined) headers['authorization'] = authorizationHeader(keys, spec.input.query, this.deps.jwtAlgorithm);
    } else {
      body = JSON.stringify(spec.input.body);
      headers['content-type'] = 'application/json; charset=utf-8';
      if (keys !== undefined) headers['authorization'] = authorizationHeader(keys, spec.input.body, this.deps.jwtAlgorithm);
    }

    // Waiting for budget sends nothing: an abort or a 418 halt here leaves no order behind.
    const permit = await this.deps.limiter.acquire(endpoint.group, signal);
    let response: HttpResponse;
    try {
      response = await this.deps.transport.send({ method: endpoint.method, path, headers, body, signal });
    } catch (err) {
      permit.done();
      throw this.transportFailure(err, spec, attempt);
    }
    permit.done({ remainingReq: response.headers['remaining-req'], status: response.status, body: response.body, retryAfter: response.headers['retry-after'] });

    if (response.status >= 200 && response.status < 300) return this.parseSuccess(spec, response, attempt);
    throw this.httpFailure(spec, response, attempt);
  }

  private requireKeys(name: string): ApiKeys {
    if (this.deps.keys !== undefined) return this.deps.keys;
    throw new CredentialsError(
      `${name} needs Upbit API keys and none are configured: set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY (or give a key file), or trade on paper.`,
      { upbitName: null, status: null, retryable: false, endpoint: name, attempts: 0 },
    );
  }

  private parseSuccess<T>(spec: CallSpec<T>, response: HttpResponse, attempt: number): T {
    const name = endpointName(spec.endpoint);
    try {
      return spec.parse(JSON.parse(response.body) as unknown);
    } catch (err) {
      const problem = err instanceof WireShapeError ? `field ${err.message}` : 'the body is not JSON';
      const details = { upbitName: null, status: response.status, retryable: false, endpoint: name, attempts: attempt, cause: err };
      if (spec.orderIdentifier !== undefined) {
        throw new OrderOutcomeUnknownError(
          `Upbit accepted order ${spec.orderIdentifier} (HTTP ${response.status}) but its answer could not be read (${problem}); look the order up by its identifier before doing anything else with it.`,
          details,
          spec.orderIdentifier,
        );
      }
      throw new BugError(`Upbit's answer to ${name} has a shape upbit-tui does not understand (${problem}). This is a bug in upbit-tui; please report it with the log file.`, details);
    }
  }

  private httpFailure(spec: CallSpec<unknown>, response: HttpResponse, attempt: number): UpbitError {
    const { endpoint, orderIdentifier } = spec;
    const name = endpointName(endpoint);
    const parsed = parseErrorBody(response.body);
    const { status } = response;
    const base = { upbitName: parsed.name, status, endpoint: name, attempts: attempt };

    if (status === 429) {
      const error = new RateLimitError(
        `Upbit refused ${name} with 429 (too many requests)${attemptsNote(attempt)}; upbit-tui now paces these requests, so try again in a moment.${orderIdentifier === undefined ? changedNote(endpoint.effect) : ' The order was not placed.'}`,
        { ...base, retryable: true, group: endpoint.group, retryAt: this.deps.now() + 1_000, blocked: false },
      );
      this.deps.logger.warn({ endpoint: name, group: endpoint.group, attempt }, 'Upbit answered 429: rate limited');
      return error;
    }
    if (status === 418) {
      // The limiter halted the group when it saw the 418 (permit.done above).
      const halted = this.deps.limiter.haltedError(endpoint.group);
      const error = new RateLimitError(
        `${halted?.message ?? `Upbit blocked ${endpoint.group} requests after too many requests; wait a minute.`}${orderIdentifier === undefined ? '' : ' The order was not placed.'}`,
        { ...base, retryable: true, group: endpoint.group, retryAt: halted?.retryAt ?? null, blocked: true },
      );
      this.deps.logger.warn({ endpoint: name, group: endpoint.group, retryAt: error.retryAt }, 'Upbit answered 418: requests of this group are blocked');
      return error;
    }
    if (orderIdentifier !== undefined && !definiteRejection(status, parsed.name)) {
      // A 5xx, or an answer that is not Upbit's error shape (a proxy's page), may come after
      // the order was committed.
      return new OrderOutcomeUnknownError(
        `Upbit answered HTTP ${status} to order ${orderIdentifier} without saying whether it was placed; look the order up by its identifier before sending anything else for it.`,
        { ...base, retryable: false },
        orderIdentifier,
      );
    }
    return mapHttpError({ status, body: parsed, endpoint: name, attempts: attempt, exchange: endpoint.exchange, effect: endpoint.effect });
  }

  private transportFailure(err: unknown, spec: CallSpec<unknown>, attempt: number): unknown {
    const { endpoint, orderIdentifier } = spec;
    const name = endpointName(endpoint);
    const signal = spec.options?.signal;
    // Aborted before the request reached a socket: a cancellation, nothing sent.
    if (!(err instanceof TransportError)) return err;
    const details = { upbitName: null, status: err.status ?? null, endpoint: name, attempts: attempt, cause: err };

    if (err.phase === 'aborted') {
      if (orderIdentifier !== undefined && err.sent) {
        return new OrderOutcomeUnknownError(
          `Order ${orderIdentifier} was sent to Upbit and the wait for its answer was cancelled; it may or may not have been placed: look it up by its identifier.`,
          { ...details, retryable: false },
          orderIdentifier,
        );
      }
      return signal?.reason ?? err;
    }
    if (!err.sent) {
      const text = `Could not reach Upbit: ${err.message}; check the network connection and the API URL.`;
      if (orderIdentifier !== undefined) return new OrderNotSentError(`${text} Order ${orderIdentifier} was not sent.`, { ...details, retryable: true }, orderIdentifier);
      return new ConnectionError(`${text} Nothing was changed.`, { ...details, retryable: true });
    }
    if (orderIdentifier !== undefined) {
      return new OrderOutcomeUnknownError(
        `Order ${orderIdentifier} was sent but ${transportWords(err, this.deps.transport)}; it may or may not have been placed: look it up by its identifier before sending anything else for it.`,
        { ...details, retryable: false },
        orderIdentifier,
      );
    }
    if (err.phase === 'too-large') {
      return new BugError(`Upbit's answer to ${name} was larger than upbit-tui accepts. This is a bug in upbit-tui; please report it.`, { ...details, retryable: false });
    }
    return new ConnectionError(
      `Upbit ${transportWords(err, this.deps.transport)} (${name}${attempt > 1 ? `, ${attempt} attempts` : ''}); check the network connection.${changedNote(endpoint.effect)}`,
      { ...details, retryable: true },
    );
  }
}

/** How a sent request failed, as the end of "Upbit …" / "… was sent but …". */
function transportWords(err: TransportError, transport: HttpTransport): string {
  switch (err.phase) {
    case 'headers-timeout':
      return `did not answer within ${formatSeconds(transport.headersTimeoutMs)}`;
    case 'body-timeout':
      return `stopped sending its answer for ${formatSeconds(transport.bodyTimeoutMs)}`;
    case 'connection-lost':
      return 'closed the connection before answering';
    default:
      return `gave no answer (${err.message})`;
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * An order answer that proves the order was not placed: a 4xx carrying Upbit's exchange
 * error shape (a string `name`), e.g. `insufficient_funds_bid`, `validation_error`.
 */
function definiteRejection(status: number, upbitName: string | number | null): boolean {
  return status >= 400 && status < 500 && typeof upbitName === 'string';
}

/** GET/DELETE retry on these: the network, Upbit's 5xx, and 429 (not a 418 block). */
function retryable(err: unknown): boolean {
  if (err instanceof ConnectionError) return err.retryable;
  if (err instanceof RateLimitError) return !err.blocked;
  return false;
}
