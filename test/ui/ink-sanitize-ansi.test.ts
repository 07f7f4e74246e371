/**
 * patches/ink+6.8.0.patch gives Ink's sanitizeAnsi (run on every text node, every layout and
 * frame) a fast answer for text whose only escapes are SGR sequences. It must give what Ink's
 * own code gives for any text: the reference below is Ink 6.8.0's sanitize-ansi.js verbatim,
 * over Ink's own tokenizer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type AnsiToken = { type: string; value: string; finalCharacter?: string; intermediateString?: string; parameterString?: string };
const inkFile = async <T,>(file: string): Promise<T> => (await import(new URL(file, import.meta.resolve('ink')).href)) as T;
const { tokenizeAnsi, hasAnsiControlCharacters } = await inkFile<{ tokenizeAnsi: (t: string) => AnsiToken[]; hasAnsiControlCharacters: (t: string) => boolean }>('./ansi-tokenizer.js');
const { default: sanitizeAnsi } = await inkFile<{ default: (t: string) => string }>('./sanitize-ansi.js');

const sgrParametersRegex = /^[\d:;]*$/;
function referenceSanitizeAnsi(text: string): string {
  if (!hasAnsiControlCharacters(text)) return text;
  let output = '';
  for (const token of tokenizeAnsi(text)) {
    if (token.type === 'text' || token.type === 'osc') {
      output += token.value;
      continue;
    }
    if (token.type === 'csi' && token.finalCharacter === 'm' && token.intermediateString === '' && sgrParametersRegex.test(token.parameterString ?? '')) output += token.value;
  }
  return output;
}

const piece = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }), weight: 4 },
  { arbitrary: fc.constantFrom('▁▂▃', '비트코인', 'KRW-BTC', '130,512,000'), weight: 3 },
  { arbitrary: fc.array(fc.constantFrom('0', '1', '3', '8', ';', ':', '<', '?', ' ', '$'), { maxLength: 6 }).map((p) => `\x1b[${p.join('')}${'m'}`), weight: 4 },
  { arbitrary: fc.constantFrom('\x1b', '\x1b[', '\x1b[2K', '\x1b[1;2H', '\x1b]8;;http://x\x07', '\x1b]0;t\x1b\\', '\x1b7', '\x9b31m', '\x85', '\x9d', '\x1bP1$r\x1b\\', '\x1b[31'), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 3 }), weight: 1 },
);

describe("Ink's sanitizeAnsi with the SGR fast answer", () => {
  it("gives what Ink 6.8.0's own code gives, for any text", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const text = parts.join('');
        expect(sanitizeAnsi(text)).toBe(referenceSanitizeAnsi(text));
      }),
      { numRuns: 20_000 },
    );
  });
});
