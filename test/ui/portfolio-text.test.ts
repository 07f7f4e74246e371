/** The portfolio pane's lines: values and PnL in decimals, "no price" never guessed, colours per theme, exact widths, and the memo that keeps unrelated ticks from rebuilding. */
import { describe, expect, it } from 'vitest';

import { lineText } from '../../src/ui/pane-lines.js';
import { holdings, portfolioLines, portfolioMemo, type PortfolioView } from '../../src/ui/portfolio-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { themeFor } from '../../src/ui/theme.js';
import { accountSnapshot, balance } from './pane-fixtures.js';

const account = accountSnapshot([
  balance('KRW', '1000000.5', { locked: '20000' }),
  balance('BTC', '0.01', { locked: '0.002', avg: '90000000' }),
  balance('XRP', '100', { avg: '800' }),
  balance('DOGE', '50', { avg: '100' }),
]);
const prices = new Map([
  ['KRW-BTC', 95_000_000],
  ['KRW-XRP', 700],
]);
const view = (over: Partial<PortfolioView> = {}): PortfolioView => ({ width: 110, height: 12, selected: null, theme: themeFor('korean'), ...over });
const texts = (v: PortfolioView, p: ReadonlyMap<string, number> = prices) => portfolioLines(account, p, v).map(lineText);

describe('portfolio pane lines', () => {
  it('values each asset at its KRW market in decimals: value, PnL in KRW and %, KRW first', () => {
    const rows = holdings(account, prices);
    expect(rows.map((h) => h.currency)).toEqual(['KRW', 'BTC', 'DOGE', 'XRP']);
    const btc = rows[1]!;
    // 0.012 × 95,000,000 = 1,140,000; cost 0.012 × 90,000,000 = 1,080,000.
    expect([btc.value?.toFixed(), btc.pnl?.toFixed(), btc.pnlPct?.toFixed(4)]).toEqual(['1140000', '60000', '5.5556']);
    const xrp = rows[3]!;
    expect([xrp.pnl?.toFixed(), xrp.pnlPct?.toFixed(2)]).toEqual(['-10000', '-12.50']);
    const t = texts(view());
    expect(t[1]).toMatch(/^ ASSET +BALANCE +LOCKED +AVG BUY +PRICE +VALUE KRW +PNL KRW +PNL% +$/);
    expect(t[2]).toMatch(/^ KRW +1,000,000 +20,000 +- +- +1,020,000 +- +- +$/);
    expect(t[3]).toMatch(/^ BTC +0\.01 +0\.002 +90,000,000 +95,000,000 +1,140,000 +\+60,000 +\+5\.56% +$/);
    expect(t[5]).toMatch(/^ XRP +100 +0 +800 +700 +70,000 +-10,000 +-12\.50% +$/);
  });

  it('says "no price" for an asset with no known price, and leaves it out of the total (selectTotalValue), named', () => {
    const t = texts(view());
    expect(t[4]).toMatch(/^ DOGE +50 +0 +100 +no price +- +- +- +$/);
    // 1,020,000.5 KRW + 1,140,000 + 70,000, in whole won rounded down (formatKrw); PnL over the priced holdings with a cost: 50,000 / 1,160,000.
    expect(t[6]).toMatch(/^ TOTAL ≈ 2,230,000 KRW · PnL \+50,000 KRW \(\+4\.31%\) · no price: DOGE +$/);
    expect(holdings(account, new Map()).filter((h) => h.currency !== 'KRW').every((h) => h.price === null && h.value === null && h.pnl === null)).toBe(true);
  });

  it('colours PnL with the rise and fall colours of the convention, none in none', () => {
    const colors = (mode: 'korean' | 'global' | 'none') => {
      const lines = portfolioLines(account, prices, view({ theme: themeFor(mode) }));
      const pnl = (row: number) => lines[row]?.runs.find((r) => /[+-]\d/.test(r.text))?.color;
      return [pnl(3), pnl(5)];
    };
    expect(colors('korean')).toEqual(['red', 'blueBright']);
    expect(colors('global')).toEqual(['green', 'red']);
    expect(colors('none')).toEqual([undefined, undefined]);
    expect(portfolioLines(account, prices, view({ theme: themeFor('none') })).some((l) => l.bold || l.inverse)).toBe(false);
  });

  it('every line is exactly the width; narrow panes drop columns, short ones scroll with "+N more"', () => {
    for (const width of [110, 80, 60, 40, 20]) for (const l of portfolioLines(account, prices, view({ width }))) expect(textWidth(lineText(l)), `${width}: ${lineText(l)}`).toBe(width);
    expect(texts(view({ width: 80 }))[1]).toMatch(/^ ASSET +BALANCE +PRICE +VALUE KRW +PNL KRW +PNL% +$/);
    const short = portfolioLines(account, prices, view({ height: 6, selected: 3 }));
    expect(short.length).toBe(6);
    expect(short.map(lineText)[4]).toMatch(/^\+2 more/);
    expect(short.find((l) => l.inverse)?.key).toBe('asset-XRP');
    const none = portfolioLines(account, prices, view({ selected: 1, theme: themeFor('none') }));
    expect(none.map(lineText)[3]).toMatch(/^>BTC /);
  });

  it('says loading until the balances were read', () => {
    expect(portfolioLines(accountSnapshot([], false), prices, view()).map(lineText)).toEqual([`PORTFOLIO · account: loading…${' '.repeat(110 - 29)}`]);
  });

  it('the memo rebuilds only when the account, the view or a held asset’s price changed', () => {
    const memo = portfolioMemo();
    const v = view();
    const first = memo(account, prices, v);
    expect(memo(account, new Map([...prices, ['KRW-ETH', 5_000_000]]), v)).toBe(first);
    expect(memo(account, new Map(prices), { ...v })).toBe(first);
    const moved = memo(account, new Map([...prices, ['KRW-BTC', 96_000_000]]), v);
    expect(moved).not.toBe(first);
    expect(memo(account, new Map([...prices, ['KRW-BTC', 96_000_000], ['KRW-DOGE', 120]]), v)).not.toBe(moved);
    expect(memo({ ...account }, new Map([...prices, ['KRW-BTC', 96_000_000], ['KRW-DOGE', 120]]), v)).not.toBe(moved);
  });
});
