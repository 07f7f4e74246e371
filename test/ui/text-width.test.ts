import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import textWidth, { FAST_RANGES } from '../../src/ui/text-width.js';

const fastChars: string[] = [];
for (const [first, last] of FAST_RANGES) for (let c = first; c <= last; c++) fastChars.push(String.fromCharCode(c));

const range = (first: number, last: number) => fc.integer({ min: first, max: last }).map((c) => String.fromCodePoint(c));
const sgr = fc
  .array(fc.integer({ min: 0, max: 255 }), { maxLength: 5 })
  .map((ps) => `\x1b[${ps.join(';')}m`);
/** What Ink's lines are made of, and things that must not take the fast path. */
const piece = fc.oneof(
  { arbitrary: range(0x20, 0x7e), weight: 6 },
  { arbitrary: fc.constantFrom(...fastChars), weight: 6 },
  { arbitrary: range(0x2581, 0x2588), weight: 3 },
  { arbitrary: range(0xac00, 0xd7a3), weight: 3 },
  { arbitrary: sgr, weight: 3 },
  { arbitrary: fc.constantFrom('≈', '·', '…', '→', '▲', '▼', '—', '│', '─', '⠿'), weight: 2 },
  // Neighbours that join or change a cluster: jamo, combining marks, joiners, selectors, emoji.
  { arbitrary: range(0x1100, 0x11ff), weight: 1 },
  { arbitrary: range(0xd7b0, 0xd7ff), weight: 1 },
  { arbitrary: fc.constantFrom('\u0301', '\u200d', '\ufe0f', '\ufe0e', '\u20e3', '\u00ad', '\u200b', '\u0e33', '\u0903'), weight: 2 },
  { arbitrary: fc.constantFrom('👍', '👍🏽', '🇰🇷', '👨‍👩‍👧', '❤️', '1️⃣', '#\u20e3', '⌚', '◾'), weight: 1 },
  // Escapes other than a complete CSI, and C0/C1 controls.
  { arbitrary: fc.constantFrom('\x1b', '\x1b[', '\x1b[31', '\x1b]8;;http://x\x07', '\x1b7', '\x9b31m', '\x1b[?25l', '\x1b[2;3H', '\t', '\n', '\r', '\x7f', '\x85'), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 3 }), weight: 1 },
);
const texts = fc.array(piece, { maxLength: 40 }).map((ps) => ps.join(''));

describe('textWidth', () => {
  it('gives string-width 8.3 for every character of the fast set, alone and among others', () => {
    for (const ch of fastChars) {
      expect(textWidth(ch), `U+${ch.charCodeAt(0).toString(16)}`).toBe(stringWidth(ch));
      const mixed = `a${ch}b${ch}${ch}\x1b[31m${ch}\x1b[39m`;
      expect(textWidth(mixed), `U+${ch.charCodeAt(0).toString(16)} mixed`).toBe(stringWidth(mixed));
    }
  });

  it('relies on each fast character being a grapheme cluster of its own next to any other', () => {
    const segmenter = new Intl.Segmenter();
    for (const ch of fastChars) {
      const s = `a${ch}${ch}가${ch}▇`;
      expect([...segmenter.segment(s)].length, `U+${ch.charCodeAt(0).toString(16)}`).toBe(6);
    }
  });

  it('matches string-width on random text: our ranges, ANSI codes, joiners, emoji and any unicode', () => {
    fc.assert(
      fc.property(texts, (s) => {
        expect(textWidth(s)).toBe(stringWidth(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('matches string-width with options and on non-strings', () => {
    fc.assert(
      fc.property(texts, fc.boolean(), fc.boolean(), (s, ambiguousIsNarrow, countAnsiEscapeCodes) => {
        const options = { ambiguousIsNarrow, countAnsiEscapeCodes };
        expect(textWidth(s, options)).toBe(stringWidth(s, options));
      }),
      { numRuns: 2_000 },
    );
    expect(textWidth(undefined as unknown as string)).toBe(0);
  });

  it('measures a table row as the terminal shows it: Hangul two columns, blocks and escapes as drawn', () => {
    expect(textWidth('KRW-BTC  비트코인  130,512,000  \x1b[31m+1.25%\x1b[39m  ▁▂▃▄▅▆▇█')).toBe(7 + 2 + 8 + 2 + 11 + 2 + 6 + 2 + 8);
  });
});
