/**
 * The order ticket's view (src/ui/ticket-derive.ts): the price snapped in the user's favour,
 * the session check's sentences, totals with the fee, the market-order estimate against a
 * fixture book, and the warnings for a stale, missing or thin book.
 */
import { describe, expect, it } from 'vitest';

import { Money } from '../../src/trading/decimal.js';
import { confirmationText } from '../../src/ui/ticket-derive.js';
import { openTicket, reduceTicket, type TicketState } from '../../src/ui/ticket-state.js';
import { BTC_UNITS, btcBook, checkWith, ctxWith, view } from './ticket-fixtures.js';

const ticket = (side: 'bid' | 'ask', text: Partial<TicketState['text']>, over: Partial<TicketState> = {}): TicketState => {
  const s = openTicket({ market: 'KRW-BTC', side, mode: 'sim', ...('ordType' in over ? { ordType: over.ordType } : {}) });
  return { ...s, ...over, text: { ...s.text, ...text } };
};

describe('price on the grid, in the user’s favour', () => {
  it('a buy snaps down, and the intent carries the snapped price', () => {
    const v = view(ticket('bid', { price: '95000500', volume: '0.001' }));
    expect(v.price).toMatchObject({ rounded: 'down' });
    expect(v.price?.snapped.toFixed()).toBe('95000000');
    expect(v.priceNote).toBe('95,000,500 is off the price grid: 95,000,000 KRW is sent (rounded down, in your favour).');
    expect(v.problems).toEqual([]);
    expect(v.intent).toMatchObject({ ordType: 'limit', side: 'bid' });
    expect(v.intent?.ordType === 'limit' && v.intent.price.toFixed()).toBe('95000000');
  });

  it('a sell snaps up, across a band edge onto the coarser grid', () => {
    const s = openTicket({ market: 'KRW-XRP', side: 'ask', mode: 'sim' });
    const v = view({ ...s, text: { ...s.text, price: '999700', volume: '10' } }, ctxWith({ book: undefined, available: { quote: new Money(0), base: new Money(100) } }));
    expect(v.price?.snapped.toFixed()).toBe('1000000');
    expect(v.price?.rounded).toBe('up');
    expect(v.priceNote).toMatch(/1,000,000 KRW is sent \(rounded up, in your favour\)/);
  });

  it('an on-tick price has no note', () => {
    expect(view(ticket('bid', { price: '95000000', volume: '0.001' })).priceNote).toBeNull();
  });
});

describe('the check, totals and fee', () => {
  it('below the minimum total is refused with the check’s sentence, and nothing to send', () => {
    const v = view(ticket('bid', { price: '95000000', volume: '0.00001' }));
    expect(v.intent).toBeNull();
    expect(v.problems.map((p) => p.message)).toContain("Order total 950 KRW is below Upbit's 5,000 KRW minimum; raise the volume to at least 0.00005264 BTC.");
  });

  it('a limit buy costs price × volume plus the fee; a limit sell brings it in minus the fee', () => {
    const buy = view(ticket('bid', { price: '95000000', volume: '0.01' }));
    expect(buy.amounts).toMatchObject({ kind: 'cost', estimated: false });
    expect([buy.amounts?.gross.toFixed(), buy.amounts?.fee.toFixed(), buy.amounts?.net.toFixed()]).toEqual(['950000', '475', '950475']);
    const sell = view(ticket('ask', { price: '95000000', volume: '0.01' }));
    expect([sell.amounts?.kind, sell.amounts?.net.toFixed()]).toEqual(['proceeds', '949525']);
  });

  it('says when it is more than is available, and passes the check’s caveats on', () => {
    const v = view(ticket('bid', { price: '95000000', volume: '1' }), ctxWith({ check: checkWith({ available: { quote: '1000000' } }, ['Balances were not read yet.']) }));
    expect(v.problems.map((p) => p.code)).toEqual(['insufficient_funds']);
    expect(v.caveats).toEqual(['Balances were not read yet.']);
  });

  it('confirmation: the whole order in words, LIVE flagged', () => {
    const s = ticket('bid', { price: '95000000', volume: '0.01' }, { timeInForce: 'post_only', mode: 'live' });
    const live = ctxWith({ mode: 'live', book: btcBook(BTC_UNITS.map((u) => ({ ...u, askPrice: u.askPrice + 100_000 }))) });
    const v = view(s, live);
    const confirming = reduceTicket(s, { type: 'confirm', intent: v.intent });
    expect(confirmationText(v, confirming)).toEqual(['LIVE order: real money on Upbit.', 'Buy 0.01 BTC at 95,000,000 KRW (limit, post-only) — total 950,475 KRW incl. 475 KRW fee']);
  });

  it('a post-only that would cross the book is warned about (Upbit would cancel it)', () => {
    const v = view(ticket('bid', { price: '95000000', volume: '0.01' }, { timeInForce: 'post_only' }));
    expect(v.warnings).toEqual(['A post-only buy at 95,000,000 KRW would trade against the book now, so Upbit would cancel it; lower the price.']);
  });
});

describe('market orders against the book', () => {
  const rich = ctxWith({ available: { quote: new Money('2000000'), base: new Money('0.5') } });
  it('a market buy: average fill price and slippage walked against the fixture book', () => {
    const v = view(ticket('bid', { total: '1000000' }, { ordType: 'price' }), rich);
    const e = v.estimate!;
    expect(e.takes.map((t) => t.price.toFixed())).toEqual(['95000000', '95010000']);
    expect(e.averagePrice!.gt(95_000_000)).toBe(true);
    expect(e.slippageFunds.toDecimalPlaces(2).toFixed()).toBe('5.26');
    expect(v.warnings).toEqual([]);
    expect(v.intent).toMatchObject({ ordType: 'price', side: 'bid' });
    expect([v.amounts?.kind, v.amounts?.net.toFixed()]).toEqual(['cost', '1000500']);
    const words = confirmationText(v, reduceTicket(ticket('bid', { total: '1000000' }, { ordType: 'price' }), { type: 'confirm', intent: v.intent }));
    expect(words[1]).toBe('Buy BTC at market for 1,000,000 KRW (market) — up to 1,000,500 KRW incl. 500 KRW fee');
    expect(words[2]).toMatch(/^Estimate: 0\.01052626 BTC at an average 95,000,499\.\d+ KRW \(best 95,000,000 KRW\), slippage 0\.001 % \(5\.26 KRW\)\.$/);
  });

  it('a market sell: proceeds are an estimate from the bids', () => {
    const v = view(ticket('ask', { volume: '0.02' }, { ordType: 'market' }));
    expect(v.amounts).toMatchObject({ kind: 'proceeds', estimated: true });
    expect(v.amounts?.gross.toFixed()).toBe('1899700');
    expect(v.estimate?.averagePrice?.toFixed()).toBe('94985000');
  });

  it('warns when the book is stale, or missing', () => {
    const s = ticket('bid', { total: '1000000' }, { ordType: 'price' });
    expect(view(s, ctxWith({ bookAgeMs: 12_000 })).warnings).toEqual(['The order book is 12s old (the feed may have stalled): the estimate may be far off.']);
    const none = view(s, ctxWith({ book: undefined }));
    expect(none.estimate).toBeNull();
    expect(none.warnings).toEqual(['No order book of KRW-BTC yet: the fill price cannot be estimated.']);
    expect(view(s, ctxWith({ book: btcBook(BTC_UNITS, 'KRW-ETH') })).estimate).toBeNull();
  });

  it('a thin book: the remainder it cannot fill is said', () => {
    const v = view(ticket('ask', { volume: '0.2' }, { ordType: 'market' }));
    expect(v.estimate?.unfilled.toFixed()).toBe('0.11');
    expect(v.warnings).toEqual(["The book is too thin: 0.11 BTC of the order finds nothing in the book's top 30 bids and would not be sold."]);
  });

  it('a best-price buy is walked only at the best ask, and a fill-or-kill would be cancelled whole', () => {
    const v = view(ticket('bid', { total: '1000000' }, { ordType: 'best', timeInForce: 'fok' }), rich);
    expect(v.estimate?.volume.toFixed()).toBe('0.01');
    expect(v.estimate?.unfilled.toFixed()).toBe('50000');
    expect(v.warnings).toEqual(['The book is too thin: 50,000 KRW of the order finds nothing at the best ask: a fill-or-kill would be cancelled whole.']);
    expect(v.intent).toMatchObject({ ordType: 'best', timeInForce: 'fok' });
  });
});
