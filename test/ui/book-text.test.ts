/** The order book's lines (src/ui/book-text.ts): order, spread, depth, colours, exact widths. */
import { describe, expect, it } from 'vitest';
import { bookFit, bookLines, depthBar, levelsFor } from '../../src/ui/book-text.js';
import { lineText, lineWidth, type Line } from '../../src/ui/panel-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { COLOUR_CASES, fixtureBook, plain } from './market-fixtures.js';

const korean = themeFor('korean');
const price = (line: Line | undefined): number => Number(plain(line).trim().split(/\s+/)[0]?.replace(/,/g, ''));

describe('bookLines', () => {
  const book = fixtureBook(15);
  const lines = bookLines(book, { market: 'KRW-BTC', width: 40, levels: 10, theme: korean });

  it('asks highest first above the spread line, bids best first below it', () => {
    expect(lines).toHaveLength(21);
    const asks = lines.slice(0, 10).map(price);
    const bids = lines.slice(11).map(price);
    expect(asks).toEqual([...asks].sort((a, b) => b - a));
    expect(asks.at(-1)).toBe(book.units[0]?.askPrice);
    expect(bids[0]).toBe(book.units[0]?.bidPrice);
    expect(bids).toEqual([...bids].sort((a, b) => b - a));
    expect(Math.min(...asks)).toBeGreaterThan(Math.max(...bids));
  });

  it('says the spread, absolute and as a percentage of the mid price', () => {
    // 32,293,000 − 32,287,000 = 6,000 on a mid of 32,290,000: 0.0186 %.
    expect(plain(lines[10]).trimEnd()).toBe('spread 6,000 (0.019%)');
    expect(plain(bookLines(book, { market: 'KRW-BTC', width: 40, levels: 10, theme: korean, labelled: true })[10]).trimEnd()).toBe('KRW-BTC spread 6,000 (0.019%)');
  });

  it('shows size and cumulative size from the spread outward, the bar longest at the deepest level', () => {
    const nearAsk = plain(lines[9]).trim().split(/\s+/);
    expect(nearAsk.slice(0, 3)).toEqual(['32,293,000', '0.04414411', '0.04414411']);
    const deepBid = plain(lines[20]).trim().split(/\s+/);
    const cum = book.units.slice(0, 10).reduce((s, u) => s + u.bidSize, 0);
    expect(Number(deepBid[2])).toBeCloseTo(cum, 8);
    const bar = (line: Line | undefined): number => [...plain(line)].filter((c) => '▏▎▍▌▋▊▉█'.includes(c)).length;
    for (let i = 11; i < 20; i++) expect(bar(lines[i + 1])).toBeGreaterThanOrEqual(bar(lines[i]));
    // The deepest side fills the bar.
    expect(Math.max(bar(lines[0]), bar(lines[20]))).toBeGreaterThan(bar(lines[10]));
  });

  it.each([12, 20, 30, 39, 40, 56, 63])('every line is exactly %i cells', (width) => {
    for (const line of bookLines(book, { market: 'KRW-BTC', width, levels: 10, theme: korean })) {
      expect(lineWidth(line)).toBe(width);
      expect(textWidth(plain(line))).toBe(width);
    }
  });

  it('shows fewer levels when the book has fewer, and says so when it has none', () => {
    expect(bookLines(fixtureBook(3), { market: 'KRW-BTC', width: 40, levels: 10, theme: korean })).toHaveLength(7);
    const empty = bookLines({ ...book, units: [] }, { market: 'KRW-BTC', width: 30, levels: 10, theme: korean });
    expect(empty.map(plain)).toEqual([`${'no levels in the book'.padEnd(30)}`]);
  });

  it.each(COLOUR_CASES)('colours in %s: bids in the rise colour, asks in the fall colour', (mode, coloured) => {
    const theme = themeFor(mode);
    const ls = bookLines(book, { market: 'KRW-BTC', width: 40, levels: 10, theme });
    const colours = (line: Line | undefined): Set<string | undefined> => new Set((line ?? []).filter((r) => r.text.trim() !== '').map((r) => r.color));
    if (coloured) {
      expect(colours(ls[0])).toContain(theme.fall);
      expect(colours(ls[0])).not.toContain(theme.rise);
      expect(colours(ls[11])).toContain(theme.rise);
      expect(colours(ls[11])).not.toContain(theme.fall);
    } else {
      for (const line of ls) expect([...colours(line)].every((c) => c === undefined)).toBe(true);
      for (const line of ls) expect(lineText(line)).not.toContain('\u001b');
    }
  });
});

describe('depthBar', () => {
  it('draws eighths of a cell, at least one eighth for any depth, exactly the width', () => {
    expect(depthBar(1, 4)).toBe('████');
    expect(depthBar(0.5, 4)).toBe('██  ');
    expect(depthBar(0.5 + 3 / 32, 4)).toBe('██▍ ');
    expect(depthBar(0.001, 4)).toBe('▏   ');
    expect(depthBar(0, 3)).toBe('   ');
    expect(depthBar(Number.NaN, 3)).toBe('   ');
    expect(depthBar(2, 2)).toBe('██');
  });
});

describe('bookFit', () => {
  it('gives 10 levels a side to 21 and 22 rows (80×24 less the status and key lines), the title only where a row is left over', () => {
    expect(bookFit(22)).toEqual({ levels: 10, title: true });
    expect(bookFit(21)).toEqual({ levels: 10, title: false });
    expect(bookFit(4)).toEqual({ levels: 1, title: true });
    expect(bookFit(3)).toEqual({ levels: 1, title: false });
    expect(bookFit(2)).toEqual({ levels: 0, title: false });
    expect(bookFit(0)).toEqual({ levels: 0, title: false });
    expect(levelsFor(40)).toBe(19);
    expect(levelsFor(11)).toBe(5);
  });
});
