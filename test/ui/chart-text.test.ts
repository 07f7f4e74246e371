/** The price chart's lines (src/ui/chart-text.ts): axes, the newest candles, flat and tiny series, exact widths. */
import { describe, expect, it } from 'vitest';
import { chartLines } from '../../src/ui/chart-text.js';
import { formatPrice } from '../../src/ui/format.js';
import { lineText, lineWidth, type Line } from '../../src/ui/panel-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { COLOUR_CASES, fixtureCandles, plain } from './market-fixtures.js';

const korean = themeFor('korean');
const hhmm = (ms: number): string => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const BLOCKS = /[▁▂▃▄▅▆▇█]/;

describe('chartLines', () => {
  it('labels the price axis with the max, mid and min close and the time axis with the first and last candle', () => {
    const candles = fixtureCandles(20, (i) => 32_000_000 + i * 10_000);
    const lines = chartLines(candles, { market: 'KRW-BTC', width: 39, height: 11, theme: korean });
    expect(lines).toHaveLength(11);
    expect(plain(lines[0]).trimEnd().endsWith(formatPrice('KRW-BTC', 32_190_000))).toBe(true);
    expect(plain(lines[9]).trimEnd().endsWith(formatPrice('KRW-BTC', 32_000_000))).toBe(true);
    // The mid row (row 4 of 10) is labelled with the price at its middle: between the two.
    const mid = Number(plain(lines[4]).trim().split(/\s+/).at(-1)?.replace(/,/g, ''));
    expect(mid).toBeGreaterThan(32_000_000);
    expect(mid).toBeLessThan(32_190_000);
    const axis = plain(lines[10]);
    expect(axis.trimStart().startsWith(hhmm(candles[0]?.start ?? 0))).toBe(true);
    expect(axis.includes(hhmm(candles.at(-1)?.start ?? 0))).toBe(true);
  });

  it('draws the most recent candles that fit, newest at the right, a rising series tallest there', () => {
    const candles = fixtureCandles(200, (i) => 32_000_000 + i * 1000);
    const lines = chartLines(candles, { market: 'KRW-BTC', width: 40, height: 10, theme: korean });
    const axisWidth = 1 + '32,199,000'.length;
    const plot = 40 - axisWidth;
    const top = plain(lines[0]).slice(0, plot);
    expect(top.at(-1)).toMatch(BLOCKS);
    expect(top.at(0)).toBe(' ');
    const bottom = plain(lines[8]).slice(0, plot);
    expect([...bottom].every((c) => BLOCKS.test(c))).toBe(true);
    // The axis ends with the last candle; the first shown is `plot` candles before it.
    expect(plain(lines[9]).trimEnd().endsWith(hhmm(candles.at(-1)?.start ?? 0))).toBe(true);
    expect(plain(lines[9]).startsWith(hhmm(candles[200 - plot]?.start ?? 0))).toBe(true);
  });

  it('draws a flat series and a single candle at half height, labelled once, without NaN', () => {
    for (const candles of [fixtureCandles(30, () => 32_000_000), fixtureCandles(1)]) {
      const lines = chartLines(candles, { market: 'KRW-BTC', width: 30, height: 7, theme: korean });
      const all = lines.map(plain);
      expect(all.join('\n')).not.toMatch(/NaN|undefined|Infinity/);
      expect(all.filter((l) => /\d{2},\d{3},\d{3}/.test(l))).toHaveLength(1);
      // Rows 3…5 (the lower half of 6 plot rows) hold the area; the top two rows are empty.
      expect(all[0]?.trim()).toBe('');
      expect(all[5]).toMatch(/█/);
      for (const line of lines) expect(lineWidth(line)).toBe(30);
    }
  });

  it('is exactly `height` lines of exactly `width` cells at every size, whatever the series', () => {
    const series = [fixtureCandles(0), fixtureCandles(1), fixtureCandles(3), fixtureCandles(120)];
    for (const candles of series) {
      for (const width of [1, 5, 12, 13, 20, 29, 39, 63]) {
        for (const height of [1, 2, 3, 8, 12, 22]) {
          const lines = chartLines(candles, { market: 'KRW-BTC', width, height, theme: korean });
          expect(lines).toHaveLength(height);
          for (const line of lines) {
            expect(lineWidth(line)).toBe(width);
            expect(textWidth(plain(line))).toBe(width);
            expect(plain(line)).not.toMatch(/NaN/);
          }
        }
      }
    }
  });

  it.each(COLOUR_CASES)('colours the area in %s: rise when the window closed at or above its open, else fall', (mode, coloured) => {
    const theme = themeFor(mode);
    const up = chartLines(fixtureCandles(20, (i) => 32_000_000 + i * 1000), { market: 'KRW-BTC', width: 39, height: 8, theme });
    const down = chartLines(fixtureCandles(20, (i) => 32_100_000 - i * 1000), { market: 'KRW-BTC', width: 39, height: 8, theme });
    const colours = (lines: Line[]): Set<string | undefined> => new Set(lines.flatMap((l) => l.filter((r) => BLOCKS.test(r.text)).map((r) => r.color)));
    if (coloured) {
      expect([...colours(up)]).toEqual([theme.rise]);
      expect([...colours(down)]).toEqual([theme.fall]);
    } else {
      expect([...colours(up)]).toEqual([undefined]);
      for (const line of down) expect(lineText(line)).not.toContain('\u001b');
    }
  });
});
