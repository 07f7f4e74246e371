// The socket reads its clock once per burst of frames (the frames `ws` hands over from one read
// of the network, synchronously one after another), not once per frame: flat out a read carries
// tens of frames, and a clock read per frame was about 1 % of the ingest path's CPU
// (docs/performance.md, "after J"). Each frame still gets the time its burst arrived.
import { afterEach, describe, expect, it } from 'vitest';
import { QuotationClient } from '../../src/upbit/quotation-client.js';
import { burstClock } from '../../src/upbit/socket/burst-clock.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakeUpbit, tickerWire } from './fake-upbit.js';

describe('burstClock', () => {
  it('reads the clock once per synchronous run and again after it', async () => {
    let reads = 0;
    let t = 1_000;
    const clock = burstClock(() => {
      reads += 1;
      return t;
    });
    expect(clock()).toBe(1_000);
    t = 2_000;
    expect(clock()).toBe(1_000);
    expect(clock()).toBe(1_000);
    expect(reads).toBe(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(clock()).toBe(2_000);
    expect(reads).toBe(2);
    t = 3_000;
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock()).toBe(3_000);
    expect(reads).toBe(3);
  });
});

describe('UpbitSocket: one clock read per burst of frames', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('dates every frame of a burst by one reading, and reads the clock far less often than once a frame', async () => {
    const server = await FakeUpbit.start({ snapshots: false });
    cleanups.push(() => server.close());
    let reads = 0;
    const got: number[] = [];
    const client = new QuotationClient({
      url: server.url,
      now: () => {
        reads += 1;
        return Date.now();
      },
      onTicker: (_t, at) => got.push(at),
    });
    client.setSubscriptions([{ type: 'ticker', codes: ['KRW-BTC'] }]);
    const ac = new AbortController();
    const done = client.run(ac.signal);
    cleanups.push(async () => {
      ac.abort();
      await done;
    });
    await waitFor(() => server.connections[0]?.requests.length === 1, 'the subscription request');
    const FRAMES = 300;
    const before = reads;
    // Sent in one synchronous run of this process: the client reads them in a few bursts.
    for (let i = 0; i < FRAMES; i++) server.send(tickerWire('KRW-BTC', 32_287_000 + i * 1_000), { binary: true });
    await waitFor(() => got.length === FRAMES, 'every ticker');
    const framesReads = reads - before;
    // Once per frame would be 300; a burst per read of the network is a handful.
    expect(framesReads).toBeLessThan(FRAMES / 4);
    expect(new Set(got).size).toBeLessThanOrEqual(framesReads);
    // Times never go backwards.
    for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThanOrEqual(got[i - 1] ?? 0);
  });
});
