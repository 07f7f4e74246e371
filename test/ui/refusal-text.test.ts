/**
 * The ticket's words for what `session.place` answers (src/ui/refusal-text.ts): each refusal
 * leads with the plain fact and keeps the message that says what to do.
 */
import { describe, expect, it } from 'vitest';

import { Money } from '../../src/trading/decimal.js';
import { checkOrder } from '../../src/trading/money.js';
import { InvalidOrderError, NotReadyError, OrderNotPlacedError } from '../../src/trading/order-errors.js';
import { placeResultText, refusalText } from '../../src/ui/refusal-text.js';
import { ConnectionError, OrderOutcomeUnknownError, RateLimitError, mapHttpError, parseErrorBody } from '../../src/upbit/rest/errors.js';
import type { Order } from '../../src/upbit/rest/types.js';

function refused(name: string, message = 'x') {
  return mapHttpError({ status: 400, body: parseErrorBody(JSON.stringify({ error: { name, message } })), endpoint: 'POST /v1/orders', attempts: 1, exchange: true, effect: 'order' });
}

describe('refusalText', () => {
  it('funds, minimum and tick: the plain fact first, then what to do', () => {
    expect(refusalText(refused('insufficient_funds_bid'))).toMatch(/^Refused: not enough funds for this buy \(fee included\)\. Not enough balance to buy: lower the price or volume/);
    expect(refusalText(refused('under_min_total_bid'))).toMatch(/^Refused: below Upbit's minimum order total\. .*raise the volume or the amount/);
    expect(refusalText(refused('invalid_price_ask'))).toMatch(/^Refused: the price is not on the market's tick grid\. .*round it to a multiple of the tick size/);
    expect(refusalText(refused('something_new'))).toMatch(/^Refused by Upbit\. Upbit refused the request \(HTTP 400\)/);
  });

  it('rate limited (429): not sent, try again', () => {
    const e = new RateLimitError('Upbit refused POST /v1/orders with 429 (too many requests); try again in a moment. The order was not placed.', {
      upbitName: 'too_many_requests',
      status: 429,
      retryable: true,
      group: 'order',
      retryAt: null,
      blocked: false,
    });
    expect(refusalText(e)).toMatch(/^Not sent: rate limited \(too many requests to Upbit\)\. .*The order was not placed\.$/);
  });

  it('the local check: not sent, with each problem’s sentence', () => {
    const problems = checkOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '95000000', volume: '0.00001' });
    expect(refusalText(new InvalidOrderError(problems))).toBe("Not sent: Order total 950 KRW is below Upbit's 5,000 KRW minimum; raise the volume to at least 0.00005264 BTC.");
  });

  it('network: never placed, or may have been placed (check Orders)', () => {
    expect(refusalText(new ConnectionError('connection refused.', { upbitName: null, status: null, retryable: true }))).toMatch(/^Not sent: could not reach Upbit, nothing was placed\./);
    expect(refusalText(new OrderNotPlacedError('Order abc got no answer and Upbit has no order with that identifier.', 'abc'))).toMatch(/^Not placed, safe to send again:/);
    const unknown = new OrderOutcomeUnknownError('Timed out after sending.', { upbitName: null, status: null, retryable: false }, 'id-1');
    expect(refusalText(unknown)).toBe('The order may have been placed (identifier id-1): check Orders before sending it again. Timed out after sending.');
    expect(refusalText(new Error('journal disk full'))).toMatch(/^The order may have been placed: check Orders before sending it again\. Error: journal disk full$/);
    expect(refusalText(new NotReadyError())).toMatch(/^Not sent: The order service has not checked the journal/);
  });
});

describe('placeResultText', () => {
  const order = (over: Partial<Order>): Order => ({
    uuid: '0123456789abcdef',
    identifier: 'id',
    market: 'KRW-BTC',
    side: 'bid',
    ordType: 'limit',
    state: 'wait',
    price: new Money(95_000_000),
    volume: new Money('0.01'),
    remainingVolume: new Money('0.01'),
    executedVolume: new Money(0),
    executedFunds: null,
    reservedFee: new Money(0),
    remainingFee: new Money(0),
    paidFee: new Money(0),
    locked: new Money(0),
    preventedVolume: null,
    preventedLocked: null,
    timeInForce: null,
    smpType: null,
    tradesCount: 0,
    createdAt: 0,
    ...over,
  });

  it('says what became of the order', () => {
    expect(placeResultText({ status: 'acked', identifier: 'id', order: order({}) })).toBe('Accepted by Upbit (order 01234567): see Orders for its fills.');
    expect(placeResultText({ status: 'acked', identifier: 'id', order: order({ state: 'done', executedVolume: new Money('0.01') }) })).toBe('Filled (order 01234567, 0.01 BTC).');
    expect(placeResultText({ status: 'acked', identifier: 'id', order: order({ state: 'cancel' }) })).toMatch(/^Ended without a fill/);
    expect(placeResultText({ status: 'unknown', identifier: 'id', reason: 'no answer' })).toBe('The order may have been placed (identifier id): check Orders before sending it again. No definite answer yet: no answer');
  });
});
