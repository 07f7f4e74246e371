import { cleanup, render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';

import type { MarketRow, MarketSnapshot } from '../../src/trading/market-store.js';
import type { MarketFlags } from '../../src/upbit/market-event.js';
import { tableColumns } from '../../src/ui/layout.js';
import { rowLine, screenSelector } from '../../src/ui/screen-view.js';
import { alertBadge, rowText } from '../../src/ui/table-text.js';
import { textWidth } from '../../src/ui/text-width.js';
import { paint, themeFor } from '../../src/ui/theme.js';
import { SearchOverlay } from '../../src/ui/SearchOverlay.js';
import { markedText } from '../../src/ui/TickerTable.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { withObservableColour } from './chalk-level.js';

withObservableColour();
afterEach(() => cleanup());

const WARNING: MarketFlags = { warning: true, cautions: [] };
const CAUTION: MarketFlags = { warning: false, cautions: ['PRICE_FLUCTUATIONS'] };
const BOTH: MarketFlags = { warning: true, cautions: ['TRADING_VOLUME_SOARING'] };

const row = (market: string, opts: { waiting?: boolean; stale?: boolean } = {}): MarketRow => ({
  market,
  ticker: opts.waiting === true ? null : makeTicker(market, 1_234, { prevClose: 1_200, value24h: 9_876_543_210 }),
  history: [1, 2, 3],
  receivedAt: 0,
  stale: opts.stale ?? false,
});

const plain = (r: MarketRow, columns: number, flags?: MarketFlags, staleMs: number | null = null, name = ''): string =>
  rowText(r, tableColumns(columns), staleMs, name, flags)
    .segments.map((s) => s.text)
    .join('');

describe('alert badges', () => {
  it('! for the warning, * for a caution, the warning first; none without a flag', () => {
    expect(alertBadge(WARNING)).toEqual({ text: '!', tone: 'bad' });
    expect(alertBadge(CAUTION)).toEqual({ text: '*', tone: 'warn' });
    expect(alertBadge(BOTH)?.text).toBe('!');
    expect(alertBadge({ warning: false, cautions: [] })).toBeNull();
    expect(alertBadge(undefined)).toBeNull();
  });

  it('sits in the last cell of the market column: every other cell, and the width, as without it', () => {
    const cols = tableColumns(100);
    for (const r of [row('KRW-SHIB'), row('KRW-SHIB', { waiting: true }), row('KRW-SHIB', { stale: true })]) {
      const staleMs = r.stale ? 14_000 : null;
      const without = plain(r, 100, undefined, staleMs, '시바이누');
      for (const [flags, badge] of [
        [WARNING, '!'],
        [CAUTION, '*'],
      ] as const) {
        const withBadge = plain(r, 100, flags, staleMs, '시바이누');
        expect(textWidth(withBadge)).toBe(textWidth(without));
        expect(withBadge.slice(0, cols.market)).toBe(`SHIB/KRW ${badge}`);
        expect(withBadge.slice(cols.market)).toBe(without.slice(cols.market));
      }
    }
  });

  it('leaves the first gap cell free for the selection marker of --colors none', () => {
    const cols = tableColumns(80);
    const text = plain(row('KRW-BTT'), 80, WARNING);
    expect(markedText(text, cols.market).slice(0, cols.market + 1)).toBe('BTT/KRW  !<');
  });

  it('cuts a label that fills the column to make room, and keeps the width at every terminal width', () => {
    expect(plain(row('KRW-PUNDIX'), 80, CAUTION).slice(0, 10)).toBe('PUNDIX/K…*');
    expect(plain(row('KRW-PUNDIX'), 80).slice(0, 10)).toBe('PUNDIX/KRW');
    for (let columns = 30; columns <= 140; columns += 1) {
      expect(textWidth(plain(row('KRW-BTC'), columns, BOTH, null, '비트코인')), `at ${columns} columns`).toBe(textWidth(plain(row('KRW-BTC'), columns, undefined, null, '비트코인')));
    }
  });

  it('is drawn in theme.bad or theme.warn with colours, plain without', () => {
    for (const mode of ['korean', 'global'] as const) {
      const theme = themeFor(mode);
      const cols = tableColumns(80);
      const bad = theme.bad;
      const warn = theme.warn;
      if (bad === undefined || warn === undefined) throw new Error(`${mode} has no alarm colours`);
      expect(rowLine(row('KRW-BTT'), cols, null, theme, '', WARNING).text).toContain(paint('!', bad));
      expect(rowLine(row('KRW-SHIB'), cols, null, theme, '', CAUTION).text).toContain(paint('*', warn));
      // The rise colour is still the row's own (the price cell, padded to its column).
      expect(rowLine(row('KRW-SHIB'), cols, null, theme, '', CAUTION).text).toContain(paint('1,234'.padStart(cols.price), theme.rise ?? ''));
    }
    const none = rowLine(row('KRW-BTT'), tableColumns(80), null, themeFor('none'), '', WARNING);
    expect(none.text).not.toContain('\u001b[');
    expect(none.text.startsWith('BTT/KRW  ! ')).toBe(true);
  });

  it('screenSelector draws the flags it is given, by market', () => {
    const markets = ['KRW-BTC', 'KRW-SHIB', 'KRW-BTT'];
    const snapshot: MarketSnapshot = {
      version: 1,
      publishedAt: 1_000,
      markets,
      rows: new Map(markets.map((m) => [m, row(m)])),
      connection: { state: 'live', since: 0 },
      msgPerSec: 0,
      lagP99Ms: null,
      lastMessageAt: null,
      silent: false,
      invalidCount: 0,
      shuttingDown: false,
      notice: null,
    };
    const select = screenSelector({
      rows: 20,
      cols: tableColumns(80),
      theme: themeFor('none'),
      body: { kind: 'table', offset: 0 },
      status: {},
      flags: new Map([
        ['KRW-SHIB', CAUTION],
        ['KRW-BTT', WARNING],
      ]),
    });
    expect(select(snapshot, null).lines.map((l) => l.text.slice(0, 10))).toEqual(['BTC/KRW   ', 'SHIB/KRW *', 'BTT/KRW  !']);
  });
});

describe('alert badges in the / search', () => {
  it('follow the code, in the same column for every result', () => {
    const results = [
      { market: 'KRW-BTC', koreanName: '비트코인', englishName: 'Bitcoin', warning: false, cautions: [] },
      { market: 'KRW-SHIB', koreanName: '시바이누', englishName: 'Shiba Inu', ...CAUTION },
      { market: 'KRW-BTT', koreanName: '비트토렌트', englishName: 'BitTorrent', ...BOTH },
      // A list known without details.
      { market: 'KRW-ETH', koreanName: '이더리움', englishName: 'Ethereum' },
    ];
    const { lastFrame } = render(createElement(SearchOverlay, { query: 'k', results, selected: 0, watched: new Set<string>(), rows: 10, theme: themeFor('none') }));
    const lines = (lastFrame() ?? '').split('\n').slice(1);
    expect(lines.map((l) => l.slice(0, 16))).toEqual(['>  KRW-BTC     비', '   KRW-SHIB   *시', '   KRW-BTT    !비', '   KRW-ETH     이']);
  });
});
