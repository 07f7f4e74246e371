/**
 * The order ticket's reducer and key map (src/ui/ticket-state.ts), without rendering: typing
 * goes into the focused field whatever it is, the price steps one tick across a band edge,
 * quick sizes are net of fees, and an order is sent once, in LIVE only after the second key.
 */
import { describe, expect, it } from 'vitest';

import { Money } from '../../src/trading/decimal.js';
import { bidCost, buyTotalForPercent } from '../../src/trading/money.js';
import { openTicket, reduceTicket, stepTicket, ticketEvent, TICKET_KEYS, type TicketState } from '../../src/ui/ticket-state.js';
import { FEE, ctxWith, key, press, typed, view } from './ticket-fixtures.js';

const ctx = ctxWith();
const limitBuy = (): TicketState => openTicket({ market: 'KRW-BTC', side: 'bid', mode: 'sim' });
const limitSell = (): TicketState => openTicket({ market: 'KRW-BTC', side: 'ask', mode: 'sim' });
const at = (price: string, s = limitBuy()): TicketState => ({ ...s, text: { ...s.text, price } });

describe('typing', () => {
  it('opens on the first amount and types into it; Tab and ↓/↑ move through the fields', () => {
    let s = press(limitBuy(), ctx, '9', '5', '0', '0');
    expect(s.focus).toBe('price');
    expect(s.text.price).toBe('9500');
    s = press(s, ctx, ['', { tab: true }], '1');
    expect(s.focus).toBe('volume');
    expect(s.text.volume).toBe('1');
    s = press(s, ctx, ['', { downArrow: true }], ['', { downArrow: true }]);
    expect(s.focus).toBe('type');
    s = press(s, ctx, ['', { upArrow: true }], ['', { tab: true, shift: true }]);
    expect(s.focus).toBe('volume');
  });

  it('a q typed into a price is a q, not quit (and the check says it is not a number)', () => {
    expect(ticketEvent('q', key(), limitBuy(), view(limitBuy()))).toEqual({ type: 'type-char', text: 'q' });
    const s = press(limitBuy(), ctx, '9', 'q');
    expect(s.text.price).toBe('9q');
    expect(view(s).problems.map((p) => p.code)).toContain('not_a_number');
  });

  it('backspace and ctrl+u edit the focused field only', () => {
    let s = press(limitBuy(), ctx, '1', '2', '3', ['', { backspace: true }]);
    expect(s.text.price).toBe('12');
    s = press(s, ctx, ['', { tab: true }], '5', ['u', { ctrl: true }]);
    expect(s.text).toEqual({ price: '12', volume: '', total: '' });
  });

  it('keeps a decimal comma as typed and never reads it as a thousands separator', () => {
    let s = press(limitBuy(), ctx, ...'95000000');
    s = press(s, ctx, ['', { tab: true }], ...'0,001');
    expect(s.text.volume).toBe('0,001');
    const v = view(s);
    expect(v.intent).toBeNull();
    expect(v.problems.find((p) => p.field === 'volume')?.message).toMatch(/ambiguous: 0\.001 with a decimal comma, or 1 with a thousands comma/);
    // Grouping that cannot be misread is accepted.
    expect(view(at('95,000,000', s)).price?.snapped.toFixed()).toBe('95000000');
  });

  it('cycles the types of the side and keeps the time in force to what the type allows', () => {
    let s = reduceTicket(limitBuy(), { type: 'cycle-type', direction: 1 });
    expect([s.ordType, s.timeInForce]).toEqual(['price', null]);
    s = reduceTicket(s, { type: 'cycle-type', direction: 1 });
    expect([s.ordType, s.timeInForce]).toEqual(['best', 'ioc']);
    s = reduceTicket(s, { type: 'cycle-tif', direction: 1 });
    expect(s.timeInForce).toBe('fok');
    s = reduceTicket(s, { type: 'cycle-tif', direction: 1 });
    expect(s.timeInForce).toBe('ioc');
    expect(reduceTicket(limitSell(), { type: 'cycle-type', direction: 1 }).ordType).toBe('market');
    const limit = reduceTicket(limitBuy(), { type: 'cycle-tif', direction: -1 });
    expect(limit.timeInForce).toBe('post_only');
  });

  it('←/→ and space change the type on the type field, and type nothing', () => {
    const onType = { ...limitBuy(), focus: 'type' as const };
    expect(press(onType, ctx, ['', { rightArrow: true }]).ordType).toBe('price');
    expect(press(onType, ctx, ' ').ordType).toBe('price');
    expect(press(onType, ctx, ['', { leftArrow: true }]).ordType).toBe('best');
    expect(press(onType, ctx, 'q').text).toEqual(onType.text);
  });

  it('prefills the price from the book (a buy at the best ask, a sell at the best bid) until it is touched', () => {
    const book = { type: 'prefill', bid: 94_990_000, ask: 95_000_000 } as const;
    expect(reduceTicket(limitBuy(), book).text.price).toBe('95000000');
    expect(reduceTicket(limitSell(), book).text.price).toBe('94990000');
    const touched = typed(limitBuy(), '9');
    expect(reduceTicket(touched, book).text.price).toBe('9');
  });
});

describe('step-price', () => {
  const step = (s: TicketState, direction: 1 | -1) => reduceTicket(s, { type: 'step-price', direction });

  it('steps one tick across the 1,000,000 KRW band edge (500 below, 1,000 above)', () => {
    let s = at('999500');
    s = step(s, 1);
    expect(s.text.price).toBe('1000000');
    s = step(s, 1);
    expect(s.text.price).toBe('1001000');
    s = step(s, -1);
    expect(s.text.price).toBe('1000000');
    s = step(s, -1);
    expect(s.text.price).toBe('999500');
  });

  it('an off-tick price snaps onto the grid in the step’s direction first', () => {
    expect(step(at('999700'), 1).text.price).toBe('1000000');
    expect(step(at('999700'), -1).text.price).toBe('999500');
    expect(step(at('95000500'), 1).text.price).toBe('95001000');
  });

  it('+ and - step on the price field; PgUp/PgDn anywhere; never below one tick', () => {
    expect(press(at('1000000'), ctx, '+').text.price).toBe('1001000');
    expect(press(at('1000000'), ctx, '-').text.price).toBe('999500');
    expect(press({ ...at('1000000'), focus: 'volume' }, ctx, ['', { pageUp: true }]).text.price).toBe('1001000');
    expect(step(at('0.00000001'), -1).text.price).toBe('0.00000001');
    expect(step(at('abc'), 1).text.price).toBe('abc');
  });
});

describe('quick sizes, net of fees', () => {
  const available = { quote: new Money('1000000'), base: new Money('0.12345678') };
  const quick = (s: TicketState, index: number) => reduceTicket(s, { type: 'quick-size', index, available, feeRate: FEE });

  it('a limit buy: the largest volume whose cost with the fee fits the share', () => {
    const s = quick(at('95000000'), 1);
    const volume = new Money(s.text.volume);
    expect(s.text.volume).toBe('0.00526052');
    expect(bidCost('95000000', volume, FEE).lte(500_000)).toBe(true);
    expect(bidCost('95000000', volume.plus('0.00000001'), FEE).gt(500_000)).toBe(true);
  });

  it('a limit buy is sized at its price on the grid, and asks for a price first', () => {
    expect(quick(at('95000999'), 1).text.volume).toBe('0.00526052');
    expect(quick(limitBuy(), 1).message).toMatch(/Enter a price first/);
  });

  it('a market buy: a whole-won total whose fee fits too', () => {
    const s = quick(reduceTicket(limitBuy(), { type: 'cycle-type', direction: 1 }), 3);
    expect(s.text.total).toBe('999500');
    expect(new Money(s.text.total).mul('1.0005').lte(1_000_000)).toBe(true);
    expect(s.text.total).toBe(buyTotalForPercent('1000000', 100, FEE).toFixed());
  });

  it('a sell: the share of the coin, 8 decimals down (the fee comes out of the proceeds)', () => {
    expect(quick(limitSell(), 0).text.volume).toBe('0.03086419');
    expect(quick(limitSell(), 3).text.volume).toBe('0.12345678');
  });

  it('on keys that do not clash with typing: 1-4 on the quick-size field, Alt+1-4 anywhere', () => {
    const s = at('95000000');
    expect(press(s, ctx, ['2', { meta: true }]).text).toMatchObject({ price: '95000000', volume: '0.00526052' });
    expect(press(s, ctx, '2').text.price).toBe('950000002');
    const onQuick = press(s, ctx, ['', { tab: true }], ['', { tab: true }]);
    expect(onQuick.focus).toBe('quick');
    expect(press(onQuick, ctx, '2').text.volume).toBe('0.00526052');
    expect(press(onQuick, ctx, 'x').text).toEqual(onQuick.text);
  });

  it('says so when balances are not read yet', () => {
    expect(reduceTicket(limitSell(), { type: 'quick-size', index: 0, available: undefined, feeRate: FEE }).message).toMatch(/Balances are not read yet/);
  });

  it('takes its percentages from config', () => {
    const s = openTicket({ market: 'KRW-BTC', side: 'ask', mode: 'sim', quickSizes: [10, 20] });
    expect(reduceTicket(s, { type: 'quick-size', index: 0, available, feeRate: FEE }).text.volume).toBe('0.01234567');
    expect(reduceTicket(s, { type: 'quick-size', index: 2, available, feeRate: FEE })).toBe(s);
  });
});

describe('confirming and sending', () => {
  const ready = (mode: 'sim' | 'live' = 'sim'): TicketState => ({ ...openTicket({ market: 'KRW-BTC', side: 'bid', mode }), text: { price: '95000000', volume: '0.001', total: '' } });

  it('Enter reviews the order; with problems it stays editing and says why', () => {
    const s = press(ready(), ctx, ['\r', { return: true }]);
    expect(s.phase).toBe('confirming');
    expect(s.pending).toMatchObject({ ordType: 'limit', side: 'bid' });
    const bad = press(at('95000000'), ctx, ['\r', { return: true }]);
    expect(bad.phase).toBe('editing');
    expect(bad.message).toMatch(/has problems/);
  });

  it('cannot be sent twice: the second y finds it in flight, and no key changes anything until the result', () => {
    const confirming = press(ready(), ctx, ['\r', { return: true }]);
    const first = stepTicket(confirming, { type: 'confirm-send' });
    expect(first.place).toBe(confirming.pending);
    expect(first.state.phase).toBe('sending');
    const second = stepTicket(first.state, { type: 'confirm-send' });
    expect(second.place).toBeNull();
    expect(second.state).toBe(first.state);
    for (const k of ['y', 'Y', '1', 'q'] as const) expect(ticketEvent(k, key(), first.state, view(first.state))).toBeNull();
    expect(ticketEvent('', key({ return: true }), first.state, view(first.state))).toBeNull();
    expect(reduceTicket(first.state, { type: 'type-char', text: '9' })).toBe(first.state);
    const done = reduceTicket(first.state, { type: 'result', ok: true, text: 'Filled.' });
    expect([done.phase, done.message]).toEqual(['done', 'Filled.']);
  });

  it('in LIVE, y is not enough: it needs Y (shift+y), the explicit second key', () => {
    const live = ctxWith({ mode: 'live' });
    const confirming = press(ready('live'), live, ['\r', { return: true }]);
    const y = stepTicket(confirming, ticketEvent('y', key(), confirming, view(confirming, live))!);
    expect(y.place).toBeNull();
    expect(y.state.phase).toBe('confirming');
    expect(y.state.message).toMatch(/LIVE.*type Y \(shift\+y\)/);
    const Y = stepTicket(y.state, ticketEvent('Y', key({ shift: true }), y.state, view(y.state, live))!);
    expect(Y.place).toEqual(confirming.pending);
    expect(Y.state.phase).toBe('sending');
  });

  it('n and Esc go back to editing with the fields kept; Esc while editing closes', () => {
    const confirming = press(ready(), ctx, ['\r', { return: true }]);
    for (const back of [press(confirming, ctx, 'n'), press(confirming, ctx, ['', { escape: true }])]) {
      expect(back.phase).toBe('editing');
      expect(back.text).toEqual(confirming.text);
    }
    expect(ticketEvent('', key({ escape: true }), ready(), view(ready()))).toEqual({ type: 'close' });
  });

  it('a refusal is shown, and editing again goes back to editing', () => {
    const sending = stepTicket(press(ready(), ctx, ['\r', { return: true }]), { type: 'confirm-send' }).state;
    const refused = reduceTicket(sending, { type: 'result', ok: false, text: 'Refused: not enough funds.' });
    expect([refused.phase, refused.message]).toEqual(['refused', 'Refused: not enough funds.']);
    const editing = press(refused, ctx, ['', { backspace: true }]);
    expect([editing.phase, editing.message, editing.text.price]).toEqual(['editing', null, '9500000']);
  });

  it('lists its keys for the help overlay', () => {
    expect(TICKET_KEYS.map((k) => k.keys)).toEqual(expect.arrayContaining(['enter', 'alt+1-4', 'Y (shift+y)', '+/-']));
  });
});
