import { describe, expect, it } from 'vitest';

import { parseBalance, parseCandle, parseChance, parseInstrument, parseList, parseOrder, parseOrderWithTrades, WireShapeError } from '../../../src/upbit/rest/parse.js';
import { fixture } from './helpers.js';

const order = (): Record<string, unknown> => ({ ...(fixture('v1/orders/POST-201.json') as Record<string, unknown>) });

describe('REST parsing', () => {
  it('keeps every digit of exchange amounts', () => {
    const [krw] = parseList(fixture('v1/accounts/GET-200.json'), 'accounts', parseBalance);
    expect(krw?.balance.toFixed()).toBe('50000.47088291');
    const parsed = parseOrder({ ...order(), locked: '5002.50000000000000000001' });
    expect(parsed.locked.toFixed()).toBe('5002.50000000000000000001');
  });

  it('reads trade times with micro-seconds and the +09:00 offset', () => {
    const parsed = parseOrderWithTrades(fixture('v1/order/GET-200.json'));
    expect(new Date(parsed.trades[0]?.createdAt ?? 0).toISOString()).toBe('2026-03-22T12:42:30.597Z');
    expect(new Date(parsed.createdAt).toISOString()).toBe('2026-03-22T12:42:22.000Z');
  });

  it('tolerates what Upbit is known to vary', () => {
    const old = parseOrder({ ...order(), price: 10000000, identifier: null, time_in_force: 'ioc' });
    expect(old.price?.toString()).toBe('10000000');
    expect(old.identifier).toBeNull();
    expect(old.timeInForce).toBe('ioc');
    const chance = fixture('v1/orders/chance/GET-200.json') as Record<string, unknown>;
    const { maker_bid_fee: _a, maker_ask_fee: _b, ...olderChance } = chance;
    expect(parseChance(olderChance).makerBidFee.toString()).toBe('0.0005');
  });

  it.each([
    [{ state: 'pending' }, /order\.state: expected one of wait, watch, done, cancel, got 'pending'/],
    [{ side: 'buy' }, /order\.side/],
    [{ uuid: '' }, /order\.uuid: expected a non-empty string/],
    [{ executed_volume: 'NaN' }, /order\.executed_volume: expected a decimal, got 'NaN'/],
    [{ executed_volume: 'Infinity' }, /expected a decimal/],
    [{ locked: '0x10' }, /expected a decimal/],
    [{ created_at: '2026-03-22 21:42:22' }, /created_at: expected an ISO-8601 time with an offset/],
    [{ created_at: '2026-03-22T21:42:22' }, /created_at/],
  ])('refuses %j', (patch, problem) => {
    expect(() => parseOrder({ ...order(), ...patch })).toThrow(problem);
    expect(() => parseOrder({ ...order(), ...patch })).toThrow(WireShapeError);
  });

  it('refuses a tick size that is not positive', () => {
    expect(() => parseInstrument({ market: 'KRW-BTC', quote_currency: 'KRW', tick_size: '0', supported_levels: [] })).toThrow(/positive tick/);
  });

  it('names the element of a list', () => {
    expect(() => parseList([{ currency: 'KRW', balance: '1', locked: '0' }, {}], 'accounts', parseBalance)).toThrow(/^accounts\[1\]\.currency/);
    expect(() => parseList({}, 'accounts', parseBalance)).toThrow(/accounts: expected an array/);
  });

  it('reads minute and day candles as Upbit records them (UTC start without a zone)', () => {
    const [minute] = parseList(fixture('v1/candles/minutes/1/GET-200.json'), 'candles', parseCandle);
    expect(minute?.start).toBe(Date.UTC(2026, 2, 11, 14, 41));
    expect(minute?.low.toFixed()).toBe('103441000');
    expect(minute?.high.toFixed()).toBe('103494000');
    expect(minute?.volume.toFixed()).toBe('0.21168041');
    expect(minute?.turnover.toFixed()).toBe('21904412.55081');
    const [day] = parseList(fixture('v1/candles/days/GET-200.json'), 'candles', parseCandle);
    expect(day?.start).toBe(Date.UTC(2026, 2, 11));
    expect(day?.close.toFixed()).toBe('103481000');
    expect(() => parseCandle({ ...(minute as object), candle_date_time_utc: 'yesterday' })).toThrow(WireShapeError);
  });
});
