/**
 * Terminal column width of a string, exactly as `string-width` 8.3 measures it, with a fast
 * path for what this UI draws. Ink measures every line of every frame with `string-width`
 * (Output's cell widths, `widest-line` for layout and for each text node, `cli-truncate`); any
 * non-ASCII character sends it down its general path, grapheme segmentation
 * (`Intl.Segmenter`) plus emoji and Unicode-property RegExps per cluster, and the sparkline's
 * blocks and Korean names put every row there. A CPU profile at 10,000 msg/s put ~55 % of the
 * TUI's busy time in it and Ink's tokenizer (issue 9). Hand-written because the fast path is
 * about our own character set: scripts/bundle.mjs substitutes this module for `string-width`
 * inside the bundle (Ink and its helpers), and test/ui/text-width.test.ts checks it against
 * the real package, exhaustively over the fast set and by property over random text.
 *
 * The fast path covers strings made only of: printable ASCII, CSI escape sequences (SGR
 * colours; zero width, as `strip-ansi` removes them), and the BMP ranges in {@link FAST_RANGES}
 * (Latin-1, punctuation, arrows, maths, box drawing, blocks, shapes, braille, Hangul
 * syllables). Each of those characters is a grapheme cluster of its own next to any other of
 * them (none is a combining mark, joiner, variation selector, Hangul jamo or control), so a
 * string's width is the sum of its characters' widths; each character's width is asked of
 * `string-width` once and remembered. Anything else (emoji, jamo, marks, other scripts,
 * other escapes) goes to `string-width` whole.
 */
import stringWidth from 'string-width';

type Options = Parameters<typeof stringWidth>[1];

/**
 * Code unit ranges (inclusive) whose characters stand alone as grapheme clusters. U+00AD
 * (soft hyphen, a format control) and the U+2000 block's invisible and bidi controls are left
 * out, as is everything that may combine with a neighbour.
 */
export const FAST_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00a0, 0x00ac],
  [0x00ae, 0x00ff],
  [0x2010, 0x2027], // dashes, quotes, bullet, ellipsis
  [0x2030, 0x205e], // per mille, primes, ‼ ⁉ (text presentation without a selector)
  [0x2190, 0x21ff], // arrows
  [0x2200, 0x22ff], // mathematical operators: ≈ ≤ ≥
  [0x2500, 0x257f], // box drawing
  [0x2580, 0x259f], // block elements: the sparkline
  [0x25a0, 0x25ff], // geometric shapes: ▲ ▼
  [0x2800, 0x28ff], // braille patterns
  [0xac00, 0xd7a3], // Hangul syllables
];

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
const UNKNOWN = 255;
const SLOW = 254;

/** Width of each BMP code unit in the fast set, learnt on first sight; SLOW outside it. */
const widths = new Uint8Array(0x10000).fill(SLOW);
for (const [first, last] of FAST_RANGES) widths.fill(UNKNOWN, first, last + 1);
widths.fill(2, HANGUL_FIRST, HANGUL_LAST + 1); // string-width: East Asian Wide, checked by the test
widths.fill(1, 0x20, 0x7f);

function learn(code: number): number {
  const w = stringWidth(String.fromCharCode(code));
  widths[code] = w;
  return w;
}

/**
 * Index just past the CSI sequence starting at `i` (`ESC [`), as `ansi-regex` 6 matches it:
 * parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E; -1 when
 * the sequence is incomplete.
 */
function csiEnd(s: string, i: number): number {
  let j = i + 2;
  let c = s.charCodeAt(j);
  while (c >= 0x30 && c <= 0x3f) c = s.charCodeAt(++j);
  while (c >= 0x20 && c <= 0x2f) c = s.charCodeAt(++j);
  return c >= 0x40 && c <= 0x7e ? j + 1 : -1;
}

/**
 * Whether this UTF-16 code unit is in the fast set: a printable ASCII character or one of
 * {@link FAST_RANGES}, each a grapheme cluster of its own next to any other of them.
 */
export function standsAlone(code: number): boolean {
  return widths[code] !== SLOW;
}

/** Drop-in for `string-width`'s default export: same arguments, same result. */
export default function textWidth(input: string, options?: Options): number {
  if (options !== undefined || typeof input !== 'string') return stringWidth(input, options);
  let width = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const code = input.charCodeAt(i);
    if (code === 0x1b) {
      if (input.charCodeAt(i + 1) !== 0x5b) return stringWidth(input);
      const end = csiEnd(input, i);
      if (end === -1) return stringWidth(input);
      i = end - 1;
      continue;
    }
    let w = widths[code]!;
    if (w === UNKNOWN) w = learn(code);
    else if (w === SLOW) return stringWidth(input);
    width += w;
  }
  return width;
}

export { textWidth };
