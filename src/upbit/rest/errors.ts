/**
 * What can go wrong talking to Upbit's REST API, classed by who must act
 * (docs/architecture.md#errors-name-who-must-act):
 *
 * | Class | Who acts | Examples |
 * | --- | --- | --- |
 * | {@link UserActionError} | the user changes the request | insufficient funds, below minimum, off-tick price |
 * | {@link ConnectionError} | nobody / the network; try again | timeouts, resets, 5xx |
 * | {@link CredentialsError} | the user fixes the keys | wrong secret, expired key, IP not allowed |
 * | {@link RateLimitError} | wait until `retryAt` | 429, 418 |
 * | {@link BugError} | us | a request Upbit cannot parse, an answer we cannot read |
 * | {@link OrderOutcomeUnknownError} | the order service resolves it by identifier | timeout after an order was sent |
 *
 * Every error carries `upbitName` (Upbit's `error.name`: a string on exchange endpoints, the
 * HTTP status as an integer on quotation ones, null when there was none), `status` (HTTP,
 * null when no response arrived) and `retryable` (whether sending the same request again,
 * later, can succeed without anything being changed first). Messages say what to do next
 * and the original error is kept as `cause`. No message ever contains a key or a token:
 * they are built from Upbit's answer, the endpoint and our own words only.
 */
import { UPBIT_RULES } from '../trading-rules.js';

/** Upbit's `error.name`: a string for exchange endpoints, the integer status for quotation ones. */
export type UpbitErrorName = string | number | null;

export interface UpbitErrorDetails {
  upbitName: UpbitErrorName;
  status: number | null;
  retryable: boolean;
  cause?: unknown;
  /** `METHOD /path` of the request, without its query (which may hold order ids). */
  endpoint?: string;
  /** How many times the request was sent (retries included); 0 when it never left. */
  attempts?: number;
}

/** Base of every REST error; catch this to handle anything the client throws. */
export abstract class UpbitError extends Error {
  /** Who must act: a stable tag for switch statements and logs. */
  abstract readonly kind: 'user' | 'connection' | 'credentials' | 'rate-limit' | 'bug' | 'outcome-unknown';
  readonly upbitName: UpbitErrorName;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly endpoint: string | undefined;
  readonly attempts: number | undefined;

  constructor(message: string, details: UpbitErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.upbitName = details.upbitName;
    this.status = details.status;
    this.retryable = details.retryable;
    this.endpoint = details.endpoint;
    this.attempts = details.attempts;
  }

  /** Fields for a structured log line (no stack, no secrets). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message, upbitName: this.upbitName, status: this.status, retryable: this.retryable, endpoint: this.endpoint, attempts: this.attempts };
  }
}

/** The user must change the request: funds, minimum total, tick, a missing field, an unknown order. */
export class UserActionError extends UpbitError {
  override name = 'UserActionError';
  readonly kind = 'user';
  /** The parameter Upbit named in a `validation_error`, when it named one. */
  readonly field: string | undefined;

  constructor(message: string, details: UpbitErrorDetails & { field?: string }) {
    super(message, details);
    this.field = details.field;
  }
}

/** `order_not_found` (404): no order with that uuid or identifier exists for this account. */
export class OrderNotFoundError extends UserActionError {
  override name = 'OrderNotFoundError';
}

/** The network or Upbit's servers failed: timeouts, refused or reset connections, 5xx. */
export class ConnectionError extends UpbitError {
  override name = 'ConnectionError';
  readonly kind = 'connection';
}

/**
 * An order request that provably never left this machine (the connection could not be
 * opened: refused, DNS failure, connect timeout, TLS failure), so no order exists. Sending
 * it again, with a fresh identifier, cannot double it.
 */
export class OrderNotSentError extends ConnectionError {
  override name = 'OrderNotSentError';
  constructor(
    message: string,
    details: UpbitErrorDetails,
    /** The identifier the order carried. */
    readonly identifier: string,
  ) {
    super(message, details);
  }
}

/** Upbit refused the API keys, or the keys are not configured properly. */
export class CredentialsError extends UpbitError {
  override name = 'CredentialsError';
  readonly kind = 'credentials';
}

/** 429 (too many requests) or 418 (blocked after too many 429s). */
export class RateLimitError extends UpbitError {
  override name = 'RateLimitError';
  readonly kind = 'rate-limit';
  /** The `Remaining-Req` group that was limited. */
  readonly group: string;
  /** When the limit or block ends (ms since epoch); null when unknown. */
  readonly retryAt: number | null;
  /** True for a 418 block (every request of the group fails until `retryAt`). */
  readonly blocked: boolean;

  constructor(message: string, details: UpbitErrorDetails & { group: string; retryAt: number | null; blocked: boolean }) {
    super(message, details);
    this.group = details.group;
    this.retryAt = details.retryAt;
    this.blocked = details.blocked;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), group: this.group, retryAt: this.retryAt, blocked: this.blocked };
  }
}

/** Our code is wrong: a request Upbit cannot parse, or an answer of a shape we do not know. */
export class BugError extends UpbitError {
  override name = 'BugError';
  readonly kind = 'bug';
}

/**
 * An order request may have reached Upbit, but no definite answer came back: a timeout or a
 * lost connection after the request was written, a 5xx, or a success we could not read. The
 * order may or may not exist. Never send it again blindly: look it up with
 * `GET /v1/order?identifier=…` (and watch `myOrder`) first
 * (docs/upbit-protocol.md#order-identifier).
 */
export class OrderOutcomeUnknownError extends UpbitError {
  override name = 'OrderOutcomeUnknownError';
  readonly kind = 'outcome-unknown';
  constructor(
    message: string,
    details: UpbitErrorDetails,
    /** The identifier to resolve the order by. */
    readonly identifier: string,
  ) {
    super(message, { ...details, retryable: false });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), identifier: this.identifier };
  }
}

// ---------------------------------------------------------------------------------------
// Mapping an HTTP error answer.

/** Upbit's error body, narrowed; `text` is the raw body when it was not that JSON shape. */
export interface UpbitErrorBody {
  name: UpbitErrorName;
  message: string | null;
  /** The body as text (trimmed, shortened) when it was not `{"error":{…}}`. */
  text: string | null;
}

const MAX_QUOTED = 200;

/**
 * Read an error body without assuming JSON: 429/418 may be plain text (pyupbit compares
 * the text "Too many API requests."), proxies answer HTML (docs/upbit-protocol.md#rest-errors).
 */
export function parseErrorBody(body: string): UpbitErrorBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { name: null, message: null, text: quote(body) };
  }
  const error = isObject(value) ? value['error'] : undefined;
  if (!isObject(error)) return { name: null, message: null, text: quote(body) };
  const name = error['name'];
  const message = error['message'];
  return {
    name: typeof name === 'string' || (typeof name === 'number' && Number.isInteger(name)) ? name : null,
    message: typeof message === 'string' ? quote(message) : null,
    text: null,
  };
}

/** Untrusted text for a message: one line, printable, bounded. */
function quote(text: string): string | null {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean === '') return null;
  return clean.length > MAX_QUOTED ? `${clean.slice(0, MAX_QUOTED)}…` : clean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface HttpErrorContext {
  status: number;
  body: UpbitErrorBody;
  /** `METHOD /path`. */
  endpoint: string;
  attempts: number;
  /** True for exchange endpoints (string names, auth), false for quotation ones. */
  exchange: boolean;
  /** What the request changes on the exchange, for saying whether a failure changed anything. */
  effect: RequestEffect;
}

/** What a request changes: nothing (reads, test orders), an order's life (cancels), or creates one. */
export type RequestEffect = 'none' | 'cancel' | 'order';

/** `, Upbit said: "…"` — Upbit's own words, when it gave any. */
function said(body: UpbitErrorBody): string {
  const words = body.message ?? body.text;
  return words === null ? '' : ` (Upbit: "${words}")`;
}

type Mapper = (ctx: HttpErrorContext) => UpbitError;

const details = (ctx: HttpErrorContext, retryable: boolean, cause?: unknown): UpbitErrorDetails => ({
  upbitName: ctx.body.name,
  status: ctx.status,
  retryable,
  endpoint: ctx.endpoint,
  attempts: ctx.attempts,
  cause,
});

const user =
  (text: (ctx: HttpErrorContext) => string, retryable = false): Mapper =>
  (ctx) =>
    new UserActionError(`${text(ctx)}${said(ctx.body)}`, details(ctx, retryable));

const credentials =
  (text: string): Mapper =>
  (ctx) =>
    new CredentialsError(`${text}${said(ctx.body)}`, details(ctx, false));

const bug =
  (text: string, retryable = false): Mapper =>
  (ctx) =>
    new BugError(`${text}${said(ctx.body)} This is a bug in upbit-tui; please report it with the log file.`, details(ctx, retryable));

const KEYS_PAGE = 'upbit.com → My page → Open API management';
/** `5,000 KRW`, from Upbit's table (src/upbit/trading-rules.ts). */
const KRW_MINIMUM = `${Number(UPBIT_RULES.KRW.minTotal).toLocaleString('en-US')} KRW`;

/**
 * Exchange `error.name`s (docs/upbit-protocol.md#rest-errors) and what the user reads. Upbit says the list is not
 * exhaustive; unknown names fall back on the HTTP status ({@link mapByStatus}).
 */
const BY_NAME: Readonly<Record<string, Mapper>> = {
  insufficient_funds_bid: user(() => 'Not enough balance to buy: lower the price or volume, or cancel open buy orders to free the funds.'),
  insufficient_funds_ask: user(() => 'Not enough of the coin to sell: lower the volume, or cancel open sell orders holding it.'),
  under_min_total_bid: user(() => `The order total is below Upbit's minimum (${KRW_MINIMUM} on KRW markets): raise the volume or the amount.`),
  under_min_total_ask: user(() => `The order total is below Upbit's minimum (${KRW_MINIMUM} on KRW markets): raise the volume.`),
  invalid_price_bid: user(() => "The buy price is not on the market's price grid: round it to a multiple of the tick size."),
  invalid_price_ask: user(() => "The sell price is not on the market's price grid: round it to a multiple of the tick size."),
  create_bid_error: user(() => 'Upbit could not create the buy order: check the order type and its fields (a market buy takes a total price and no volume).'),
  create_ask_error: user(() => 'Upbit could not create the sell order: check the order type and its fields (a market sell takes a volume and no price).'),
  volume_too_large: user(() => 'The volume is larger than Upbit accepts in one order: split it into smaller orders.'),
  invalid_funds: user(() => 'Upbit refused the order amount: check the price and volume.'),
  invalid_parameter: user(() => 'Upbit refused a parameter of the request: check the values entered.'),
  validation_error: (ctx) => {
    const field = validationField(ctx.body.message);
    const what = field === undefined ? 'a parameter is missing or invalid' : `"${field}" is missing or invalid`;
    return new UserActionError(`Upbit refused the request: ${what}; correct it and send again${said(ctx.body)}`, { ...details(ctx, false), field });
  },
  order_not_found: (ctx) =>
    new OrderNotFoundError(
      `Upbit has no such order for this account: check the uuid or identifier${ctx.attempts > 1 ? ' (an earlier attempt of this request may have gone through; refresh the orders)' : ''}${said(ctx.body)}`,
      details(ctx, false),
    ),
  market_offline: user(() => 'The market is offline (maintenance or suspension): try again later or pick another market.', true),
  thirdparty_agreement_required: user(() => `Upbit requires agreeing to its third-party terms first: accept them at ${KEYS_PAGE}, then try again.`),

  jwt_verification: credentials(
    'Upbit could not verify the request signature: the secret key does not belong to this access key. Check UPBIT_SECRET_KEY (or secret_key in the key file).',
  ),
  invalid_access_key: credentials(`Upbit does not recognise the access key: check UPBIT_ACCESS_KEY (or access_key in the key file), or issue a new key at ${KEYS_PAGE}.`),
  expired_access_key: credentials(`The API key has expired (Upbit keys last one year): issue a new one at ${KEYS_PAGE}.`),
  no_authorization_ip: credentials(`This machine's IP address is not on the API key's allow-list: add it at ${KEYS_PAGE} (up to 10 addresses per key).`),
  out_of_scope: credentials(`The API key lacks the permission for this request: enable it (e.g. "order" or "view") at ${KEYS_PAGE}, or use a key that has it.`),

  invalid_query_payload: bug('Upbit could not verify the JWT query hash of the request.'),
  no_authorization_token: bug('Upbit received no Authorization header for an authenticated request.'),
  // A nonce is a fresh UUID per request; a repeat means a request was replayed. A new
  // request (new nonce) can succeed.
  nonce_used: bug('Upbit saw a JWT nonce twice.', true),
};

/** The parameter named by a `validation_error` message: "side is missing, side does not have a valid value". */
export function validationField(message: string | null): string | undefined {
  if (message === null) return undefined;
  const match = /^\s*([A-Za-z_][A-Za-z0-9_[\]]*) (?:is missing|does not have a valid value|is invalid|must )/.exec(message);
  return match?.[1];
}

/**
 * The error for a non-2xx answer other than 429/418 (the client handles those with the rate
 * limiter). Exchange names are looked up first; quotation endpoints name errors by status.
 */
export function mapHttpError(ctx: HttpErrorContext): UpbitError {
  const name = ctx.body.name;
  if (typeof name === 'string') {
    const byName = BY_NAME[name];
    if (byName !== undefined) return byName(ctx);
    // Upbit documents no name for a reused identifier (docs/upbit-protocol.md#order-identifier); every attempt gets a fresh one,
    // so a duplicate means our bookkeeping is wrong.
    if (/duplicat/i.test(name) || /identifier/i.test(name)) return bug('Upbit refused an order identifier as already used.')(ctx);
  }
  return mapByStatus(ctx);
}

function mapByStatus(ctx: HttpErrorContext): UpbitError {
  const { status } = ctx;
  if (status >= 500) return serverError(ctx);
  if (status === 401) return credentials(`Upbit refused the API keys: check UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY (or the key file) and the key's IP allow-list at ${KEYS_PAGE}.`)(ctx);
  if (status === 403) return credentials(`Upbit refused the request for this API key: check the key's permissions at ${KEYS_PAGE}.`)(ctx);
  if (status === 404 && !ctx.exchange) return user(() => 'Upbit does not know a market code of the request: check the market codes (e.g. KRW-BTC).')(ctx);
  if (status === 400 && !ctx.exchange) {
    const invalid = ctx.body.message !== null && /invalid parameter/i.test(ctx.body.message);
    return invalid ? user(() => 'Upbit refused a parameter of the request: check the market codes and values.')(ctx) : bug(`Upbit could not parse ${ctx.endpoint}.`)(ctx);
  }
  if (status === 400 || status === 404 || status === 409 || status === 422) return user(() => `Upbit refused the request (HTTP ${status}): check the values entered.`)(ctx);
  return bug(`Upbit answered ${ctx.endpoint} with an unexpected HTTP ${status}.`)(ctx);
}

/** 5xx: Upbit failed. Whether anything changed depends on the request; see {@link changedNote}. */
function serverError(ctx: HttpErrorContext): ConnectionError {
  const name = typeof ctx.body.name === 'string' ? ` ${ctx.body.name}` : '';
  return new ConnectionError(
    `Upbit answered HTTP ${ctx.status}${name} to ${ctx.endpoint}${attemptsNote(ctx.attempts)}${said(ctx.body)}; Upbit may be overloaded or under maintenance: try again in a minute.${changedNote(ctx.effect)}`,
    details(ctx, true),
  );
}

export function attemptsNote(attempts: number): string {
  return attempts > 1 ? ` (${attempts} attempts)` : '';
}

/**
 * What a failed request may have changed, said only when it is true: a read changes
 * nothing; a cancel may have been applied even though the answer was lost. (A failed order
 * is an {@link OrderOutcomeUnknownError}, which says so itself.)
 */
export function changedNote(effect: RequestEffect): string {
  if (effect === 'none') return ' Nothing was changed.';
  if (effect === 'cancel') return ' The cancel may or may not have taken effect: refresh the open orders.';
  return '';
}

/** Seconds, rounded up, for "blocked for 57 s". */
export function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

/** Local wall-clock time `HH:MM:SS` for "wait until 14:03:12". */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
