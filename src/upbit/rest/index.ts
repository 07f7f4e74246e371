/** The Upbit REST client: `new UpbitRestClient({ baseUrl, keys })`. */
export { authorizationHeader, canonicalQuery, encodeQuery, paramEntries, sha512Hex, signJwt, jwtPayload } from './auth.js';
export type { JwtAlgorithm, ParamEntry, Params, ParamValue } from './auth.js';
export type { CallOptions, RetryPolicy } from './caller.js';
export { DEFAULT_RETRY } from './caller.js';
export { DEFAULT_API_URL, UpbitRestClient } from './client.js';
export type { UpbitRestClientOptions } from './client.js';
export { ENDPOINTS, candleEndpoint } from './endpoints.js';
export type { Endpoint } from './endpoints.js';
export {
  BugError,
  ConnectionError,
  CredentialsError,
  OrderNotFoundError,
  OrderNotSentError,
  OrderOutcomeUnknownError,
  RateLimitError,
  UpbitError,
  UserActionError,
} from './errors.js';
export type { RequestEffect, UpbitErrorName } from './errors.js';
export { DEFAULT_RATE_RULES, LOCAL_ORDER_CAP_PER_SECOND, parseBlockDuration, parseRemainingReq, RateLimiter } from './rate-limiter.js';
export type { RateGroup, RateGroupStatus, RateLimiterOptions, RateRule, RemainingReq } from './rate-limiter.js';
export { DEFAULT_TIMEOUTS } from './transport.js';
export type { TransportOptions } from './transport.js';
export type * from './types.js';
