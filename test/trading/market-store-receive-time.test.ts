// The receive time of a frame is read once, by the socket, and handed to the store with the
// activity and every ticker of the frame (docs/performance.md: a clock read cost about as much
// as a third of the store's work per tick). The store must use the time it is given, on its
// own clock, for the row's age, the newest message and the silence check, and read its own
// clock only when no time is given.
import { afterEach, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/trading/market-store.js';
import { QuotationClient } from '../../src/upbit/quotation-client.js';
import type { Ticker } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakeUpbit, tickerWire } from '../upbit/fake-upbit.js';
import { makeTicker } from './ticker-fixture.js';

describe('MarketStore: the receive time comes with the tick', () => {
  it('dates a row and the newest message by the time given, and by its own clock without one', () => {
    const store = new MarketStore({ markets: ['KRW-BTC', 'KRW-ETH'], now: () => 50_000 });
    store.applyTicker(makeTicker('KRW-BTC', 1_000_000), 41_000);
    store.flush();
    expect(store.getSnapshot().rows.get('KRW-BTC')?.receivedAt).toBe(41_000);
    expect(store.getSnapshot().lastMessageAt).toBe(41_000);
    store.applyTicker(makeTicker('KRW-ETH', 4_000_000));
    store.flush();
    expect(store.getSnapshot().rows.get('KRW-ETH')?.receivedAt).toBe(50_000);
  });

  it('counts silence from the activity time given', () => {
    let now = 0;
    const store = new MarketStore({ markets: ['KRW-BTC'], now: () => now, silentAfterMs: 5_000 });
    store.setConnection({ state: 'live', since: 0 });
    now = 10_000;
    store.noteActivity(4_000);
    store.flush();
    expect(store.getSnapshot().silent).toBe(true);
    store.noteActivity(6_000);
    store.flush();
    expect(store.getSnapshot().silent).toBe(false);
    now = 20_000;
    store.noteActivity();
    store.flush();
    expect(store.getSnapshot().silent).toBe(false);
  });
});

describe('QuotationClient: one clock read per frame', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('hands every ticker of a frame the time the socket read for that frame, on the socket’s clock', async () => {
    const server = await FakeUpbit.start({ snapshots: false });
    cleanups.push(() => server.close());
    // A clock far from Date.now, so a time read from anywhere else would show.
    const OFFSET = 1e12;
    const got: Array<{ t: Ticker; at: number }> = [];
    const activity: number[] = [];
    const client = new QuotationClient({
      url: server.url,
      now: () => Date.now() + OFFSET,
      onTicker: (t, at) => got.push({ t, at }),
      onActivity: (at) => activity.push(at),
    });
    client.setSubscriptions([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }]);
    const ac = new AbortController();
    const done = client.run(ac.signal);
    cleanups.push(async () => {
      ac.abort();
      await done;
    });
    await waitFor(() => server.connections[0]?.requests.length === 1, 'the subscription request');
    const before = Date.now() + OFFSET;
    server.send([tickerWire('KRW-BTC', 32_287_000), tickerWire('KRW-ETH', 4_800_000)]);
    await waitFor(() => got.length === 2, 'both tickers of the list frame');
    server.send(tickerWire('KRW-BTC', 32_288_000));
    await waitFor(() => got.length === 3, 'the third ticker');
    const [first, second, third] = got;
    expect(first?.t.market).toBe('KRW-BTC');
    expect(second?.t.market).toBe('KRW-ETH');
    expect(first?.at).toBeGreaterThanOrEqual(before);
    expect(second?.at).toBe(first?.at);
    expect(third?.at).toBeGreaterThanOrEqual(first?.at ?? Infinity);
    // The activity of each frame carries the same time as its tickers.
    expect(activity).toContain(first?.at);
    expect(activity).toContain(third?.at);
  });
});
