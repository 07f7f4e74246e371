/**
 * The console's watchlist on the real path: the embedded exchange on 127.0.0.1 port 0, the
 * market feed and ticker store the TUI builds (src/app/tui.ts), the app's Watchlist, and the
 * Ink tree driven by key presses. What the exchange saw (its connections, the requests on each,
 * what each is subscribed to) is read from `quotationConnections()`; every wait is on a
 * condition.
 */
import { cleanup, render } from 'ink-testing-library';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Watchlist } from '../../src/app/watchlist.js';
import { openWatchlistState } from '../../src/app/watchlist-state.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import { SIM_CATALOG, simMarketInfo, startSimServer } from '../../src/sim/index.js';
import { MarketFeed } from '../../src/trading/feed/index.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { App } from '../../src/ui/App.js';
import { fetchMarketList, type MarketInfo } from '../../src/upbit/market-list.js';
import { waitFor } from '../helpers/wait-for.js';
import { frameLines, frameWhere, until } from '../ui/ink-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  cleanup();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CATALOG = SIM_CATALOG.map(simMarketInfo);
const DOWN = '\u001B[B';
const ENTER = '\r';
const ESC = '\u001B';

async function consoleOn(markets: string[], dataDir?: string, catalogOf?: (restUrl: string) => Promise<readonly MarketInfo[]>) {
  const server = await startSimServer({ seed: 5 });
  cleanups.push(() => server.close());
  const catalog = catalogOf === undefined ? CATALOG : await catalogOf(server.restUrl);
  const log = memoryLogger();
  const store = new MarketStore({ markets, logger: log });
  const feed = new MarketFeed({ url: server.wsUrl, tickers: store, logger: log, backoff: { baseMs: 20, capMs: 200 } });
  const state = dataDir === undefined ? null : openWatchlistState(dataDir);
  const watchlist = new Watchlist({ feed, store, markets, state, logger: log });
  const controller = new AbortController();
  const runs = [feed.run(controller.signal), store.run(controller.signal)];
  cleanups.push(async () => {
    watchlist.close();
    controller.abort();
    await Promise.allSettled(runs);
  });
  const actions = { addMarket: (m: string) => watchlist.add(m), removeMarket: (m: string) => watchlist.remove(m) };
  const app = render(<App store={store} onQuit={() => {}} colors="none" catalog={catalog} watchlist={actions} names={new Map(catalog.map((m) => [m.market, m.koreanName]))} />);
  await until(() => app.stdin.listenerCount('readable') > 0, 'the input hook');
  return { server, store, watchlist, app };
}

/** The table labels a market `BTC/KRW` (format.ts marketLabel). */
const label = (market: string): string => `${market.slice(4)}/KRW`;
const priced = (frame: string, market: string): boolean => frameLines(frame).some((l) => l.startsWith(label(market)) && /\d{1,3}(,\d{3})+|\d+\.\d+/.test(l.slice(10)));
const openSubscriptions = (server: Awaited<ReturnType<typeof startSimServer>>) => server.quotationConnections().filter((c) => c.open);

describe('the watchlist from the keyboard, against the embedded exchange', () => {
  it('/ finds a market by its Korean initials, Enter subscribes it on the open connection, and its row shows prices', async () => {
    const c = await consoleOn(['KRW-BTC', 'KRW-ETH']);
    await frameWhere(c.app.lastFrame, (f) => priced(f, 'KRW-BTC'), 'prices of KRW-BTC');
    c.app.stdin.write('/');
    await frameWhere(c.app.lastFrame, (f) => f.startsWith('/ '), 'the search box');
    // 엑스알피 → ㅇㅅㅇㅍ
    for (const ch of 'ㅇㅅㅇㅍ') c.app.stdin.write(ch);
    const found = await frameWhere(c.app.lastFrame, (f) => f.includes('KRW-XRP') && f.includes('1 market'), 'KRW-XRP offered');
    expect(found).toContain('엑스알피(리플)');
    c.app.stdin.write(ENTER);
    const row = await frameWhere(c.app.lastFrame, (f) => priced(f, 'KRW-XRP') && !f.startsWith('/ '), 'a priced KRW-XRP row');
    expect(frameLines(row).filter((l) => /^(BTC|ETH|XRP)\/KRW/.test(l)).map((l) => l.slice(0, 7))).toEqual(['BTC/KRW', 'ETH/KRW', 'XRP/KRW']);
    // One connection all along; the new set went as one more request on it.
    const conns = openSubscriptions(c.server);
    expect(conns).toHaveLength(1);
    expect(conns[0]?.subscriptions).toEqual([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'] }]);
    expect(c.server.quotationConnections()).toHaveLength(1);
  });

  it('marks the markets the exchange lists with an alert: ! for the warning, * for a caution, none for the rest', async () => {
    // The list as the live TUI gets it (market/all?is_details=true, src/app/market-check.ts).
    const c = await consoleOn(['KRW-BTC', 'KRW-SHIB', 'KRW-BTT'], undefined, (url) => fetchMarketList(url));
    const frame = await frameWhere(c.app.lastFrame, (f) => ['KRW-BTC', 'KRW-SHIB', 'KRW-BTT'].every((m) => priced(f, m)), 'prices of all three');
    const cells = frameLines(frame)
      .filter((l) => /^(BTC|SHIB|BTT)\/KRW/.test(l))
      .map((l) => l.slice(0, 10).trimEnd());
    expect(cells).toEqual(['BTC/KRW', 'SHIB/KRW *', 'BTT/KRW  !']);
  });

  it('d removes the selected market: the row goes, and so does its subscription', async () => {
    const c = await consoleOn(['KRW-BTC', 'KRW-ETH', 'KRW-XRP']);
    await frameWhere(c.app.lastFrame, (f) => priced(f, 'KRW-ETH'), 'prices of KRW-ETH');
    c.app.stdin.write(DOWN);
    await frameWhere(c.app.lastFrame, (f) => f.includes('ETH/KRW   <'), 'KRW-ETH selected');
    c.app.stdin.write('d');
    const frame = await frameWhere(c.app.lastFrame, (f) => !f.includes('ETH/KRW') && f.includes('XRP/KRW'), 'KRW-ETH gone');
    // The selection stays on a row: the next one moved up into it.
    expect(frame).toContain('XRP/KRW   <');
    await waitFor(() => openSubscriptions(c.server)[0]?.subscriptions[0]?.codes.join(',') === 'KRW-BTC,KRW-XRP', 'the subscription without KRW-ETH');
    expect(c.server.quotationConnections()).toHaveLength(1);
  });

  it('Esc closes the search without adding; typing there is text (q does not quit)', async () => {
    let quits = 0;
    const c = await consoleOn(['KRW-BTC']);
    c.app.rerender(<App store={c.store} onQuit={() => (quits += 1)} colors="none" catalog={CATALOG} />);
    c.app.stdin.write('/');
    await frameWhere(c.app.lastFrame, (f) => f.startsWith('/ '), 'the search box');
    c.app.stdin.write('q');
    await frameWhere(c.app.lastFrame, (f) => f.startsWith('/ q'), 'q in the box');
    c.app.stdin.write(ESC);
    await frameWhere(c.app.lastFrame, (f) => !f.startsWith('/ ') && f.includes('BTC/KRW'), 'the table again');
    expect(quits).toBe(0);
    expect(c.watchlist.markets).toEqual(['KRW-BTC']);
  });

  it('saves the changed watchlist in the data directory for the next run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'upbit-tui-watch-'));
    const c = await consoleOn(['KRW-BTC'], dir);
    c.watchlist.add('KRW-SOL');
    const file = path.join(dir, 'watchlist.json');
    const saved = await waitFor(() => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as { markets: string[] };
      } catch {
        return undefined;
      }
    }, 'the saved watchlist');
    expect(saved.markets).toEqual(['KRW-BTC', 'KRW-SOL']);
    expect(openWatchlistState(dir).load().markets).toEqual(['KRW-BTC', 'KRW-SOL']);
  });
});
