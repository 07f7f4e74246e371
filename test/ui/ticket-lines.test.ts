/**
 * The order ticket fitted to its body (src/ui/ticket-lines.ts): sentences wrapped within the
 * width, never more lines than the height, the least important left out first and counted,
 * the confirmation's border given up before any of its lines, and its key line always there.
 */
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { deriveTicket } from '../../src/ui/ticket-derive.js';
import { ticketLayout, wrapText, type TicketLayout } from '../../src/ui/ticket-lines.js';
import { openTicket, reduceTicket, type TicketState } from '../../src/ui/ticket-state.js';
import { ctxWith } from './ticket-fixtures.js';

const theme = themeFor('none');

const buy = (text: Partial<TicketState['text']>, mode: 'sim' | 'live' = 'sim'): TicketState => {
  const s = openTicket({ market: 'KRW-BTC', side: 'bid', mode });
  return { ...s, text: { ...s.text, ...text } };
};

const texts = (l: TicketLayout): string[] => [...l.lines, ...(l.confirmation?.lines ?? [])].map((x) => x.text);
/** Rows the layout takes: its lines, the border, the line that counts what was left out. */
const rowsOf = (l: TicketLayout): number => texts(l).length + (l.confirmation?.boxed === true ? 2 : 0) + (l.hidden > 0 ? 1 : 0);

function confirming(s: TicketState, mode: 'sim' | 'live' = 'sim'): TicketState {
  return reduceTicket(s, { type: 'confirm', intent: deriveTicket(s, ctxWith({ mode })).intent });
}

describe('wrapText', () => {
  it('breaks between words within the width; a word wider than a line is broken in it', () => {
    expect(wrapText('Order total 1,000 KRW is below the minimum', 16)).toEqual(['Order total', '1,000 KRW is', 'below the', 'minimum']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('', 10)).toEqual(['']);
  });

  it('with a separator, keeps each piece whole where it fits', () => {
    expect(wrapText('Fee 0.05 %   Available 10,000,000 KRW', 30, '   ')).toEqual(['Fee 0.05 %', 'Available 10,000,000 KRW']);
  });

  it('measures cells, not characters: Hangul is two wide', () => {
    for (const line of wrapText('비트코인 비트코인 비트코인', 9)) expect(textWidth(line)).toBeLessThanOrEqual(9);
  });
});

describe('ticketLayout', () => {
  const problem = buy({ price: '1000000', volume: '0.001' });

  it('shows everything while it fits, no line wider than the width', () => {
    const l = ticketLayout(deriveTicket(problem, ctxWith()), problem, 100, 30, theme);
    expect(l.hidden).toBe(0);
    expect(texts(l).join('\n')).toMatch(/Total cost/);
    expect(texts(l).join('\n')).toMatch(/5,000 KRW minimum/);
  });

  it('in a short body keeps the fields and the whole problem, and counts what it left out', () => {
    const view = deriveTicket(problem, ctxWith());
    const l = ticketLayout(view, problem, 40, 8, theme);
    expect(rowsOf(l)).toBeLessThanOrEqual(8);
    for (const t of texts(l)) expect(textWidth(t)).toBeLessThanOrEqual(40);
    expect(texts(l).slice(0, 4).map((t) => t.trim().split(/\s+/)[0])).toEqual(['Type', 'Time', '>', 'Volume']);
    expect(texts(l).join(' ')).toMatch(/below Upbit's 5,000 KRW minimum; raise the volume to at least 0\.005 BTC\./);
    expect(l.hidden).toBeGreaterThan(0);
  });

  it('the confirmation gives up its border, then its mode line, but keeps the order and its key', () => {
    const s = confirming(buy({ price: '1000000', volume: '0.01' }));
    const view = deriveTicket(s, ctxWith());
    const roomy = ticketLayout(view, s, 60, 20, theme);
    expect(roomy.confirmation).toMatchObject({ boxed: true });
    expect(roomy.hidden).toBe(0);
    const tight = ticketLayout(view, s, 40, 8, theme);
    expect(tight.confirmation?.boxed).toBe(false);
    expect(rowsOf(tight)).toBeLessThanOrEqual(8);
    const box = tight.confirmation?.lines.map((x) => x.text) ?? [];
    expect(box.at(-1)).toBe('Press y to send, n/Esc to go back.');
    expect(box.join(' ')).toMatch(/^Buy 0\.01 BTC at 1,000,000 KRW \(limit\)/);
  });

  it('a LIVE confirmation keeps its red mode line before the totals', () => {
    const s = confirming(buy({ price: '1000000', volume: '0.01' }, 'live'), 'live');
    const l = ticketLayout(deriveTicket(s, ctxWith({ mode: 'live' })), s, 40, 10, theme);
    const box = l.confirmation?.lines.map((x) => x.text) ?? [];
    expect(box[0]).toBe('LIVE order: real money on Upbit.');
    expect(box.join(' ')).toMatch(/Type Y \(shift\+y\) to send this LIVE order, n\/Esc to go back\.$/);
    expect(rowsOf(l)).toBeLessThanOrEqual(10);
  });

  it('never more rows than it is given, at any height', () => {
    const s = confirming(buy({ price: '1000000', volume: '0.01' }));
    const view = deriveTicket(s, ctxWith());
    for (let h = 1; h <= 20; h += 1) expect(rowsOf(ticketLayout(view, s, 40, h, theme))).toBeLessThanOrEqual(h);
  });
});
