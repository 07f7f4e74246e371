/**
 * The client's pre-trade check (`checkOrder`, src/trading/money.ts) accepts exactly the orders
 * the exchange accepts (`validateOrder`, src/exchange/validate.ts), behind both views the
 * exchange runs on: the paper venue's (`LiveMarketView`, every Upbit market, instrument ticks
 * from the quotation API) and the simulator's (`createSimMarketView`, KRW markets, the table's
 * ticks). Both read Upbit's one table (src/upbit/trading-rules.ts); this shows they read it
 * the same way.
 *
 * Where they legitimately differ, the difference is named in KNOWN_DIFFERENCES and recognised
 * case by case; any other disagreement fails with the order and both verdicts.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { ExchangeError, validateOrder, type MarketView, type OrderRequest } from '../../src/exchange/index.js';
import { createSimMarketView, type Level } from '../../src/sim/market-data/order-book.js';
import { Dec } from '../../src/sim/price-grid.js';
import { Decimal, Money, checkOrder, roundBuyPrice, tickSize, toMoney, tradingRules, type InstrumentTicks, type OrderProblem, type OrderProblemCode } from '../../src/trading/money.js';
import { LiveMarketView } from '../../src/trading/paper/market-view.js';
import { splitMarketCode } from '../../src/upbit/market-code.js';
import type { OrdType, Side, TimeInForce } from '../../src/upbit/order-types.js';
import type { Instrument, OrderbookSnapshot } from '../../src/upbit/rest/types.js';
import { UPBIT_RULES, type QuoteCurrency } from '../../src/upbit/trading-rules.js';

const RUNS = { numRuns: 3000 };

function splitMarket(market: string): { quote: QuoteCurrency; base: string } {
  const parts = splitMarketCode(market);
  const quote = parts?.quote;
  if (parts === null || (quote !== 'KRW' && quote !== 'BTC' && quote !== 'USDT')) throw new Error(`not a market code: ${market}`);
  return { quote, base: parts.base };
}

/** Markets across every KRW band and the BTC and USDT tables; `ref` is the last trade, one step above the best bid. */
const MARKETS: ReadonlyArray<{ market: string; ref: string }> = [
  { market: 'KRW-BTC', ref: '130000000' },
  { market: 'KRW-BCH', ref: '1000000' },
  { market: 'KRW-ETH', ref: '4800000' },
  { market: 'KRW-SOL', ref: '250000' },
  { market: 'KRW-AAVE', ref: '99950' },
  { market: 'KRW-LINK', ref: '33000' },
  { market: 'KRW-ETC', ref: '10000' },
  { market: 'KRW-SUI', ref: '5200' },
  { market: 'KRW-XRP', ref: '3200' },
  { market: 'KRW-DOGE', ref: '300' },
  { market: 'KRW-TRX', ref: '45.5' },
  { market: 'KRW-SEI', ref: '5.55' },
  { market: 'KRW-HBAR', ref: '0.555' },
  { market: 'KRW-SHIB', ref: '0.0185' },
  { market: 'KRW-BTT', ref: '0.0013' },
  { market: 'KRW-PEPE', ref: '0.00012' },
  { market: 'BTC-ETH', ref: '0.037' },
  { market: 'BTC-XRP', ref: '0.00002' },
  { market: 'USDT-BTC', ref: '95000.12' },
  { market: 'USDT-XRP', ref: '2.345' },
  { market: 'USDT-SHIB', ref: '0.0000123' },
];
/** A well-formed code no view lists. */
const UNLISTED = 'KRW-NOPE';

/**
 * The differences between the two checks that are meant, each recognised by `explain` below.
 */
const KNOWN_DIFFERENCES = {
  wholeWonTotal:
    "the client refuses a KRW market-buy or best-bid total that is not whole won (the table's totalDecimals, UNCERTAIN on Upbit: the client errs on the safe side); the exchange takes any positive total",
  coarserInstrumentTick:
    "given an instrument tick, the client prices a KRW limit on the coarser of it and the table's tick (src/trading/rules.ts, tickSize), so a limit on its own finer band's grid far from the market is refused by the client and accepted by the simulator, whose view uses the table's band",
  lastTradeReference:
    'the exchange values a market or best-price sell at the best bid; the client values it at the reference price it is given, which the CLI takes from the last trade (src/trading/order-context.ts), so near the minimum or maximum the two can fall on either side',
  unlistedMarket: 'the client knows the market-code syntax, not which markets are listed; the exchange refuses a market its view does not have (market_does_not_exist)',
  bookDepth:
    'the exchange refuses a market order larger than the 30 visible levels can fill; the client check does not see the book (the books here are deep enough that this never applies, so it is never accepted as an explanation)',
} as const;
type Difference = keyof typeof KNOWN_DIFFERENCES;

/** Which client problems stand for which exchange error (by Upbit's error name, side stripped). */
const SAME_REASON: Readonly<Record<string, readonly OrderProblemCode[]>> = {
  validation_error: ['missing', 'not_positive', 'not_a_number', 'too_many_decimals', 'time_in_force', 'not_allowed'],
  create_error: ['not_allowed', 'time_in_force'],
  invalid_price: ['off_tick'],
  under_min_total: ['below_min_total'],
  over_max_total: ['above_max_total'],
  insufficient_funds: ['insufficient_funds'],
  market_does_not_exist: ['market'],
};

interface Book {
  asks: Array<{ price: Decimal; size: Decimal }>;
  bids: Array<{ price: Decimal; size: Decimal }>;
}

/** 30 levels a side around `ref`, one reference tick apart, each deep enough that no generated market order outgrows the book. */
function bookAround(market: string, ref: Decimal): Book {
  const tick = tickSize(market, ref);
  const { quote } = splitMarket(market);
  const cap = new Money(UPBIT_RULES[quote].maxTotal ?? '1000000');
  const size = cap.mul(10).div(ref).toDecimalPlaces(8, Decimal.ROUND_UP);
  const asks = Array.from({ length: 30 }, (_, i) => ({ price: ref.plus(tick.mul(i)), size }));
  const bids = Array.from({ length: 30 }, (_, i) => ({ price: ref.minus(tick.mul(i + 1)), size })).filter((l) => l.price.isPositive() && !l.price.isZero());
  return { asks, bids };
}

const BOOKS = new Map(MARKETS.map(({ market, ref }) => [market, bookAround(market, new Money(ref))]));
const REFS = new Map(MARKETS.map(({ market, ref }) => [market, new Money(ref)]));
/** What `GET /v1/orderbook/instruments` answers: the tick of the band the market trades in. */
const INSTRUMENTS: InstrumentTicks = new Map(MARKETS.map(({ market, ref }) => [market, tickSize(market, ref)]));

function paperQuotes(): ConstructorParameters<typeof LiveMarketView>[0] {
  return {
    orderbook(markets): Promise<OrderbookSnapshot[]> {
      return Promise.resolve(markets.flatMap((market) => {
        const book = BOOKS.get(market);
        if (book === undefined) return [];
        const units = book.asks.map((a, i) => ({ askPrice: a.price, askSize: a.size, bidPrice: book.bids[i]?.price ?? new Money(0), bidSize: book.bids[i]?.size ?? new Money(0) }));
        return [{ market, timestamp: 0, totalAskSize: new Money(0), totalBidSize: new Money(0), units, level: new Money(0) }];
      }));
    },
    instruments(markets): Promise<Instrument[]> {
      return Promise.resolve(markets.flatMap((market) => {
        const tick = INSTRUMENTS.get(market);
        return tick === undefined ? [] : [{ market, quoteCurrency: splitMarket(market).quote, tickSize: toMoney(tick), supportedLevels: [] }];
      }));
    },
  };
}

function simView(): MarketView {
  const krw = MARKETS.filter((m) => m.market.startsWith('KRW-'));
  const has = (code: string): boolean => krw.some((m) => m.market === code);
  const level = (l: { price: Decimal; size: Decimal }): Level => ({ price: new Dec(l.price), size: new Dec(l.size) });
  return createSimMarketView({
    has,
    book: (code) => {
      const b = has(code) ? BOOKS.get(code) : undefined;
      return b === undefined ? undefined : { asks: b.asks.map(level), bids: b.bids.map(level) };
    },
    lastPrice: (code) => (has(code) ? new Dec(REFS.get(code) ?? 0) : undefined),
  });
}

/** An order as sent on the wire, plus the balances behind it. */
interface Case {
  market: string;
  side: Side;
  ordType: OrdType;
  /** The wire's `price`: a unit price on limits, the total to spend on market and best-price buys. */
  price: string | undefined;
  volume: string | undefined;
  timeInForce: TimeInForce | undefined;
  /** Available balances as a share of what the order needs (1 = exactly enough). */
  quoteShare: number;
  baseShare: number;
  /** What the client values a market or best-price sell at: the best bid (as the exchange does) or the last trade. */
  reference: 'bid' | 'last';
}

const FACTORS = [0.3, 0.999, 1, 1.0001, 1.5, 10, 1000, 199_999, 200_001] as const;
/**
 * Amounts neither side may take. Typed forms the client reads before anything is sent (`.5`,
 * `1,000`, an empty field meaning "not entered") are not among them: the wire only ever
 * carries the plain decimal the client made of them.
 */
const WEIRD = ['0', '0.0', '-1', '1e3', '0x10'] as const;

function caseArb(markets: readonly string[]): fc.Arbitrary<Case> {
  return fc
    .record({
      market: fc.constantFrom(...markets),
      side: fc.constantFrom<Side>('bid', 'ask'),
      ordType: fc.constantFrom<OrdType>('limit', 'limit', 'price', 'market', 'best'),
      timeInForce: fc.constantFrom<TimeInForce | undefined>(undefined, undefined, undefined, 'ioc', 'fok', 'post_only'),
      // Limit price: a move off the reference (per mille), then on the grid, off it by half a step, or raw digits.
      move: fc.integer({ min: -950, max: 3000 }),
      priceMode: fc.constantFrom('grid', 'grid', 'grid', 'half', 'raw'),
      rawDecimals: fc.integer({ min: 0, max: 12 }),
      // Totals and volumes: around the minimum and the maximum, with 0–10 decimals.
      factor: fc.constantFrom(...FACTORS),
      decimals: fc.integer({ min: 0, max: 10 }),
      // Which amounts are sent: what the type takes, or a mistake (one missing, one too many).
      fields: fc.constantFrom('right', 'right', 'right', 'right', 'right', 'right', 'noPrice', 'noVolume', 'both'),
      weird: fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...WEIRD) }),
      quoteShare: fc.constantFrom(0, 0.9999, 1, 1, 1.0001, 3, 3, 3),
      baseShare: fc.constantFrom(0, 0.9999, 1, 1, 1.0001, 3, 3, 3),
      reference: fc.constantFrom<'bid' | 'last'>('bid', 'last'),
    })
    .map((g): Case => {
      const ref = REFS.get(g.market) ?? new Money(1);
      const { quote } = splitMarket(g.market);
      const min = new Money(UPBIT_RULES[quote].minTotal);
      const moved = ref.mul(1000 + g.move).div(1000);
      const grid = roundBuyPrice(g.market, moved);
      const unit = grid.isZero() ? tickSize(g.market, moved) : grid;
      const limitPrice = g.priceMode === 'grid' ? unit : g.priceMode === 'half' ? unit.plus(tickSize(g.market, unit).div(2)) : moved.toDecimalPlaces(g.rawDecimals, Decimal.ROUND_DOWN);
      const total = min.mul(g.factor).toDecimalPlaces(g.decimals, Decimal.ROUND_HALF_UP);
      const valueAt = g.ordType === 'limit' ? limitPrice : ref;
      const volume = min.mul(g.factor).div(valueAt).toDecimalPlaces(g.decimals, Decimal.ROUND_HALF_UP);
      const spends = g.ordType === 'price' || (g.ordType === 'best' && g.side === 'bid');
      let price: string | undefined = g.ordType === 'limit' ? limitPrice.toFixed() : spends ? total.toFixed() : undefined;
      let vol: string | undefined = g.ordType === 'limit' || !spends ? volume.toFixed() : undefined;
      if (g.fields === 'noPrice') price = undefined;
      if (g.fields === 'noVolume') vol = undefined;
      if (g.fields === 'both') {
        price ??= limitPrice.toFixed();
        vol ??= volume.toFixed();
      }
      if (g.weird !== null) {
        if (price !== undefined) price = g.weird;
        else vol = g.weird;
      }
      return { market: g.market, side: g.side, ordType: g.ordType, price, volume: vol, timeInForce: g.timeInForce, quoteShare: g.quoteShare, baseShare: g.baseShare, reference: g.reference };
    });
}

/** A wire amount as decimal.js reads it, or undefined when it is not a plain positive amount. */
function amountOf(text: string | undefined): Decimal | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return undefined;
  return new Money(text);
}

/** What the order needs locked, fee included, for the balances' shares; 1 when it cannot be said. */
function needs(c: Case): { quote: Decimal; base: Decimal } {
  const fee = tradingRules(c.market).bidFee;
  const price = amountOf(c.price);
  const volume = amountOf(c.volume);
  const spend = c.ordType === 'limit' ? (price !== undefined && volume !== undefined ? price.mul(volume) : undefined) : price;
  return { quote: spend === undefined ? new Money(1) : spend.mul(fee.plus(1)), base: volume ?? new Money(1) };
}

interface Verdicts {
  client: OrderProblem[];
  /** Upbit's error name, or null when the exchange accepted the order. */
  exchange: string | null;
}

function judge(c: Case, view: MarketView, instruments: InstrumentTicks | undefined): Verdicts {
  const { quote, base } = splitMarket(c.market);
  const need = needs(c);
  const available = { quote: need.quote.mul(c.quoteShare), base: need.base.mul(c.baseShare) };
  const priceDec = c.price === undefined || c.price === '' ? undefined : c.price;
  // The wire's `price` read as src/trading/order-request.ts's toDraft reads it: the total of a
  // market or best-price buy, else a unit price; amounts kept as typed.
  const spends = c.ordType === 'price' || (c.ordType === 'best' && c.side === 'bid');
  const client = checkOrder(
    {
      market: c.market,
      side: c.side,
      ordType: c.ordType,
      price: spends ? null : (priceDec ?? null),
      total: spends ? (priceDec ?? null) : null,
      volume: c.volume === '' ? null : (c.volume ?? null),
      timeInForce: c.timeInForce ?? null,
    },
    { ...(instruments === undefined ? {} : { instruments }), available, referencePrice: (c.reference === 'bid' ? BOOKS.get(c.market)?.bids[0]?.price : undefined) ?? REFS.get(c.market) ?? null },
  );
  const req: OrderRequest = { market: c.market, side: c.side, ord_type: c.ordType, price: c.price, volume: c.volume, time_in_force: c.timeInForce };
  let exchange: string | null = null;
  try {
    validateOrder(req, { market: view, available: (cur) => (cur === quote ? available.quote : cur === base ? available.base : new Money(0)) });
  } catch (error) {
    if (!(error instanceof ExchangeError)) throw error;
    exchange = error.upbitName;
  }
  return { client, exchange };
}

/** A market or best-price sell the client values at the last trade instead of the best bid. */
function valuedAtLastTrade(c: Case): boolean {
  return c.side === 'ask' && (c.ordType === 'market' || c.ordType === 'best') && c.reference === 'last';
}

/** The named difference that explains a disagreement, or undefined when none does. */
function explain(c: Case, v: Verdicts, instruments: InstrumentTicks | undefined): Difference | undefined {
  const codes = new Set(v.client.map((p) => `${p.code}:${p.field}`));
  if (valuedAtLastTrade(c)) {
    const limits = ['below_min_total:volume', 'above_max_total:volume'];
    if (v.exchange === null && [...codes].every((k) => limits.includes(k))) return 'lastTradeReference';
    if (v.client.length === 0 && (v.exchange === 'under_min_total_ask' || v.exchange === 'over_max_total_ask')) return 'lastTradeReference';
  }
  if (v.exchange === null) {
    const { quote } = splitMarket(c.market);
    const only = (allowed: readonly string[]): boolean => [...codes].every((k) => allowed.includes(k));
    if (quote === 'KRW' && only(['too_many_decimals:total'])) return 'wholeWonTotal';
    if (instruments !== undefined && quote === 'KRW' && c.ordType === 'limit' && only(['off_tick:price'])) {
      const price = new Money(c.price ?? '0');
      const table = tickSize(c.market, price);
      const withInstrument = tickSize(c.market, price, instruments);
      if (price.mod(table).isZero() && withInstrument.gt(table)) return 'coarserInstrumentTick';
    }
    return undefined;
  }
  if (v.client.length === 0 && v.exchange === 'market_does_not_exist' && c.market === UNLISTED) return 'unlistedMarket';
  return undefined;
}

/** When both refuse: the exchange's reason (its first) is among the client's (it lists them all). */
function sameReason(c: Case, v: Verdicts): boolean {
  if (v.exchange === null) return true;
  // lastTradeReference: the client may not see the limit the exchange saw at the best bid.
  if (valuedAtLastTrade(c) && (v.exchange === 'under_min_total_ask' || v.exchange === 'over_max_total_ask')) return true;
  // An unlisted market is refused before anything else is read.
  if (v.exchange === 'market_does_not_exist') return v.client.length > 0;
  const name = v.exchange.replace(/_(bid|ask)$/, '').replace(/^create_(bid|ask)_error$/, 'create_error');
  const codes = SAME_REASON[name] ?? [];
  // The client stops at a side the type does not have (price sell, market buy): that one
  // problem stands for all; the exchange reads the fields' formats first, then the combination.
  if (v.client.length === 1 && v.client[0]?.field === 'side') return name === 'create_error' || name === 'validation_error';
  return v.client.some((p) => codes.includes(p.code));
}

function describeCase(c: Case, v: Verdicts): string {
  return `${JSON.stringify(c)} → client ${JSON.stringify(v.client.map((p) => `${p.code}:${p.field}`))}, exchange ${v.exchange ?? 'accepted'}`;
}

/** A disagreement no named difference explains. */
function unexplained(c: Case, v: Verdicts, where: string): Error {
  const known = Object.entries(KNOWN_DIFFERENCES).map(([name, text]) => `${name}: ${text}`);
  return new Error(`the checks disagree (${where}): ${describeCase(c, v)}\nnone of the known differences applies:\n${known.join('\n')}`);
}

describe("the client's pre-trade check and the exchange's validation", () => {
  const paper = new LiveMarketView(paperQuotes());
  const seen = new Map<string, number>();
  const count = (what: string): void => {
    seen.set(what, (seen.get(what) ?? 0) + 1);
  };

  beforeAll(async () => {
    for (const { market } of MARKETS) await paper.refresh(market);
  });

  it('accept exactly the same orders behind the paper venue (KRW, BTC and USDT markets, instrument ticks)', () => {
    fc.assert(
      fc.property(caseArb([...MARKETS.map((m) => m.market), UNLISTED]), (c) => {
        const v = judge(c, paper, INSTRUMENTS);
        const agree = (v.client.length === 0) === (v.exchange === null);
        count(agree ? (v.exchange === null ? 'both accept' : 'both refuse') : 'differ');
        if (agree) {
          if (!sameReason(c, v)) throw new Error(`both refuse, for different reasons: ${describeCase(c, v)}`);
          return;
        }
        const why = explain(c, v, INSTRUMENTS);
        if (why === undefined) throw unexplained(c, v, 'paper venue');
        count(why);
      }),
      RUNS,
    );
    // The run covered acceptances, refusals and the named differences, not only one kind.
    expect(seen.get('both accept') ?? 0).toBeGreaterThan(100);
    expect(seen.get('both refuse') ?? 0).toBeGreaterThan(100);
    expect(seen.get('wholeWonTotal') ?? 0).toBeGreaterThan(0);
    expect(seen.get('unlistedMarket') ?? 0).toBeGreaterThan(0);
    expect(seen.get('lastTradeReference') ?? 0).toBeGreaterThan(0);
  });

  it('accept exactly the same orders behind the simulator (KRW markets, the table ticks), with and without instrument ticks', () => {
    const sim = simView();
    const krw = MARKETS.filter((m) => m.market.startsWith('KRW-')).map((m) => m.market);
    const before = new Map(seen);
    fc.assert(
      fc.property(caseArb(krw), fc.boolean(), (c, withInstruments) => {
        const instruments = withInstruments ? INSTRUMENTS : undefined;
        const v = judge(c, sim, instruments);
        const agree = (v.client.length === 0) === (v.exchange === null);
        if (agree) {
          if (!sameReason(c, v)) throw new Error(`both refuse, for different reasons: ${describeCase(c, v)}`);
          count(v.exchange === null ? 'sim: both accept' : 'sim: both refuse');
          return;
        }
        const why = explain(c, v, instruments);
        if (why === undefined) throw unexplained(c, v, `simulator, instrument ticks ${withInstruments ? 'given' : 'not given'}`);
        count(`sim: ${why}`);
      }),
      RUNS,
    );
    expect(seen.get('sim: both accept') ?? 0).toBeGreaterThan(100);
    expect(seen.get('sim: coarserInstrumentTick') ?? 0).toBeGreaterThan(before.get('sim: coarserInstrumentTick') ?? 0);
  });
});
