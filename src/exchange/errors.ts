/**
 * The error answers of the exchange, by Upbit's names
 * (https://docs.upbit.com/kr/reference/rest-api-guide). Names the documentation does not
 * confirm are marked UNCERTAIN and kept here, in one place, so a better recording changes one
 * line.
 */
import type { Side } from './types.js';
import { ExchangeError } from './types.js';

export function validationError(message: string): ExchangeError {
  return new ExchangeError(400, 'validation_error', message);
}

/** `"side is missing, side does not have a valid value"`: Upbit's wording for an absent field. */
export function missingMessage(field: string): string {
  return `${field} is missing, ${field} does not have a valid value`;
}

export function invalidMessage(field: string): string {
  return `${field} does not have a valid value`;
}

/** A request whose fields do not fit together (price on a market sell, volume on a market buy, …). */
export function createError(side: Side, message: string): ExchangeError {
  return new ExchangeError(400, `create_${side}_error`, message);
}

export function invalidPrice(side: Side): ExchangeError {
  return new ExchangeError(400, `invalid_price_${side}`, '주문가격 단위를 잘못 입력하셨습니다. 확인 후 시도해주세요.');
}

export function underMinTotal(side: Side, minTotal: string, currency: string): ExchangeError {
  return new ExchangeError(400, `under_min_total_${side}`, `최소 주문금액 이상으로 주문해주세요. (minimum ${minTotal} ${currency})`);
}

/** UNCERTAIN: Upbit's name for an order above `max_total` was not found; named after `under_min_total_*`. */
export function overMaxTotal(side: Side, maxTotal: string, currency: string): ExchangeError {
  return new ExchangeError(400, `over_max_total_${side}`, `최대 주문금액 이하로 주문해주세요. (maximum ${maxTotal} ${currency})`);
}

export function insufficientFunds(side: Side, currency: string): ExchangeError {
  return new ExchangeError(400, `insufficient_funds_${side}`, `주문가능한 금액(${currency})이 부족합니다.`);
}

/**
 * A market order larger than the 30 visible levels can fill (https://docs.upbit.com/kr/changelog/orderbook_expansion, changelog
 * `orderbook_expansion`). UNCERTAIN: the name; `create_*_error` is the documented generic one.
 */
export function tooLargeForBook(side: Side): ExchangeError {
  return createError(side, 'The order is larger than the order book (30 levels) can fill. Order a smaller amount.');
}

/** UNCERTAIN: the name and status of a reused identifier were not found (new-order docs); a 400 is likely. */
export function duplicateIdentifier(identifier: string): ExchangeError {
  return new ExchangeError(400, 'duplicate_identifier', `identifier '${identifier}' was already used; send a new identifier with every order request.`);
}

/** UNCERTAIN: Upbit's answer for a market it does not list; a 404 in the style of `order_not_found`. */
export function marketNotFound(market: string): ExchangeError {
  return new ExchangeError(404, 'market_does_not_exist', `market ${market} does not exist.`);
}

export function orderNotFound(): ExchangeError {
  return new ExchangeError(404, 'order_not_found', '주문을 찾지 못했습니다.');
}

export function invalidAccessKey(): ExchangeError {
  return new ExchangeError(401, 'invalid_access_key', '잘못된 엑세스 키입니다.');
}
