/**
 * What the trading commands print about balances and fills: balances rounded down (never more
 * than is there), averages readable, and a just-placed order's answer saying what it filled,
 * from Upbit's recorded answers (test/fixtures/rest/v1/).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/app/errors.js';
import { toExitError, unknownOutcomeMessage } from '../../src/cli/trade-commands.js';
import { OrderNotPlacedError } from '../../src/trading/order-errors.js';
import { balanceTable, describePlaced, formatBalance, formatPriceFigure, orderJson, orderTable } from '../../src/cli/output.js';
import { Money } from '../../src/trading/decimal.js';
import { fillSummary } from '../../src/trading/fill-summary.js';
import { parseBalance, parseOrder, parseOrderWithTrades } from '../../src/upbit/rest/parse.js';
import type { Order } from '../../src/upbit/rest/types.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rest/v1');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

/** Upbit's recorded 10,000 KRW market buy: `cancel`, one trade, 0.952626075 KRW left locked then refunded. */
const marketBuy = () => parseOrderWithTrades(fixture('order/GET-200-price-cancel.json'));

describe('balances', () => {
  it('show KRW to the won and coins to 8 decimals, rounded down so a shown balance is never more than is there', () => {
    expect(formatBalance('KRW', new Money('9816501.507415565665'))).toBe('9,816,501');
    expect(formatBalance('KRW', new Money('0.999'))).toBe('0');
    expect(formatBalance('BTC', new Money('0.000153449999'))).toBe('0.00015344');
    expect(formatBalance('BTC', new Money('1.5'))).toBe('1.5');
    const lines = balanceTable([
      parseBalance({ currency: 'KRW', balance: '9816501.507415565665', locked: '10005.999', avg_buy_price: '0', avg_buy_price_modified: false, unit_currency: 'KRW' }),
      parseBalance({ currency: 'BTC', balance: '0.00015344', locked: '0', avg_buy_price: '130337526.91605839', avg_buy_price_modified: false, unit_currency: 'KRW' }),
    ]);
    expect(lines.join('\n')).not.toMatch(/\.\d{9,}/);
    expect(lines[1]).toMatch(/^KRW\s+9,816,501\s+10,005\s+-$/);
    expect(lines[2]).toMatch(/^BTC\s+0\.00015344\s+0\s+130,337,527 KRW$/);
  });

  it('show averages with 5 significant digits, whole units from 5 integer digits, at most 8 decimals', () => {
    expect(formatPriceFigure(new Money('130337526.91605839'))).toBe('130,337,527');
    expect(formatPriceFigure(new Money('1234.5678'))).toBe('1,234.6');
    expect(formatPriceFigure(new Money('12.34567'))).toBe('12.346');
    expect(formatPriceFigure(new Money('0.0012345678'))).toBe('0.0012346');
    expect(formatPriceFigure(new Money('0.000000012345'))).toBe('0.00000001');
  });
});

describe('fills', () => {
  it('average = Σ trade funds / Σ trade volume when the trades are known', () => {
    const f = fillSummary(marketBuy());
    expect(f.funds?.toFixed()).toBe('9999.04785');
    expect(f.avgPrice?.toFixed()).toBe('102945000');
    expect(f.paidFee.toFixed()).toBe('4.999523925');
  });

  it('average = executed_funds / executed_volume for a list item (no trades)', () => {
    const listed = parseOrder({ ...(fixture('order/GET-200-price-cancel.json') as object), trades: undefined, executed_funds: '9999.04785' });
    expect(fillSummary(listed).avgPrice?.toFixed()).toBe('102945000');
  });

  it('no average before a fill, and no funds when the exchange did not say (the POST answer)', () => {
    const posted = parseOrder(fixture('orders/POST-201.json'));
    expect(fillSummary(posted)).toMatchObject({ avgPrice: null });
    expect(fillSummary({ ...posted, executedVolume: new Money('0.0001'), executedFunds: null })).toMatchObject({ funds: null, avgPrice: null });
  });

  it('--json orders carry funds and avgPrice as exact strings', () => {
    expect(orderJson(marketBuy())).toMatchObject({ state: 'cancel', executedVolume: '0.00009713', funds: '9999.04785', avgPrice: '102945000', paidFee: '4.999523925' });
    expect(orderJson(parseOrder(fixture('orders/POST-201.json')))).toMatchObject({ funds: '0', avgPrice: null });
  });

  it('the orders table has an average price and an identifier column', () => {
    const withId: Order = { ...marketBuy(), identifier: 'ut-abc' };
    const [header, row] = orderTable([withId]);
    expect(header).toMatch(/Executed\s+Avg price\s+UUID\s+Identifier$/);
    expect(row).toMatch(/0\.00009713\s+102,945,000\s+5a1b4c2e-9a55-4b8e-8d4c-0f6d7b1e2a33\s+ut-abc$/);
  });
});

describe('the answer to buy/sell', () => {
  const waited = { waitedMs: 40, problem: null };

  it('a market buy that filled says what it bought, the average, KRW spent and fee, and why it is "cancel"', () => {
    const text = describePlaced(marketBuy(), waited);
    expect(text).toBe(
      'Placed market buy 10,000 KRW of KRW-BTC: bought 0.00009713 BTC at an average 102,945,000 KRW for 9,999.05 KRW + 5 KRW fee. ' +
        'Upbit files a market buy it cannot spend to the last won under "cancel": the unspent 0.95 KRW (and its reserved fee) is back in the balance.',
    );
  });

  it('a resting limit says it rests and what filled so far', () => {
    const resting = parseOrder(fixture('orders/POST-201.json'));
    expect(describePlaced(resting, waited)).toMatch(/^Placed limit buy 0\.0005 KRW-BTC at 10,000,000: resting on the book \(wait\), nothing filled yet\.$/);
    const partly = { ...resting, executedVolume: new Money('0.0002'), remainingVolume: new Money('0.0003'), executedFunds: new Money('2000'), paidFee: new Money('1') };
    expect(describePlaced(partly, waited)).toMatch(/resting on the book \(wait\), bought 0\.0002 BTC at an average 10,000,000 KRW for 2,000 KRW \+ 1 KRW fee so far\.$/);
  });

  it('a market order not finished within the wait says so and where to look', () => {
    const pending = { ...marketBuy(), state: 'wait' as const, executedVolume: new Money(0), trades: [] };
    expect(describePlaced(pending, { waitedMs: 2000, problem: null })).toMatch(/not finished after 2 s \(wait\), nothing filled yet; see it with upbit-tui orders\.$/);
  });

  it('an order that could not be read back is still reported placed, with the reason', () => {
    const posted = parseOrder(fixture('orders/POST-201-price.json'));
    expect(describePlaced(posted, { waitedMs: 2000, problem: 'no answer within 2 s' })).toMatch(/^Placed market buy 10,000 KRW of KRW-BTC \(wait\); its fills could not be read afterwards \(no answer within 2 s\): see them with upbit-tui orders\.$/);
  });
});

describe('the line of a buy whose answer was lost', () => {
  const id = 'ut-mx597qkz-bad429fb9c9dc8fd';

  it('says the outcome is unknown and what to do once, not twice (the client\'s own advice is dropped)', () => {
    const reason = `Order ${id} was sent to Upbit and the wait for its answer was cancelled; it may or may not have been placed: look it up by its identifier. (still unresolved: ConnectionError: Upbit did not answer within 5 s (GET /v1/order, 3 attempts); check the network connection. Nothing was changed.)`;
    const line = unknownOutcomeMessage(id, reason);
    expect(line).toBe(
      `The order's outcome is unknown: it was sent to Upbit and the wait for its answer was cancelled, and looking it up by its identifier did not settle it. ` +
        `It may have been placed: check with upbit-tui orders --state wait (identifier ${id}); the next command looks it up before placing anything, so do not place it again meanwhile.`,
    );
    expect(line.match(/may (or may not )?have been placed/g)).toHaveLength(1);
    expect(line.split(id)).toHaveLength(2);
    expect(line).not.toMatch(/Nothing was changed/);
  });

  it('keeps the fact of a 5xx or a timeout', () => {
    expect(unknownOutcomeMessage(id, `Upbit answered HTTP 503 to order ${id} without saying whether it was placed; look the order up by its identifier before sending anything else for it.`)).toMatch(
      /^The order's outcome is unknown: Upbit answered HTTP 503 without saying whether it was placed, and looking/,
    );
    expect(unknownOutcomeMessage(id, `Order ${id} was sent but Upbit did not answer within 5 s; it may or may not have been placed: look it up by its identifier before sending anything else for it.`)).toMatch(
      /^The order's outcome is unknown: it was sent but Upbit did not answer within 5 s, and looking/,
    );
  });

  it('an order proven not placed is said once, with its identifier', () => {
    const error = new OrderNotPlacedError(`Order ${id} got no answer and Upbit has no order with that identifier, so it was not placed; nothing else was sent. Place it again if you still want it.`, id);
    const exit = toExitError(error);
    expect(exit).toBeInstanceOf(UsageError);
    expect((exit as UsageError).exitCode).toBe(4);
    expect((exit as UsageError).message).toBe(error.message);
  });
});
