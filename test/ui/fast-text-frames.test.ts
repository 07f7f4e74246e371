/**
 * The fast text path (scripts/fast-text-plugin.mjs) must not change a single byte Ink writes:
 * the same random screens are rendered by two bundles of real Ink 6.8, one with string-width
 * and ansi-tokenize, one with src/ui/text-width.ts and src/ui/ansi-tokenize-fast.ts, and their
 * frames compared. Then a frame of the fast bundle goes through a terminal emulator: Korean
 * names (two columns a syllable) and sparklines leave every column where it belongs.
 */
import xterm from '@xterm/headless';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchRow } from '../../bench/frame-cost/app.js';
import { buildVariant, type Variant } from '../../bench/frame-cost/build.js';
import { rowsFor } from '../../bench/frame-cost/rows.js';

let reference: Variant;
let fast: Variant;
beforeAll(async () => {
  process.env.FORCE_COLOR = '1';
  [reference, fast] = await Promise.all([buildVariant(false), buildVariant(true)]);
}, 120_000);

const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'비트코인이더리움솔라나 ▁▂▃▄▅▆▇█≈·…→▲▼—│⠿abcXYZ0123,.%+-'), maxLength: 16 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('👍🏽', '🇰🇷', 'e\u0301', '가\u11a8', '\u1100\u1161', '❤️', ''),
);
const row = fc.record<BenchRow>({
  code: fc.string({ unit: fc.constantFrom(...'KRW-BTCETHXRP'), minLength: 3, maxLength: 12 }),
  name: text,
  price: fc.nat().map((n) => n.toLocaleString('en-US')),
  change: text,
  up: fc.boolean(),
  volume: text,
  spark: fc.string({ unit: fc.constantFrom(...'▁▂▃▄▅▆▇█'), maxLength: 40 }),
  age: text,
});

describe('the fast text path in Ink', () => {
  it('writes byte-identical frames for random screens, at any width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 160 }), fc.array(fc.array(row, { maxLength: 12 }), { minLength: 1, maxLength: 3 }), (columns, frames) => {
        const a = reference.mount(columns, 40);
        const b = fast.mount(columns, 40);
        try {
          for (const rows of frames) expect(b.frame(rows)).toBe(a.frame(rows));
        } finally {
          a.unmount();
          b.unmount();
        }
      }),
      { numRuns: 100 },
    );
    // The bench's own screens, frame after frame.
    const a = reference.mount(120, 40);
    const b = fast.mount(120, 40);
    for (let n = 0; n < 30; n++) expect(b.frame(rowsFor(n))).toBe(a.frame(rowsFor(n)));
    a.unmount();
    b.unmount();
  }, 90_000);

  it('keeps Korean names and sparklines aligned on a terminal', async () => {
    const screen = fast.mount(120, 40);
    const frame = screen.frame(rowsFor(7));
    screen.unmount();
    expect(frame).toContain('\x1b[3'); // coloured, as on a terminal
    const term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true, convertEol: true });
    await new Promise<void>((resolve) => term.write(frame, resolve));
    const columnsOf = (y: number, wanted: (ch: string) => boolean): number[] => {
      const line = term.buffer.active.getLine(y)!;
      const xs: number[] = [];
      for (let x = 0; x < 120; x++) if (wanted(line.getCell(x)!.getChars())) xs.push(x);
      return xs;
    };
    const rows = rowsFor(7);
    const percent = new Set<number>();
    const spark = new Set<string>();
    for (let y = 1; y <= rows.length; y++) {
      const line = term.buffer.active.getLine(y)!.translateToString(true);
      expect(line).toContain(rows[y - 1]!.spark);
      percent.add(columnsOf(y, (ch) => ch === '%')[0]!);
      const blocks = columnsOf(y, (ch) => ch >= '▁' && ch <= '█');
      spark.add(`${blocks[0]}-${blocks.at(-1)}`);
    }
    // Half the rows have Korean names: still one column for every row's change and sparkline.
    expect([...percent]).toHaveLength(1);
    expect([...spark]).toHaveLength(1);
    expect(rows.filter((r) => /[가-힣]/.test(r.name)).length).toBeGreaterThan(10);
  });
});
