/**
 * patches/ink+6.8.0.patch lets Ink's Output.get build plain rows without its cell grid
 * (node_modules/ink/build/output-rows.js). Its bytes may differ from the grid's (the grid
 * re-serializes each row's SGR codes); what a terminal shows must not. Random screens of
 * writes (ASCII, Hangul, blocks, braille, emoji, combining marks, SGR codes balanced or not,
 * overlaps, clips, writes past the edge) go through both paths of the same Output; whenever the
 * grid-free path answers, both frames are painted on @xterm/headless as the TUI paints them
 * (src/ui/screen-painter.ts: each row at its own position after an erase) and every cell's
 * character, width, colours and attributes compared. Screens the fast path must refuse
 * (clipped, overlapping, wide character past the edge, unbalanced SGR) are checked to take
 * the grid.
 */
import xterm from '@xterm/headless';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type Transformer = (line: string, index: number) => string;
type Operation = { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] } | { type: 'clip'; clip: Record<string, number | undefined> } | { type: 'unclip' };
interface OutputLike {
  operations: Operation[];
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  clip(clip: Record<string, number | undefined>): void;
  unclip(): void;
  get(): { output: string; height: number };
  getWithGrid(): { output: string; height: number };
}
const inkFile = async <T,>(file: string): Promise<T> => (await import(new URL(file, import.meta.resolve('ink')).href)) as T;
const { default: Output } = await inkFile<{ default: new (o: { width: number; height: number }) => OutputLike }>('./output.js');
const { rowsWithoutGrid, SIMPLE_RANGES } = await inkFile<{
  rowsWithoutGrid: (ops: Operation[], width: number, height: number) => string[] | undefined;
  SIMPLE_RANGES: Array<[number, number]>;
}>('./output-rows.js');
const { tokenize } = await import('@alcalzone/ansi-tokenize');

const CSI = '\x1b[';
/** A cell's colour modes, colours and attributes when it has no style at all. */
const DEFAULT_STYLE = '0 -1 0 -1 0 0 0 0 0 0 0';
/** A frame painted as src/ui/screen-painter.ts paints it, then every cell of the screen. */
async function cells(frame: string, cols: number, rows: number): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  let out = `${CSI}H${CSI}2J`;
  frame.split('\n').forEach((line, i) => {
    if (i < rows) out += `${CSI}${i + 1};1H${CSI}2K${line}`;
  });
  await new Promise<void>((resolve) => term.write(out, resolve));
  const found: string[] = [];
  const buffer = term.buffer.active;
  for (let y = 0; y < rows; y++) {
    const line = buffer.getLine(y)!;
    for (let x = 0; x < cols; x++) {
      const c = line.getCell(x)!;
      const attrs = [c.getFgColorMode(), c.getFgColor(), c.getBgColorMode(), c.getBgColor(), c.isBold(), c.isDim(), c.isItalic(), c.isUnderline(), c.isInverse(), c.isInvisible(), c.isStrikethrough()];
      const style = attrs.join(' ');
      // A blank cell of the default style looks the same whatever it holds: nothing, a space, a
      // no-break space or a wide space's second half. The grid trims an unstyled trailing
      // no-break space (String#trimEnd), the fast path keeps it when a closing code follows.
      if (style === DEFAULT_STYLE && /^\s*$/.test(c.getChars())) found.push(`${x},${y} blank`);
      else found.push(`${x},${y} ${JSON.stringify(c.getChars() || ' ')} w${c.getWidth()} ${style}`);
    }
  }
  term.dispose();
  return found;
}

const STYLES: Array<[string, string]> = [
  ['1', '22'], ['2', '22'], ['3', '23'], ['4', '24'], ['7', '27'], ['8', '28'], ['9', '29'],
  ['31', '39'], ['94', '39'], ['38;5;208', '39'], ['38;2;10;200;30', '39'], ['42', '49'], ['103', '49'], ['48;5;17', '49'], ['48;2;1;2;3', '49'],
];
const plain = fc.string({ unit: fc.constantFrom(...'abcXYZ 0123,.%+- 비트코인이더리움 ▁▂▃▄▅▆▇█ ⠿⣿ ≈·…→▲▼—│\u00a0é'), maxLength: 12 });
const odd = fc.constantFrom('👍', 'e\u0301', '\u1100\u1161', '\u00ad', '\t', '\u200b', '\x1b]8;;http://x\x07a\x1b]8;;\x07', '\u3000');
const styled: fc.Arbitrary<string> = fc.letrec<{ text: string }>((tie) => ({
  text: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: plain, weight: 5 },
    { arbitrary: fc.tuple(fc.constantFrom(...STYLES), tie('text')).map(([[open, close], inner]) => `${CSI}${open}m${inner}${CSI}${close}m`), weight: 3 },
    { arbitrary: fc.array(tie('text'), { maxLength: 3 }).map((parts) => parts.join('')), weight: 2 },
  ),
})).text;
const piece = fc.oneof(
  { arbitrary: styled, weight: 12 },
  { arbitrary: odd, weight: 1 },
  // Unbalanced, reset, and codes the fast path does not read.
  { arbitrary: fc.constantFrom(`${CSI}31m`, `${CSI}0m`, `${CSI}m`, `${CSI}1;31m`, `${CSI}21m`, `${CSI}53m`, `${CSI}4:3m`, `${CSI}39m`), weight: 1 },
);
const text = fc.array(fc.array(piece, { maxLength: 3 }).map((p) => p.join('')), { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));
const upper: Transformer = (line) => line.toUpperCase();
const tint: Transformer = (line, i) => (i % 2 === 0 ? `${CSI}35m${line}${CSI}39m` : line);
const op = (width: number, height: number) =>
  fc.oneof(
    {
      arbitrary: fc.record({ x: fc.integer({ min: -1, max: width + 1 }), y: fc.integer({ min: -1, max: height }), text, transformers: fc.subarray([upper, tint]) }).map((w) => ({ type: 'write' as const, ...w })),
      weight: 12,
    },
    { arbitrary: fc.record({ x1: fc.nat(width), x2: fc.nat(width), y1: fc.nat(height), y2: fc.nat(height) }).map((clip) => ({ type: 'clip' as const, clip })), weight: 1 },
    { arbitrary: fc.constant({ type: 'unclip' as const }), weight: 1 },
  );
const anyScreen = fc
  .record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 8 }) })
  .chain(({ width, height }) => fc.record({ width: fc.constant(width), height: fc.constant(height), ops: fc.array(op(width, height), { maxLength: 8 }) }));
// Like the TUI's: one line of text per row, sometimes two side by side.
const line = fc.array(styled, { maxLength: 3 }).map((p) => p.join(''));
const tableScreen = fc.record({ width: fc.integer({ min: 40, max: 80 }), height: fc.integer({ min: 1, max: 8 }) }).chain(({ width, height }) =>
  fc.record({
    width: fc.constant(width),
    height: fc.constant(height),
    ops: fc
      .tuple(
        fc.array(fc.record({ x: fc.constantFrom(0, 1, 2), text: line, transformers: fc.subarray([upper, tint]) }), { maxLength: height }),
        fc.option(fc.record({ y: fc.nat(height - 1), text: plain }), { nil: undefined }),
      )
      .map(([rows, side]) => [
        ...rows.map((r, y) => ({ type: 'write' as const, y, ...r })),
        ...(side === undefined ? [] : [{ type: 'write' as const, x: width - 12, y: side.y, text: side.text, transformers: [] }]),
      ]),
  }),
);
const screen = fc.oneof({ arbitrary: anyScreen, weight: 1 }, { arbitrary: tableScreen, weight: 2 });

function outputOf(width: number, height: number, ops: Operation[]): OutputLike {
  const out = new Output({ width, height });
  for (const o of ops) {
    if (o.type === 'write') out.write(o.x, o.y, o.text, { transformers: o.transformers });
    else if (o.type === 'clip') out.clip(o.clip);
    else out.unclip();
  }
  return out;
}

describe("Ink's Output without the cell grid (patches/ink+6.8.0.patch)", () => {
  it('shows on a terminal exactly what the grid shows, for random screens', async () => {
    let fast = 0;
    let grid = 0;
    await fc.assert(
      fc.asyncProperty(screen, async ({ width, height, ops }) => {
        const out = outputOf(width, height, ops);
        const rows = rowsWithoutGrid(out.operations, width, height);
        const withGrid = out.getWithGrid();
        if (rows === undefined) {
          grid++;
          expect(out.get()).toEqual(withGrid);
          return;
        }
        fast++;
        const got = out.get();
        expect(got).toEqual({ output: rows.join('\n'), height: withGrid.height });
        expect(await cells(got.output, width + 2, height)).toEqual(await cells(withGrid.output, width + 2, height));
      }),
      { numRuns: 400, ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }) },
    );
    // Both paths were exercised, the fast one mostly.
    expect(fast).toBeGreaterThan(150);
    expect(grid).toBeGreaterThan(20);
  }, 120_000);

  it('takes the grid for clips, overlaps, lines past the edge and unbalanced or unread SGR codes', () => {
    const refuses = (build: (o: OutputLike) => void, width = 10, height = 3) => {
      const out = new Output({ width, height });
      build(out);
      return rowsWithoutGrid(out.operations, width, height) === undefined;
    };
    const w = (o: OutputLike, x: number, y: number, t: string) => o.write(x, y, t, { transformers: [] });
    expect(refuses((o) => w(o, 0, 0, 'abc'))).toBe(false);
    expect(refuses((o) => (w(o, 0, 0, 'abc'), w(o, 3, 0, '비트')))).toBe(false);
    expect(refuses((o) => (o.clip({ x1: 0, x2: 5 }), w(o, 0, 0, 'abc'), o.unclip()))).toBe(true);
    expect(refuses((o) => (w(o, 0, 0, 'abcd'), w(o, 3, 0, 'x')))).toBe(true);
    expect(refuses((o) => (w(o, 0, 0, '비트'), w(o, 3, 0, 'x')))).toBe(true);
    expect(refuses((o) => w(o, 9, 0, '비'))).toBe(true);
    expect(refuses((o) => w(o, -1, 0, 'a'))).toBe(true);
    for (const t of [`${CSI}31mred`, `${CSI}mx`, `${CSI}1;31mx${CSI}0m`, `${CSI}21mx${CSI}24m`, 'e\u0301', '👍', '\u1100\u1161', 'a\tb', `${CSI}38;5;300mx${CSI}39m`]) {
      expect(refuses((o) => w(o, 0, 0, t))).toBe(true);
    }
  });

  it('counts as simple only characters that stand alone and take one or two columns', () => {
    for (const [first, last] of SIMPLE_RANGES) {
      for (let code = first; code <= last; code++) {
        const c = String.fromCharCode(code);
        const tokens = tokenize(`a${c}${c}a`);
        expect(tokens.length, `U+${code.toString(16)}`).toBe(4);
      }
    }
  });
});
