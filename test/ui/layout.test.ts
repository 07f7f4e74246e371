import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketRow } from '../../src/trading/market-store.js';
import { frameHeight, planFrame, tableColumns } from '../../src/ui/layout.js';
import { headerText, rowText, staleFor } from '../../src/ui/table-text.js';
import { makeTicker } from '../trading/ticker-fixture.js';

const width = (segments: readonly { text: string }[]): number => segments.reduce((n, s) => n + [...s.text].length, 0);

describe('planFrame', () => {
  it('is never taller than rows − 1 and accounts for every market', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 300 }), fc.boolean(), (rows, itemCount, hasNotice) => {
        const plan = planFrame({ rows, itemCount, hasNotice });
        expect(frameHeight(plan)).toBeLessThanOrEqual(Math.max(0, rows - 1));
        expect(plan.visibleRows + plan.hiddenRows).toBe(itemCount);
        expect(plan.visibleRows).toBeGreaterThanOrEqual(0);
        if (plan.hiddenRows > 0 && rows >= 3) expect(plan.showMore).toBe(true);
      }),
    );
  });

  it('fits 30 markets in 80×24 with a "+N more" line and all chrome', () => {
    const plan = planFrame({ rows: 24, itemCount: 30, hasNotice: true });
    expect(plan).toMatchObject({ showHeader: true, showStatus: true, showNotice: true, showKeys: true, showMore: true });
    expect(frameHeight(plan)).toBe(23);
    expect(plan.visibleRows).toBe(18);
    expect(plan.hiddenRows).toBe(12);
  });

  it('shows everything without a "+N more" line when it fits', () => {
    const plan = planFrame({ rows: 24, itemCount: 2, hasNotice: false });
    expect(plan).toMatchObject({ visibleRows: 2, hiddenRows: 0, showMore: false, showNotice: false });
  });
});

describe('table text', () => {
  const row = (market: string, price: number, prevClose: number, history: number[]): MarketRow => ({
    market,
    ticker: makeTicker(market, price, { prevClose, value24h: 1_234_567_890_123 }),
    history,
    receivedAt: 0,
    stale: false,
  });

  it('keeps every line within the terminal width at any width', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 300 }),
        fc.double({ min: 0.00001, max: 9_999_999_999, noNaN: true }),
        fc.double({ min: -0.3, max: 3, noNaN: true }),
        (columns, price, rate) => {
          const cols = tableColumns(columns);
          const r = row('KRW-VERYLONGNAME', price, price / (1 + rate), [1, 2, 3]);
          // Columns below the narrowest table are cut by Ink's truncate-end; the table itself stays fixed.
          const limit = Math.max(columns, 36);
          expect(width(rowText(r, cols, null).segments)).toBeLessThanOrEqual(limit);
          expect(width(rowText(r, cols, 14_000).segments)).toBeLessThanOrEqual(limit);
          expect([...headerText(cols)].length).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });

  it('drops the sparkline, then value, then change as the terminal narrows', () => {
    expect(tableColumns(80).spark).toBeGreaterThan(0);
    expect(tableColumns(64)).toMatchObject({ spark: 0, value: 8 });
    expect(tableColumns(55)).toMatchObject({ value: 0, change: 12 });
    expect(tableColumns(40)).toMatchObject({ change: 0, price: 14, pct: 8 });
  });

  it('tints price, change, percent and sparkline but not the market or value', () => {
    const { segments, change } = rowText(row('KRW-BTC', 131_746_000, 130_512_000, [1, 2]), tableColumns(80), null);
    expect(change).toBe('RISE');
    const tinted = segments.filter((s) => s.tinted).map((s) => s.text).join('|');
    expect(tinted).toContain('131,746,000');
    expect(tinted).toContain('+1,234,000');
    expect(tinted).toContain('+0.95%');
    expect(tinted).toContain('▁█');
    expect(segments.filter((s) => !s.tinted).map((s) => s.text).join('')).toContain('BTC/KRW');
  });

  it('shows waiting rows and marks stale rows with their age', () => {
    const waiting = rowText({ market: 'KRW-ETH', ticker: null, history: [], receivedAt: null, stale: false }, tableColumns(80), null);
    expect(waiting.segments.map((s) => s.text).join('')).toMatch(/ETH\/KRW +… +waiting/);
    const r = row('KRW-BTC', 1000, 1000, [1000]);
    // The store judges staleness; the row shows its age in whole seconds.
    expect(staleFor(r, 14_600)).toBeNull();
    expect(staleFor({ ...r, stale: true }, 14_600)).toBe(14_000);
    const stale = rowText(r, tableColumns(80), 14_000);
    expect(stale.stale).toBe(true);
    expect(stale.segments.map((s) => s.text).join('')).toContain('STALE 14s');
    // Not tinted: rise/fall colour would say the price moves.
    expect(stale.segments.every((s) => !s.tinted)).toBe(true);
  });

  it('keeps the STALE badge at every width, in the last column that is shown', () => {
    const r = row('KRW-BTC', 130_512_000, 130_000_000, [1, 2, 3]);
    for (let columns = 30; columns <= 140; columns += 1) {
      const text = rowText(r, tableColumns(columns), 14_000)
        .segments.map((s) => s.text)
        .join('');
      expect(text, `at ${columns} columns`).toMatch(/STALE( 14s)?$/);
      expect(text.length, `at ${columns} columns`).toBeLessThanOrEqual(Math.max(columns, 36));
    }
  });
});
