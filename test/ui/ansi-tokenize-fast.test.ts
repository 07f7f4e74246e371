import * as real from '@alcalzone/ansi-tokenize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as fast from '../../src/ui/ansi-tokenize-fast.js';
import { FAST_RANGES } from '../../src/ui/text-width.js';

const fastChars: string[] = [];
for (const [first, last] of FAST_RANGES) for (let c = first; c <= last; c++) fastChars.push(String.fromCharCode(c));

const range = (first: number, last: number) => fc.integer({ min: first, max: last }).map((c) => String.fromCodePoint(c));
/** SGR sequences as chalk and Ink write them, compound ones and odd ones. */
const sgr = fc.oneof(
  fc.constantFrom('\x1b[0m', '\x1b[m', '\x1b[1m', '\x1b[2m', '\x1b[22m', '\x1b[31m', '\x1b[34m', '\x1b[39m', '\x1b[7m', '\x1b[27m', '\x1b[1;31m', '\x1b[38;5;208m', '\x1b[38;2;1;2;3m', '\x1b[48;5;4m', '\x1b[49m', '\x1b[;m'),
  fc.array(fc.integer({ min: 0, max: 110 }), { maxLength: 6 }).map((ps) => `\x1b[${ps.join(';')}m`),
);
const piece = fc.oneof(
  { arbitrary: range(0x20, 0x7e), weight: 6 },
  { arbitrary: fc.constantFrom(...fastChars), weight: 4 },
  { arbitrary: range(0x2581, 0x2588), weight: 3 },
  { arbitrary: range(0xac00, 0xd7a3), weight: 3 },
  { arbitrary: sgr, weight: 5 },
  { arbitrary: range(0x1100, 0x11ff), weight: 1 },
  { arbitrary: fc.constantFrom('\u0301', '\u200d', '\ufe0f', '\u20e3', '👍🏽', '🇰🇷', '👨‍👩‍👧', '❤️', '\x1b', '\x1b[', '\x1b[2K', '\x1b]8;;http://x\x07', '\x9b31m', '\t', '\n'), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 2 }), weight: 1 },
);
const lines = fc.array(piece, { maxLength: 40 }).map((ps) => ps.join(''));

describe('the fast ansi-tokenize', () => {
  it('tokenizes every line as the package does, with and without a visible-width limit', () => {
    fc.assert(
      fc.property(lines, fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }), (line, endChar) => {
        expect(fast.tokenize(line, endChar)).toEqual(real.tokenize(line, endChar));
      }),
      { numRuns: 10_000 },
    );
  });

  it('gives the same styled cells, and the same string back from them', () => {
    fc.assert(
      fc.property(lines, (line) => {
        const cells = fast.styledCharsFromTokens(fast.tokenize(line));
        const reference = real.styledCharsFromTokens(real.tokenize(line));
        expect(cells).toEqual(reference);
        expect(fast.styledCharsToString(cells)).toBe(real.styledCharsToString(reference));
      }),
      { numRuns: 10_000 },
    );
  });

  it('joins cells from different lines, as Output composes a row, into the same string', () => {
    // Output fills a row with blank cells (fresh empty styles each) and cells of several writes.
    const blank = (): real.StyledChar => ({ type: 'char', value: ' ', fullWidth: false, styles: [] });
    fc.assert(
      fc.property(fc.array(fc.oneof(lines, fc.nat(5)), { maxLength: 6 }), (parts) => {
        const fastRow: real.StyledChar[] = [];
        const realRow: real.StyledChar[] = [];
        for (const p of parts) {
          if (typeof p === 'number') {
            for (let i = 0; i < p; i++) {
              fastRow.push(blank());
              realRow.push(blank());
            }
          } else {
            fastRow.push(...fast.styledCharsFromTokens(fast.tokenize(p)));
            realRow.push(...real.styledCharsFromTokens(real.tokenize(p)));
          }
        }
        expect(fast.styledCharsToString(fastRow)).toBe(real.styledCharsToString(realRow));
      }),
      { numRuns: 5_000 },
    );
  });
});
