/**
 * Every-tick listeners on the real path the TUI runs: the embedded exchange on port 0, the
 * real QuotationClient, the market store. A listener (a stop-loss rule, say) must get every
 * tick of its market even when the table does not show it, and one that throws must not end
 * the stream. Each case waits on what arrives, never on a fixed sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/runtime/logger.js';
import { startSimServer } from '../../src/sim/index.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { QuotationClient, type ConnectionStatus } from '../../src/upbit/quotation-client.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The TUI's wiring (src/app/tui.ts): the client hands every ticker to the store. */
async function pipeline(table: string[], subscribed: string[]) {
  const server = await startSimServer({ seed: 7 });
  cleanups.push(() => server.close());
  const log = memoryLogger();
  const store = new MarketStore({ markets: table, logger: log });
  const statuses: ConnectionStatus[] = [];
  const client = new QuotationClient({
    url: server.wsUrl,
    backoff: { baseMs: 20, capMs: 200 },
    onTicker: (t) => store.applyTicker(t),
    onStatus: (s) => statuses.push(s),
  });
  client.setSubscriptions([{ type: 'ticker', codes: subscribed }]);
  const controller = new AbortController();
  let ended: { how: 'resolved' } | { how: 'rejected'; error: unknown } | null = null;
  const done = client.run(controller.signal).then(
    () => void (ended = { how: 'resolved' }),
    (error: unknown) => void (ended = { how: 'rejected', error }),
  );
  cleanups.push(async () => {
    controller.abort();
    await done;
  });
  return { store, client, log, statuses, ended: () => ended };
}

describe('every-tick listeners through the real QuotationClient against the embedded exchange', () => {
  it('a listener on a market the table does not show gets its ticks, in order', async () => {
    const p = await pipeline(['KRW-BTC'], ['KRW-BTC', 'KRW-XRP']);
    const xrp: number[] = [];
    const every: string[] = [];
    p.store.onTick('stop-loss KRW-XRP', (t) => xrp.push(t.timestamp), { markets: ['KRW-XRP'] });
    p.store.onTick('recorder', (t) => every.push(t.market));
    await waitFor(() => xrp.length >= 2, 'two KRW-XRP ticks at the listener', 8000);
    expect([...xrp].sort((a, b) => a - b)).toEqual(xrp);
    expect(every.filter((m) => m === 'KRW-XRP')).toHaveLength(xrp.length);
    expect(every).toContain('KRW-BTC');
    p.store.flush();
    expect(p.store.getSnapshot().rows.has('KRW-XRP')).toBe(false);
  });

  it('a throwing listener does not end the stream: the others go on, the error is counted and its owner told', async () => {
    const p = await pipeline(['KRW-BTC', 'KRW-ETH'], ['KRW-BTC', 'KRW-ETH']);
    const told: unknown[] = [];
    const others: number[] = [];
    p.store.onTick(
      'broken rule',
      () => {
        throw new Error('rule bug');
      },
      { onError: (error) => told.push(error) },
    );
    p.store.onTick('healthy rule', (t) => others.push(t.tradePrice));
    await waitFor(() => others.length >= 1, 'the first tick');
    const errorsThen = p.store.listenerErrorCount();
    const seenThen = others.length;
    expect(errorsThen).toBeGreaterThanOrEqual(1);
    // More ticks keep coming on the same connection after the listener threw.
    await waitFor(() => others.length >= seenThen + 3, 'three more ticks after the listener threw', 8000);
    expect(p.ended()).toBeNull();
    expect(p.client.stats().connects).toBe(1);
    expect(p.statuses.filter((s) => s.state === 'reconnecting')).toHaveLength(0);
    expect(p.store.listenerErrorCount()).toBeGreaterThan(errorsThen);
    // Every tick the others saw, the broken one threw on, and its owner was told each time.
    expect(told).toHaveLength(p.store.listenerErrorCount());
    expect(told.length).toBe(others.length);
    expect(p.log.records.some((r) => r.level === 'error' && r.fields['owner'] === 'broken rule')).toBe(true);
  });
});
