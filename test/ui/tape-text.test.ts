/** The trade tape's lines (src/ui/tape-text.ts): newest first, local time, sides coloured, exact widths. */
import { describe, expect, it } from 'vitest';
import { formatPrice } from '../../src/ui/format.js';
import { lineText, lineWidth } from '../../src/ui/panel-text.js';
import { tapeLines } from '../../src/ui/tape-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { COLOUR_CASES, fixtureTrades, plain } from './market-fixtures.js';

const korean = themeFor('korean');
/** What the tape should print for a time: the local clock, as the terminal's user reads it. */
const local = (ms: number): string => {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
};

describe('tapeLines', () => {
  const trades = fixtureTrades(30);

  it('lists the newest `rows` trades first, each with its local time, price and size', () => {
    const lines = tapeLines(trades, { market: 'KRW-BTC', width: 39, rows: 9, theme: korean });
    expect(lines).toHaveLength(9);
    lines.forEach((line, i) => {
      const t = trades[i];
      if (t === undefined) throw new Error('no trade');
      expect(plain(line).trim().split(/\s+/)).toEqual([local(t.tradeTimestamp), formatPrice('KRW-BTC', t.price), t.volume.toFixed(8)]);
    });
    expect(trades[0]?.tradeTimestamp).toBeGreaterThan(trades[1]?.tradeTimestamp ?? Infinity);
    expect(tapeLines(trades.slice(0, 3), { market: 'KRW-BTC', width: 39, rows: 9, theme: korean })).toHaveLength(3);
  });

  it.each([8, 12, 19, 29, 39, 63])('every line is exactly %i cells; the time goes first where it does not fit', (width) => {
    const lines = tapeLines(trades, { market: 'KRW-BTC', width, rows: 20, theme: korean });
    for (const line of lines) {
      expect(lineWidth(line)).toBe(width);
      expect(textWidth(plain(line))).toBe(width);
    }
    expect(plain(lines[0]).includes(':')).toBe(width >= 27);
  });

  it.each(COLOUR_CASES)('colours in %s: a buy (BID taker) in the rise colour, a sell in the fall colour', (mode, coloured) => {
    const theme = themeFor(mode);
    const lines = tapeLines(trades, { market: 'KRW-BTC', width: 39, rows: 10, theme });
    lines.forEach((line, i) => {
      const painted = line.filter((r) => r.color !== undefined).map((r) => r.color);
      if (!coloured) {
        expect(painted).toEqual([]);
        expect(lineText(line)).not.toContain('\u001b');
        return;
      }
      const want = trades[i]?.askBid === 'BID' ? theme.rise : theme.fall;
      expect(painted.length).toBeGreaterThan(0);
      expect(painted.every((c) => c === want)).toBe(true);
    });
  });
});
