/**
 * `@alcalzone/ansi-tokenize` 0.2 as Ink's Output uses it, with a fast path for what this UI
 * draws. Every frame Ink turns each line into styled cells (`tokenize`, which runs
 * `Intl.Segmenter` over the whole line, then `styledCharsFromTokens`) and each row of cells
 * back into a string (`styledCharsToString`, which diffs the styles of every pair of
 * neighbouring cells with Sets). With string-width on its fast path (./text-width.ts) these
 * were half of a frame's cost (bench/frame-cost.ts). Hand-written for our character set:
 * scripts/fast-text-plugin.mjs substitutes this module for the package inside the bundle, and
 * test/ui/ansi-tokenize-fast.test.ts checks it against the package.
 *
 * - `tokenize`: a line made only of characters that stand alone as grapheme clusters (see
 *   ./text-width.ts) and complete SGR sequences is split per code unit; each SGR sequence is
 *   tokenized by the package (once per distinct sequence). Anything else goes to the package.
 * - `styledCharsFromTokens`: consecutive cells with the same styles share one styles array
 *   (the package copies it per cell; nobody mutates it).
 * - `styledCharsToString`: neighbours whose styles are the same array, or both empty, need no
 *   diff (the package's diff of equal styles is empty).
 */
import * as real from '@alcalzone/ansi-tokenize';
import type { AnsiCode, StyledChar, Token } from '@alcalzone/ansi-tokenize';
import { standsAlone } from './text-width.js';

export { ansiCodesToString, diffAnsiCodes, reduceAnsiCodes, reduceAnsiCodesIncremental, undoAnsiCodes } from '@alcalzone/ansi-tokenize';
export type { AnsiCode, Char, StyledChar, Token } from '@alcalzone/ansi-tokenize';

const UNKNOWN = 0;
const NARROW = 1;
const FULL = 2;
const SLOW = 3;
/** Per code unit: whether the package's tokenizer calls it full width; learnt on first sight. */
const kinds = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) if (!standsAlone(c)) kinds[c] = SLOW;

function learn(code: number): number {
  const [token] = real.tokenize(String.fromCharCode(code));
  const kind = token?.type === 'char' && token.value.length === 1 ? (token.fullWidth ? FULL : NARROW) : SLOW;
  kinds[code] = kind;
  return kind;
}

/** The package's tokens for each SGR sequence seen; a UI draws a handful of distinct ones. */
const sgrTokens = new Map<string, readonly AnsiCode[]>();
const SGR_CACHE_LIMIT = 256;

function sgrCodes(sequence: string): readonly AnsiCode[] | undefined {
  let codes = sgrTokens.get(sequence);
  if (codes === undefined) {
    const tokens = real.tokenize(sequence);
    if (!tokens.every((t): t is AnsiCode => t.type === 'ansi')) return undefined;
    codes = tokens;
    if (sgrTokens.size >= SGR_CACHE_LIMIT) sgrTokens.clear();
    sgrTokens.set(sequence, codes);
  }
  return codes;
}

/** Index just past an SGR sequence (`ESC [` digits and `;` then `m`) at `i`, or -1. */
function sgrEnd(s: string, i: number): number {
  if (s.charCodeAt(i + 1) !== 0x5b) return -1;
  for (let j = i + 2; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x6d) return j + 1;
    if (c !== 0x3b && (c < 0x30 || c > 0x39)) return -1;
  }
  return -1;
}

export function tokenize(str: string, endChar = Number.POSITIVE_INFINITY): Token[] {
  const out: Token[] = [];
  let visible = 0;
  for (let i = 0; i < str.length; i++) {
    const code = str.charCodeAt(i);
    if (code === 0x1b) {
      const end = sgrEnd(str, i);
      const codes = end === -1 ? undefined : sgrCodes(str.slice(i, end));
      if (codes === undefined) return real.tokenize(str, endChar);
      for (const c of codes) out.push({ type: 'ansi', code: c.code, endCode: c.endCode });
      i = end - 1;
      continue;
    }
    let kind = kinds[code]!;
    if (kind === UNKNOWN) kind = learn(code);
    if (kind === SLOW) return real.tokenize(str, endChar);
    out.push({ type: 'char', value: str[i]!, fullWidth: kind === FULL });
    visible += kind === FULL ? 2 : 1;
    if (visible >= endChar) {
      // The package's last cluster would take in a combining neighbour; only it can say.
      const next = str.charCodeAt(i + 1);
      if (i + 1 < str.length && next !== 0x1b && !standsAlone(next)) return real.tokenize(str, endChar);
      break;
    }
  }
  return out;
}

export function styledCharsFromTokens(tokens: Token[]): StyledChar[] {
  let codes: AnsiCode[] = [];
  const out: StyledChar[] = [];
  for (const token of tokens) {
    if (token.type === 'ansi') codes = real.reduceAnsiCodesIncremental(codes, [token]);
    else out.push({ type: 'char', value: token.value, fullWidth: token.fullWidth, styles: codes });
  }
  return out;
}

export function styledCharsToString(chars: StyledChar[]): string {
  let s = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (i === 0) s += real.ansiCodesToString(char.styles);
    else {
      const prev = chars[i - 1]!.styles;
      if (prev !== char.styles && (prev.length > 0 || char.styles.length > 0)) s += real.ansiCodesToString(real.diffAnsiCodes(prev, char.styles));
    }
    s += char.value;
    if (i === chars.length - 1) s += real.ansiCodesToString(real.diffAnsiCodes(char.styles, []));
  }
  return s;
}
