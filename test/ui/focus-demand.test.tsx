/**
 * What the focused market demands of the feed (src/ui/focus-demand.ts) and the hook that holds
 * it while the view is on that market (src/ui/use-market-data.ts).
 */
import { Text } from 'ink';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketFeed } from '../../src/trading/feed/market-feed.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { focusDemand } from '../../src/ui/focus-demand.js';
import { useMarketDemand } from '../../src/ui/use-market-data.js';
import type { MarketCode } from '../../src/upbit/types.js';
import { until } from './ink-helpers.js';

afterEach(() => {
  cleanup();
});

/** A feed that is never run: its demands only shape the subscription it would send. */
const idleFeed = (): MarketFeed => new MarketFeed({ url: 'ws://127.0.0.1:9/websocket/v1', tickers: new MarketStore({ markets: ['KRW-BTC'] }) });

describe('focusDemand', () => {
  it('demands the book, the trades and the 1-minute candles of the market, and releases all three once', () => {
    const feed = idleFeed();
    const keep = feed.demand('watchlist', { type: 'ticker', codes: ['KRW-BTC'] });
    const release = focusDemand(feed, 'KRW-ETH');
    expect(feed.desired()).toEqual([
      { type: 'ticker', codes: ['KRW-BTC'] },
      { type: 'trade', codes: ['KRW-ETH'] },
      { type: 'orderbook', codes: ['KRW-ETH'] },
      { type: 'candle.1m', codes: ['KRW-ETH'] },
    ]);
    release();
    release();
    expect(feed.desired()).toEqual([{ type: 'ticker', codes: ['KRW-BTC'] }]);
    keep();
  });

  it('refuses a market that is not a code, holding nothing', () => {
    const feed = idleFeed();
    expect(() => focusDemand(feed, 'btc')).toThrow(/not a market code/);
    expect(feed.desired()).toEqual([]);
  });
});

describe('useMarketDemand', () => {
  function Focus({ demand, market }: { demand: (m: MarketCode) => () => void; market: MarketCode | null }) {
    useMarketDemand(demand, market);
    return <Text>{market ?? 'none'}</Text>;
  }

  it('holds the demand of the market shown, moves it with the market, and releases it on unmount', async () => {
    const held = new Set<MarketCode>();
    const log: string[] = [];
    const demand = (m: MarketCode): (() => void) => {
      held.add(m);
      log.push(`+${m}`);
      return () => {
        held.delete(m);
        log.push(`-${m}`);
      };
    };
    const { rerender, unmount } = render(<Focus demand={demand} market="KRW-BTC" />);
    await until(() => held.has('KRW-BTC'), 'the first demand');
    rerender(<Focus demand={demand} market="KRW-ETH" />);
    await until(() => held.has('KRW-ETH') && !held.has('KRW-BTC'), 'the demand to move');
    rerender(<Focus demand={demand} market={null} />);
    await until(() => held.size === 0, 'no market: no demand');
    rerender(<Focus demand={demand} market="KRW-XRP" />);
    await until(() => held.has('KRW-XRP'), 'a demand again');
    unmount();
    await until(() => held.size === 0, 'the release on unmount');
    expect(log).toEqual(['+KRW-BTC', '-KRW-BTC', '+KRW-ETH', '-KRW-ETH', '+KRW-XRP', '-KRW-XRP']);
  });
});
