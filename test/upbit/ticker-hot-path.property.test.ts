// The ticker hot path was made cheaper (docs/performance.md): a numeric KRW tick table for the
// parser's grid check, and DEFAULT-format fields read by name instead of through the key table.
// These properties pin down that nothing a trader relies on moved: the numeric tick is the
// decimal one, the grid check answers as it did (same verdict, same reason), and a DEFAULT
// frame and its SIMPLE twin give the same event, whatever a field holds.
import { readFileSync } from 'node:fs';
import { Money } from '../../src/trading/decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRecord } from '../../src/upbit/json-narrow.js';
import { implausiblePrice, parseQuotationFrame } from '../../src/upbit/parse.js';
import { krwTickSize, krwTickSizeNumber } from '../../src/upbit/tick-size.js';
import { TICKER_SIMPLE_KEYS, toSimpleKeys } from '../../src/upbit/wire.js';

/** The band floors of https://docs.upbit.com/kr/docs/krw-market-info, and the values either side. */
const BAND_FLOORS = [1_000_000, 500_000, 100_000, 50_000, 10_000, 5_000, 100, 10, 1, 0.1, 0.01, 0.001, 0.0001, 0.00001];
const nearFloors = fc.constantFrom(...BAND_FLOORS).chain((f) => fc.constantFrom(f, f * (1 - Number.EPSILON), f * (1 + Number.EPSILON), f - 1e-12, f + 1e-12));
/** Any price a frame could carry: every double, weighted towards Upbit's range and the band edges. */
const anyPrice = fc.oneof(fc.double({ noNaN: false }), fc.double({ min: 1e-9, max: 2e8, noNaN: true }), nearFloors);

/** The grid check as it was before the numeric table: the tick as a decimal string, then Number(). */
function implausibleBefore(market: string, price: number): string | null {
  if (!(price > 0)) return `is not a positive price (${price})`;
  if (price < 1e-8) return `is below the finest tick of any Upbit market (${price})`;
  if (price > 1e15) return `is beyond any price a market can have (${price})`;
  if (market.startsWith('KRW-')) {
    const grid = Number(krwTickSize(price)) / 1000;
    const units = price / grid;
    if (Math.abs(units - Math.round(units)) > 1e-6) return `is off the KRW price grid by orders of magnitude (${price}, tick ${krwTickSize(price)})`;
  }
  return null;
}

const market = fc.oneof(fc.constantFrom('KRW-BTC', 'KRW-XRP', 'KRW-PEPE', 'BTC-ETH', 'USDT-BTC', 'KRW-'), fc.string({ maxLength: 12 }));

/** A price exactly on today's KRW grid: a whole number of ticks of its band, built in decimal. */
const onGridKrwPrice = fc.tuple(fc.constantFrom(...BAND_FLOORS), fc.integer({ min: 0, max: 100_000 })).map(([floor, k]) => {
  const tick = new Money(krwTickSize(floor));
  return new Money(floor).plus(tick.times(k)).toNumber();
});

describe('the numeric KRW tick table', () => {
  it('gives, for every price, the decimal tick of the string table as a number (decimal.js through the project’s Money)', () => {
    fc.assert(
      fc.property(anyPrice, (price) => {
        expect(krwTickSizeNumber(price)).toBe(new Money(krwTickSize(price)).toNumber());
        expect(krwTickSizeNumber(price)).toBe(Number(krwTickSize(price)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('leaves the grid check as it was: the same verdict and the same reason, for every market and price', () => {
    fc.assert(
      fc.property(market, fc.oneof(anyPrice, onGridKrwPrice), (m, price) => {
        expect(implausiblePrice(m, price)).toBe(implausibleBefore(m, price));
      }),
      { numRuns: 5_000 },
    );
  });

  // The whole-won fast path of implausiblePrice (docs/performance.md, "After K") answers without
  // the grid arithmetic: it must give the verdict and reason the arithmetic gives, for every
  // whole price of every band (up to 1e15, above which a price is refused before the grid).
  const wholePrice = fc.oneof(
    fc.integer({ min: 1, max: 10_000_000 }),
    fc.maxSafeNat().map((n) => (n % 1e15) + 1),
    fc.constantFrom(...BAND_FLOORS.filter((f) => f >= 1)).chain((f) => fc.integer({ min: -2_000, max: 2_000 }).map((d) => Math.max(1, f + d))),
  );

  it('leaves the grid check as it was for whole prices (the fast path): same verdict and reason, for every market', () => {
    fc.assert(
      fc.property(market, wholePrice, (m, price) => {
        expect(Number.isInteger(price)).toBe(true);
        expect(implausiblePrice(m, price)).toBe(implausibleBefore(m, price));
        expect(implausiblePrice('KRW-BTC', price)).toBe(implausibleBefore('KRW-BTC', price));
      }),
      { numRuns: 10_000 },
    );
  });

  it('leaves the grid check as it was for every whole price at the edges of every KRW band', () => {
    const floors = [...BAND_FLOORS.filter((f) => f >= 1), 1e15];
    for (const f of floors) {
      for (let p = Math.max(1, f - 3_000); p <= Math.min(1e15, f + 3_000); p++) {
        expect(implausiblePrice('KRW-BTC', p)).toBe(implausibleBefore('KRW-BTC', p));
      }
    }
    // And the whole prices just below 1e15, the largest a market may print.
    for (let p = 1e15 - 3_000; p <= 1e15; p++) expect(implausiblePrice('KRW-X', p)).toBe(implausibleBefore('KRW-X', p));
  });

  it('accepts every KRW price on today’s grid', () => {
    fc.assert(
      fc.property(onGridKrwPrice, (price) => {
        expect(implausiblePrice('KRW-BTC', price)).toBeNull();
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('DEFAULT fields read by name, SIMPLE through the key table', () => {
  const base: Record<string, unknown> = (() => {
    const v: unknown = JSON.parse(readFileSync(new URL('../fixtures/ws/ticker-default.json', import.meta.url), 'utf8'));
    if (!isRecord(v)) throw new Error('ticker-default.json is not an object');
    return v;
  })();
  const keys = Object.keys(base);
  const twins = (wire: Record<string, unknown>): [ReturnType<typeof parseQuotationFrame>, ReturnType<typeof parseQuotationFrame>] => [
    parseQuotationFrame(Buffer.from(JSON.stringify(wire))),
    parseQuotationFrame(Buffer.from(JSON.stringify(toSimpleKeys(wire, TICKER_SIMPLE_KEYS)))),
  ];

  it('give the same event, valid or not, with any fields replaced by any JSON value or removed', () => {
    const edit = fc.record({ key: fc.constantFrom(...keys), value: fc.option(fc.jsonValue(), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 4 }), (edits) => {
        const wire: Record<string, unknown> = { ...base };
        for (const { key, value } of edits) {
          if (value === undefined) delete wire[key];
          else wire[key] = value;
        }
        const [fromDefault, fromSimple] = twins(wire);
        expect(fromSimple).toEqual(fromDefault);
      }),
      { numRuns: 3_000 },
    );
  });

  it('give the same ticker for prices and figures across Upbit’s range', () => {
    const figure = fc.double({ min: 0, max: 1e12, noNaN: true });
    fc.assert(
      fc.property(onGridKrwPrice, figure, figure, fc.constantFrom('RISE', 'EVEN', 'FALL'), (price, volume, value, change) => {
        const [fromDefault, fromSimple] = twins({ ...base, trade_price: price, acc_trade_volume_24h: volume, acc_trade_price: value, change });
        expect(fromDefault[0]?.kind).toBe(price > 0 ? 'ticker' : 'invalid');
        expect(fromSimple).toEqual(fromDefault);
      }),
      { numRuns: 2_000 },
    );
  });
});
