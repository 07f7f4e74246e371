import { describe, expect, it } from 'vitest';

import {
  BugError,
  ConnectionError,
  CredentialsError,
  mapHttpError,
  OrderNotFoundError,
  parseErrorBody,
  UserActionError,
  validationField,
  type RequestEffect,
  type UpbitError,
} from '../../../src/upbit/rest/errors.js';

function map(status: number, body: string, opts: { exchange?: boolean; effect?: RequestEffect; attempts?: number; endpoint?: string } = {}): UpbitError {
  return mapHttpError({
    status,
    body: parseErrorBody(body),
    endpoint: opts.endpoint ?? 'POST /v1/orders',
    attempts: opts.attempts ?? 1,
    exchange: opts.exchange ?? true,
    effect: opts.effect ?? 'order',
  });
}

const upbit = (name: string | number, message: string): string => JSON.stringify({ error: { name, message } });

describe('parseErrorBody', () => {
  it('reads string and integer names', () => {
    expect(parseErrorBody(upbit('insufficient_funds_bid', '주문가능한 금액(KRW)이 부족합니다.'))).toEqual({ name: 'insufficient_funds_bid', message: '주문가능한 금액(KRW)이 부족합니다.', text: null });
    expect(parseErrorBody(upbit(404, 'Code not found'))).toEqual({ name: 404, message: 'Code not found', text: null });
  });

  it('never assumes JSON', () => {
    expect(parseErrorBody('Too many API requests.')).toEqual({ name: null, message: null, text: 'Too many API requests.' });
    expect(parseErrorBody('')).toEqual({ name: null, message: null, text: null });
    expect(parseErrorBody('{"message":"nope"}').text).toBe('{"message":"nope"}');
    expect(parseErrorBody('<html>\n<body>502 Bad Gateway</body>\n</html>').text).toBe('<html> <body>502 Bad Gateway</body> </html>');
    expect(parseErrorBody('x'.repeat(1000)).text?.length).toBeLessThan(210);
  });
});

describe('mapHttpError', () => {
  const table: Array<[number, string, new (...args: never[]) => UpbitError, RegExp]> = [
    [400, 'insufficient_funds_bid', UserActionError, /Not enough balance to buy/],
    [400, 'insufficient_funds_ask', UserActionError, /Not enough of the coin to sell/],
    [400, 'under_min_total_bid', UserActionError, /below Upbit's minimum \(5,000 KRW/],
    [400, 'under_min_total_ask', UserActionError, /below Upbit's minimum/],
    [400, 'invalid_price_bid', UserActionError, /tick size/],
    [400, 'invalid_price_ask', UserActionError, /tick size/],
    [400, 'create_bid_error', UserActionError, /could not create the buy order/],
    [400, 'create_ask_error', UserActionError, /could not create the sell order/],
    [400, 'invalid_parameter', UserActionError, /refused a parameter/],
    [404, 'order_not_found', OrderNotFoundError, /no such order/],
    [403, 'market_offline', UserActionError, /offline/],
    [401, 'jwt_verification', CredentialsError, /secret key does not belong to this access key/],
    [401, 'invalid_access_key', CredentialsError, /does not recognise the access key/],
    [401, 'expired_access_key', CredentialsError, /expired/],
    [401, 'no_authorization_ip', CredentialsError, /allow-list/],
    [403, 'out_of_scope', CredentialsError, /lacks the permission/],
    [401, 'invalid_query_payload', BugError, /query hash.*bug in upbit-tui/],
    [401, 'no_authorization_token', BugError, /bug/],
    [401, 'nonce_used', BugError, /nonce/],
    [400, 'duplicate_identifier', BugError, /identifier/],
    [401, 'some_new_auth_error', CredentialsError, /refused the API keys/],
    [400, 'some_new_order_error', UserActionError, /refused the request \(HTTP 400\)/],
    [500, 'server_error', ConnectionError, /HTTP 500 server_error/],
    [503, 'service_unavailable', ConnectionError, /overloaded or under maintenance/],
  ];

  it.each(table)('%i %s → %o', (status, name, cls, text) => {
    const error = map(status, upbit(name, 'Upbit says so'));
    expect(error).toBeInstanceOf(cls);
    expect(error.message).toMatch(text);
    expect(error.message).toContain('(Upbit: "Upbit says so")');
    expect(error.upbitName).toBe(name);
    expect(error.status).toBe(status);
    expect(typeof error.retryable).toBe('boolean');
  });

  it('marks what can be retried as is', () => {
    expect(map(503, upbit('service_unavailable', 'x')).retryable).toBe(true);
    expect(map(403, upbit('market_offline', 'x')).retryable).toBe(true);
    expect(map(400, upbit('insufficient_funds_bid', 'x')).retryable).toBe(false);
    expect(map(401, upbit('jwt_verification', 'x')).retryable).toBe(false);
  });

  it('names the field of a validation_error', () => {
    const error = map(400, upbit('validation_error', 'side is missing, side does not have a valid value'));
    expect(error).toBeInstanceOf(UserActionError);
    expect((error as UserActionError).field).toBe('side');
    expect(error.message).toMatch(/"side" is missing or invalid; correct it and send again/);
    expect(validationField('uuids[] does not have a valid value')).toBe('uuids[]');
    expect(validationField('Something else went wrong')).toBeUndefined();
  });

  it('maps quotation errors by their integer name', () => {
    const notFound = map(404, upbit(404, 'Code not found'), { exchange: false, effect: 'none', endpoint: 'GET /v1/ticker' });
    expect(notFound).toBeInstanceOf(UserActionError);
    expect(notFound.upbitName).toBe(404);
    expect(notFound.message).toMatch(/market code/);
    expect(map(400, upbit(400, 'Invalid parameter. Check the given value!'), { exchange: false, effect: 'none' })).toBeInstanceOf(UserActionError);
    expect(map(400, upbit(400, 'Missing request parameter error. Check the required parameters!'), { exchange: false, effect: 'none' })).toBeInstanceOf(BugError);
  });

  it('says "nothing was changed" only for reads, and the truth for cancels', () => {
    expect(map(502, 'Bad Gateway', { effect: 'none', endpoint: 'GET /v1/accounts' }).message).toMatch(/Nothing was changed\.$/);
    const cancel = map(502, '<html>Bad Gateway</html>', { effect: 'cancel', endpoint: 'DELETE /v1/order', attempts: 3 });
    expect(cancel.message).toMatch(/\(3 attempts\)/);
    expect(cancel.message).toMatch(/may or may not have taken effect/);
    expect(cancel.message).not.toMatch(/Nothing was changed/);
    expect(cancel.message).toContain('(Upbit: "<html>Bad Gateway</html>")');
  });

  it('a repeated cancel that finds no order says an earlier attempt may have worked', () => {
    expect(map(404, upbit('order_not_found', 'x'), { effect: 'cancel', attempts: 2 }).message).toMatch(/earlier attempt/);
    expect(map(404, upbit('order_not_found', 'x'), { effect: 'cancel', attempts: 1 }).message).not.toMatch(/earlier attempt/);
  });

  it('serialises to the fields a log needs', () => {
    const error = map(400, upbit('insufficient_funds_bid', 'x'));
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'UserActionError', kind: 'user', upbitName: 'insufficient_funds_bid', status: 400, retryable: false, endpoint: 'POST /v1/orders' });
  });
});
