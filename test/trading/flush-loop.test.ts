import { describe, expect, it } from 'vitest';

import { FlushLoop } from '../../src/trading/flush-loop.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { OrderBooks } from '../../src/trading/feed/index.js';
import { waitFor } from '../helpers/wait-for.js';

describe('FlushLoop: the throttle of the market store and the feed slices', () => {
  it('flushes until aborted, then resolves and stops', async () => {
    let flushes = 0;
    const loop = new FlushLoop('Test', 1, () => void flushes++);
    const ac = new AbortController();
    const running = loop.run(ac.signal);
    await waitFor(() => flushes >= 3, 'three flushes');
    ac.abort();
    await expect(running).resolves.toBeUndefined();
    // Stopped: it can be run again (a loop still running would refuse).
    const next = new AbortController();
    const again = loop.run(next.signal);
    const before = flushes;
    await waitFor(() => flushes > before, 'a flush of the second run');
    next.abort();
    await expect(again).resolves.toBeUndefined();
  });

  it('rejects naming the store when a subscriber throws, and can run again after', async () => {
    let fail = true;
    const loop = new FlushLoop('OrderBooks', 1, () => {
      if (fail) throw new Error('boom');
    });
    await expect(loop.run(new AbortController().signal)).rejects.toThrow('A OrderBooks subscriber threw during flush');
    fail = false;
    const ac = new AbortController();
    const again = loop.run(ac.signal);
    ac.abort();
    await expect(again).resolves.toBeUndefined();
  });

  it('refuses a second run while one is going, and does nothing on an aborted signal', async () => {
    const loop = new FlushLoop('Test', 5, () => undefined);
    const ac = new AbortController();
    const first = loop.run(ac.signal);
    await expect(loop.run(ac.signal)).rejects.toThrow('Test.run is already running');
    ac.abort();
    await first;
    await expect(loop.run(ac.signal)).resolves.toBeUndefined();
  });

  it('is what the market store and a slice run: a throwing subscriber fails their task', async () => {
    const store = new MarketStore({ markets: ['KRW-BTC'], flushHz: 50 });
    store.subscribe(() => {
      throw new Error('subscriber');
    });
    store.noteInvalid();
    await expect(store.run(new AbortController().signal)).rejects.toThrow('A MarketStore subscriber threw during flush');
    const books = new OrderBooks();
    const ac = new AbortController();
    await expect(Promise.all([books.run(ac.signal), books.run(ac.signal)])).rejects.toThrow('OrderBooks.run is already running');
    ac.abort();
  });
});
