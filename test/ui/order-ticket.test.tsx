/**
 * The order ticket as drawn (src/ui/OrderTicket.tsx): fields with the focus marker, the snapped
 * price note, problems, the confirmation with the whole order in words, LIVE in red bold with
 * its own key, and the in-flight line. Each frame is read before unmount: under CI=true (as CI
 * runs) what is read after unmount is Ink's last, empty write.
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';

import { Money } from '../../src/trading/decimal.js';
import { OrderTicket } from '../../src/ui/OrderTicket.js';
import { deriveTicket, type TicketContext } from '../../src/ui/ticket-derive.js';
import { openTicket, reduceTicket, stepTicket, type TicketState } from '../../src/ui/ticket-state.js';
import { themeFor } from '../../src/ui/theme.js';
import { colourFramesPerTest, stripAnsi } from './ink-helpers.js';
import { ctxWith } from './ticket-fixtures.js';

const RED = '\u001B[31m';
const BOLD = '\u001B[1m';

colourFramesPerTest();

function frame(state: TicketState, ctx: TicketContext, colors: 'korean' | 'none' = 'none'): string {
  const r = render(<OrderTicket view={deriveTicket(state, ctx)} state={state} theme={themeFor(colors)} width={100} height={40} />);
  const out = r.lastFrame() ?? '';
  r.unmount();
  return out;
}

const buy = (mode: 'sim' | 'live', text: Partial<TicketState['text']>): TicketState => {
  const s = openTicket({ market: 'KRW-BTC', side: 'bid', mode });
  return { ...s, text: { ...s.text, ...text } };
};

describe('OrderTicket', () => {
  it('draws the fields with the focus marker and cursor, the snapped price, the fee, total and available', () => {
    const f = frame(buy('sim', { price: '95000500', volume: '0.01' }), ctxWith());
    expect(f).toContain('BUY BTC/KRW · limit buy · SIM');
    expect(f).toMatch(/^> Price +95000500_ KRW$/m);
    expect(f).toMatch(/^ {2}Volume +0\.01 BTC$/m);
    expect(f).toMatch(/^ {2}Quick size +1:25% 2:50% 3:75% 4:100%$/m);
    expect(f).toContain('95,000,500 is off the price grid: 95,000,000 KRW is sent (rounded down, in your favour).');
    expect(f).toContain('Fee 0.05 %: 475 KRW   Total cost 950,475 KRW   Available 1,000,000 KRW');
  });

  it('draws problems in the bad colour', () => {
    const f = frame(buy('sim', { price: '95000000', volume: '0.00001' }), ctxWith(), 'korean');
    expect(f).toContain(`${RED}Order total 950 KRW is below Upbit's 5,000 KRW minimum`);
  });

  it('the confirmation: the whole order in words, y to send', () => {
    const ctx = ctxWith();
    const s = buy('sim', { price: '95000000', volume: '0.01' });
    const confirming = reduceTicket(s, { type: 'confirm', intent: deriveTicket(s, ctx).intent });
    const f = stripAnsi(frame(confirming, ctx));
    expect(f).toContain('Simulated order: on the built-in exchange.');
    expect(f).toContain('Buy 0.01 BTC at 95,000,000 KRW (limit) — total 950,475 KRW incl. 475 KRW fee');
    expect(f).toContain('Press y to send, n/Esc to go back.');
  });

  it('in LIVE: LIVE in red bold, and the explicit second key', () => {
    const ctx = ctxWith({ mode: 'live' });
    const s = buy('live', { price: '95000000', volume: '0.01' });
    const confirming = reduceTicket(s, { type: 'confirm', intent: deriveTicket(s, ctx).intent });
    const f = frame(confirming, ctx, 'korean');
    expect(f).toContain(`${BOLD}${RED}LIVE order: real money on Upbit.`);
    expect(stripAnsi(f)).toContain('Type Y (shift+y) to send this LIVE order, n/Esc to go back.');
    const afterY = reduceTicket(confirming, { type: 'confirm-send' });
    expect(stripAnsi(frame(afterY, ctx))).toContain('This is a LIVE order with real money: type Y (shift+y) to send it');
  });

  it('in flight: says so and that it cannot be sent twice; then the result or the refusal', () => {
    const ctx = ctxWith({ available: { quote: new Money('2000000'), base: new Money(0) } });
    const s = buy('sim', { price: '95000000', volume: '0.01' });
    const sending = stepTicket(reduceTicket(s, { type: 'confirm', intent: deriveTicket(s, ctx).intent }), { type: 'confirm-send' }).state;
    expect(frame(sending, ctx)).toContain('Sending… (cannot be sent twice)');
    expect(frame(reduceTicket(sending, { type: 'result', ok: true, text: 'Filled (order 01234567).' }), ctx)).toContain('Filled (order 01234567).');
    const refused = frame(reduceTicket(sending, { type: 'result', ok: false, text: 'Refused: not enough funds for this buy.' }), ctx, 'korean');
    expect(refused).toContain(`${RED}Refused: not enough funds for this buy.`);
  });

  it('a market buy shows the estimate and a stale-book warning', () => {
    const s = { ...openTicket({ market: 'KRW-BTC', side: 'bid', mode: 'sim', ordType: 'price' }), text: { price: '', volume: '', total: '100000' } };
    const f = stripAnsi(frame(s, ctxWith({ bookAgeMs: 30_000 })));
    expect(f).toMatch(/^> Total +100000_ KRW$/m);
    expect(f).toMatch(/Estimate: 0\.00105263 BTC at an average 95,000,000 KRW \(best 95,000,000 KRW\), slippage 0 % \(0 KRW\)\./);
    expect(f).toContain('The order book is 30s old (the feed may have stalled): the estimate may be far off.');
  });
});
