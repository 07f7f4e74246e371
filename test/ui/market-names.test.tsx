import { render, cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/trading/market-store.js';
import { App } from '../../src/ui/App.js';
import { NAME_WIDTH, tableColumns } from '../../src/ui/layout.js';
import { fitName, headerText } from '../../src/ui/table-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { frameLines, frameWhere } from './ink-helpers.js';

afterEach(() => cleanup());

const NAMES = new Map([
  ['KRW-BTC', '비트코인'],
  ['KRW-ETC', '이더리움클래식골드'],
  ['KRW-XRP', 'XRP'],
]);

describe('Korean names', () => {
  it('fits a name to its cells by display width: Hangul takes two, a long name is cut with …', () => {
    expect(fitName('비트코인', 14)).toBe('비트코인      ');
    expect(textWidth(fitName('이더리움클래식골드', 14))).toBe(14);
    expect(fitName('이더리움클래식골드', 14)).toBe('이더리움클래… ');
    expect(fitName('XRP', 5)).toBe('XRP  ');
  });

  it('gives the name a column only when asked and wide enough, before the sparkline', () => {
    expect(tableColumns(120)).toMatchObject({ name: 0 });
    expect(tableColumns(120, true)).toMatchObject({ name: NAME_WIDTH, spark: 42 });
    expect(tableColumns(83, true)).toMatchObject({ name: 0, spark: 21 });
    expect(headerText(tableColumns(120, true))).toMatch(/^MARKET +NAME +PRICE/);
  });

  it('shows each name next to its market with every column after it aligned', async () => {
    const store = new MarketStore({ markets: [...NAMES.keys()] });
    store.setConnection({ state: 'live', since: Date.now() });
    for (const m of NAMES.keys()) store.applyTicker(makeTicker(m, 1_234_000, { prevClose: 1_200_000 }));
    store.flush();
    const { lastFrame } = render(<App store={store} names={NAMES} onQuit={() => {}} colors="none" />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('비트코인') && f.includes('1,234,000'), 'the named rows');
    const rows = frameLines(frame).filter((l) => l.includes('1,234,000'));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain('이더리움클래…');
    // The price ends in the same terminal column on every row, whatever the name's script.
    const priceEnd = (line: string): number => textWidth(line.slice(0, line.indexOf('1,234,000') + '1,234,000'.length));
    expect(new Set(rows.map(priceEnd)).size).toBe(1);
    expect(priceEnd(rows[0] ?? '')).toBe(10 + 2 + NAME_WIDTH + 2 + 14);
  });
});
