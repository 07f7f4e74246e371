/** The log pane's lines: newest at the bottom, HH:MM:SS, kind colours per theme, exact widths, scrolling by offset. */
import { describe, expect, it } from 'vitest';

import { logLines, type LogEntry, type LogSnapshot, type LogView } from '../../src/ui/log-text.js';
import { lineText } from '../../src/ui/pane-lines.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';

const T0 = new Date(2026, 11, 2, 9, 5, 7).getTime();
const KINDS = ['order', 'fill', 'refusal', 'cancel', 'connection', 'notice', 'error'] as const;

function snapshot(n: number, file: string | null = '/state/audit/2026-12-02.jsonl'): LogSnapshot {
  const entries: LogEntry[] = Array.from({ length: n }, (_, i) => ({ at: T0 + i * 1000, kind: KINDS[i % KINDS.length]!, ...(i % 2 === 0 ? { market: 'KRW-BTC' } : {}), text: `entry ${i}` }));
  return { version: 1, entries, file };
}
const view = (over: Partial<LogView> = {}): LogView => ({ width: 70, height: 10, offset: 0, theme: themeFor('korean'), ...over });

describe('log pane lines', () => {
  it('shows entries oldest first, newest at the bottom, with the local time, kind and market', () => {
    const t = logLines(snapshot(3), view()).lines.map(lineText);
    expect(t[0]).toMatch(/^LOG 3 · also in \/state\/audit\/2026-12-02\.jsonl +$/);
    expect(t[1]).toMatch(/^09:05:07 {2}order {7}BTC\/KRW {4}entry 0 +$/);
    expect(t[2]).toMatch(/^09:05:08 {2}fill {19}entry 1 +$/);
    expect(t.at(-1)).toMatch(/^09:05:09 {2}refusal +BTC\/KRW +entry 2 +$/);
  });

  it('colours the kind: refusal and error bad, fill good, connection warn; nothing in none', () => {
    const colorOf = (mode: 'korean' | 'global' | 'none') =>
      Object.fromEntries(logLines(snapshot(7), view({ theme: themeFor(mode) })).lines.slice(1).map((l) => [lineText(l).slice(10, 20).trim(), l.runs.find((r) => r.text.trim() === lineText(l).slice(10, 20).trim())?.color]));
    expect(colorOf('korean')).toEqual({ order: undefined, fill: 'green', refusal: 'red', cancel: undefined, connection: 'yellow', notice: undefined, error: 'red' });
    expect(colorOf('global')).toEqual(colorOf('korean'));
    expect(Object.values(colorOf('none')).every((c) => c === undefined)).toBe(true);
  });

  it('cuts long or multi-line text to the width: every line exactly the width', () => {
    const long: LogSnapshot = { version: 1, file: null, entries: [{ at: T0, kind: 'error', text: `주문이 거부되었습니다 ${'x'.repeat(200)}\nsecond line\u001B[31m` }] };
    for (const width of [70, 40, 20, 5]) for (const l of logLines(long, view({ width })).lines) expect(textWidth(lineText(l)), `${width}: ${lineText(l)}`).toBe(width);
    const t = logLines(long, view()).lines.map(lineText);
    expect(t[0]).toMatch(/^LOG 1 · not written to a file \(see the error\) +$/);
    expect(t[1]).toMatch(/^09:05:07 {2}error {18}주문이 거부되었습니다 x+…$/);
  });

  it('follows the newest at offset 0, scrolls up by offset with lines saying what is above and below, clamped', () => {
    const s = snapshot(30);
    const at = (offset: number) => logLines(s, view({ offset }));
    expect(at(0).lines.map(lineText).slice(1, 2)).toEqual([expect.stringMatching(/^↑ 22 earlier/)]);
    expect(lineText(at(0).lines.at(-1)!)).toContain('entry 29');
    const up = at(5).lines.map(lineText);
    expect([up.length, up[1]?.trim(), up.at(-2)?.includes('entry 24'), up.at(-1)?.trim()]).toEqual([10, '↑ 18 earlier', true, '↓ 5 newer']);
    const top = at(1000);
    expect(top.offset).toBe(22);
    expect(top.lines.map(lineText)[1]).toContain('entry 0');
    expect(at(-3).offset).toBe(0);
    for (const height of [1, 2, 3, 10]) for (const offset of [0, 3, 100]) expect(logLines(s, view({ height, offset })).lines.length).toBeLessThanOrEqual(height);
    expect(logLines(snapshot(0), view()).lines.map(lineText)[1]?.trim()).toBe('nothing yet');
  });
});
