/**
 * The three panes rendered by Ink from the real stores: what they show follows the stores, and
 * each renders only when its own data changed (a ticker flush never renders the orders pane;
 * the portfolio only when a held asset's price moved).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render, cleanup } from 'ink-testing-library';
import { Text } from 'ink';
import { Profiler, useSyncExternalStore } from 'react';
import { afterEach, describe, expect, it } from 'vitest';

import { AuditLog } from '../../src/app/audit-log.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { AccountStore, OrdersStore } from '../../src/trading/session/index.js';
import { LogPanel } from '../../src/ui/LogPanel.js';
import { OrdersPanel } from '../../src/ui/OrdersPanel.js';
import { PortfolioPanel } from '../../src/ui/PortfolioPanel.js';
import { themeFor } from '../../src/ui/theme.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { waitFor } from '../helpers/wait-for.js';
import { frameLines, frameWhere } from './ink-helpers.js';
import { balance, intent, orderEvent } from './pane-fixtures.js';

const theme = themeFor('none');
const dirs: string[] = [];
afterEach(() => {
  cleanup();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Renders on every ticker flush: the frame shows the flush's version, a condition to wait on. */
function TickerVersion({ market }: { market: MarketStore }) {
  const { version } = useSyncExternalStore(market.subscribe, market.getSnapshot);
  return <Text>{`ticker v${version}`}</Text>;
}

function tickers(): MarketStore {
  const store = new MarketStore({ markets: ['KRW-BTC', 'KRW-ETH'] });
  store.setConnection({ state: 'live', since: Date.now() });
  store.applyTicker(makeTicker('KRW-BTC', 95_000_000));
  store.applyTicker(makeTicker('KRW-ETH', 5_000_000));
  store.flush();
  return store;
}

describe('panes', () => {
  it('the orders pane follows the orders store and renders only when it publishes, never for a ticker flush', async () => {
    const orders = new OrdersStore();
    const account = new AccountStore();
    const market = tickers();
    let ordersRenders = 0;
    let portfolioRenders = 0;
    account.applySync([balance('KRW', '1000000'), balance('BTC', '0.01', { avg: '90000000' })]);
    orders.applySync([]);
    await waitFor(() => account.getSnapshot().loaded && orders.getSnapshot().loaded, 'the first reads published');
    const { lastFrame } = render(
      <>
        <Profiler id="orders" onRender={() => ordersRenders++}>
          <OrdersPanel orders={orders} width={90} height={8} selected={0} now={1_000_000} theme={theme} />
        </Profiler>
        <Profiler id="portfolio" onRender={() => portfolioRenders++}>
          <PortfolioPanel account={account} prices={market} width={100} height={6} selected={null} theme={theme} />
        </Profiler>
        <TickerVersion market={market} />
      </>,
    );
    await frameWhere(lastFrame, (f) => f.includes('OPEN ORDERS 0') && f.includes('950,000'), 'both panes');

    orders.applyJournal([intent('mine', 'acked', { uuid: 'u1' })]);
    orders.applyEvent(orderEvent('u1', 'wait', { identifier: 'mine', at: 940_000 }));
    const frame = await frameWhere(lastFrame, (f) => f.includes('OPEN ORDERS 1 · 1 by upbit-tui'), 'the new order');
    expect(frameLines(frame)[2]).toMatch(/^>tui +BTC\/KRW +BUY +limit +50,000,000 +0\.0002 +0% +wait +1m/);
    const ordersBefore = ordersRenders;
    const portfolioBefore = portfolioRenders;

    // A tick of a market the account does not hold: neither pane renders.
    market.applyTicker(makeTicker('KRW-ETH', 5_100_000));
    market.flush();
    const eth = market.getSnapshot().version;
    await frameWhere(lastFrame, (f) => f.includes(`ticker v${eth}`), 'the ETH flush drawn');
    expect([ordersRenders, portfolioRenders]).toEqual([ordersBefore, portfolioBefore]);
    // A tick of a held asset: the portfolio renders, the orders pane does not.
    market.applyTicker(makeTicker('KRW-BTC', 96_000_000));
    market.flush();
    await frameWhere(lastFrame, (f) => f.includes('960,000') && f.includes(`ticker v${eth + 1}`), 'the new BTC value');
    expect(ordersRenders).toBe(ordersBefore);
    expect(portfolioRenders).toBe(portfolioBefore + 1);
    orders.close();
    account.close();
  });

  it('the portfolio says "no price" for a held asset with no ticker and totals the rest', async () => {
    const account = new AccountStore();
    account.applySync([balance('KRW', '500000'), balance('DOGE', '100', { avg: '200' })]);
    account.close();
    const { lastFrame } = render(<PortfolioPanel account={account} prices={tickers()} width={100} height={6} selected={null} theme={theme} />);
    const frame = await frameWhere(lastFrame, (f) => f.includes('TOTAL'), 'the portfolio');
    expect(frameLines(frame).find((l) => l.startsWith(' DOGE'))).toMatch(/no price/);
    expect(frame).toContain('TOTAL ≈ 500,000 KRW · no price: DOGE');
  });

  it('the log pane shows the audit trail newest at the bottom, following it as entries come', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'panes-'));
    dirs.push(dir);
    const log = new AuditLog(dir);
    log.record({ kind: 'notice', text: 'first' });
    const { lastFrame } = render(<LogPanel log={log} width={80} height={4} offset={0} theme={theme} />);
    await frameWhere(lastFrame, (f) => f.includes('first'), 'the first entry');
    for (const text of ['second', 'third', 'fourth']) log.record({ kind: 'fill', market: 'KRW-BTC', text });
    const frame = await frameWhere(lastFrame, (f) => f.includes('fourth'), 'the newest entry');
    const lines = frameLines(frame);
    expect(lines[0]).toMatch(/^LOG 4 · also in .*\.jsonl/);
    expect(lines.slice(1).map((l) => l.trim().replace(/^\d\d:\d\d:\d\d +/, ''))).toEqual(['↑ 2 earlier', 'fill        BTC/KRW    third', 'fill        BTC/KRW    fourth']);
    await log.close();
  });
});
