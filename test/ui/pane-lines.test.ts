/** The panes' shared pieces: decimal formatting, exact-width runs with wide characters, the scrolling window. */
import { describe, expect, it } from 'vitest';

import { Money } from '../../src/trading/decimal.js';
import { fitRuns, formatDecimal, formatVolume, rowWindow } from '../../src/ui/pane-lines.js';
import { textWidth } from '../../src/ui/text-width.js';

describe('pane lines', () => {
  it('formats decimals with grouping, a sign only when asked, never -0', () => {
    expect(formatDecimal(new Money('1234567.891'), 2)).toBe('1,234,567.89');
    expect(formatDecimal(new Money('60000'), 0, true)).toBe('+60,000');
    expect(formatDecimal(new Money('-10000.4'), 0, true)).toBe('-10,000');
    expect(formatDecimal(new Money('-0.001'), 2, true)).toBe('0.00');
    expect(formatVolume(new Money('1234.123456789'))).toBe('1,234.12345678');
    expect(formatVolume(new Money('0.50000000'))).toBe('0.5');
  });

  it('cuts and pads runs to exactly the width, Hangul counted as two cells', () => {
    for (const width of [0, 1, 5, 9, 10, 30]) {
      const runs = fitRuns([{ text: '비트코인 ' }, { text: 'BTC', color: 'red' }, { text: ' 95,000,000' }], width);
      expect(textWidth(runs.map((r) => r.text).join('')), String(width)).toBe(width);
    }
  });

  it('windows a list: all when it fits, else one line for "+N more" and the selection in view', () => {
    expect(rowWindow(3, 5, 1)).toEqual({ offset: 0, shown: 3, selected: 1, hidden: 0 });
    expect(rowWindow(10, 5, 0)).toEqual({ offset: 0, shown: 4, selected: 0, hidden: 6 });
    expect(rowWindow(10, 5, 6)).toEqual({ offset: 3, shown: 4, selected: 6, hidden: 6 });
    expect(rowWindow(10, 5, 50)).toEqual({ offset: 6, shown: 4, selected: 9, hidden: 6 });
    expect(rowWindow(0, 5, 3)).toEqual({ offset: 0, shown: 0, selected: -1, hidden: 0 });
    expect(rowWindow(4, 1, 2)).toEqual({ offset: 0, shown: 0, selected: 2, hidden: 4 });
  });
});
