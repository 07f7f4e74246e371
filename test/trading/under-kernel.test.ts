/**
 * The trading core as kernel tasks against the embedded exchange: the private stream and the
 * order service are named tasks; fills reach the journal over the stream; shutdown stops new
 * orders at once, awaits the one in flight and journals it, then closes venue and journal.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { openJournal } from '../../src/trading/journal/index.js';
import { OrderService, ShuttingDownError } from '../../src/trading/order-service.js';
import { RestVenue } from '../../src/trading/rest-venue.js';
import { runTradingUnder, TRADING_TASKS } from '../../src/trading/under-kernel.js';
import { UpbitRestClient } from '../../src/upbit/rest/index.js';
import { ACCOUNT, KEYS, MARKET_BUY, RESTING_BUY, startSim, tempJournalFile } from '../fixtures/trading/order-harness.js';
import { testKernel } from '../runtime/helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const server = await startSim();
  cleanups.push(() => server.close());
  const client = new UpbitRestClient({ baseUrl: server.restUrl, keys: KEYS });
  const venue = new RestVenue({ client, keys: KEYS, kind: 'sim', privateWsUrl: server.privateWsUrl, privateTuning: { backoff: { baseMs: 20, capMs: 200 } } });
  const file = tempJournalFile();
  const journal = openJournal(file, { endpoint: venue.endpoint, accountId: venue.accountId });
  const service = new OrderService({ venue, journal });
  const { kernel, exit } = testKernel({ stepDeadlineMs: 3_000 });
  runTradingUnder(kernel, { venue, journal, service, drainDeadlineMs: 2_000 });
  await service.recover();
  return { server, venue, journal, service, kernel, exit, file };
}

describe('runTradingUnder', () => {
  it('runs the private stream and the order service as named kernel tasks; a fill heard on the stream is journalled', async () => {
    const s = await setup();
    const running = s.kernel.tasks().filter((t) => t.state === 'running').map((t) => t.name);
    expect(running).toEqual(expect.arrayContaining([TRADING_TASKS.stream, TRADING_TASKS.orders]));
    // Wait for the stream by its effect: an order event from the exchange reaches the venue.
    const heard: string[] = [];
    s.venue.onOrderEvent((e) => heard.push(e.state));
    await waitFor(() => {
      s.server.exchange.place(ACCOUNT.accessKey, { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '40000000', volume: '0.0002' });
      return heard.length > 0;
    }, 'the private stream');

    const placed = await s.service.place(MARKET_BUY, { source: 'cli' });
    await waitFor(() => s.journal.attemptByIdentifier(placed.identifier)?.state === 'cancel' || s.journal.attemptByIdentifier(placed.identifier)?.state === 'done', 'the fill and terminal state from myOrder');
    const report = await s.kernel.shutdown({ kind: 'user' });
    expect(report.overruns).toEqual([]);
  });

  it('on shutdown: no new order, the one in flight awaited and journalled, then venue and journal closed', async () => {
    const s = await setup();
    s.server.faults.nextHttp.push({ kind: 'latency', latencyMs: 400, match: { method: 'POST', path: '/v1/orders' } });
    const inFlight = s.service.place(RESTING_BUY, { source: 'cli' });
    await waitFor(() => s.journal.unresolved().length === 1, 'the attempt journalled as pending');
    const shutdown = s.kernel.shutdown({ kind: 'signal', signal: 'SIGTERM' });
    // Refused at once, before any release has run.
    await expect(s.service.place(RESTING_BUY, { source: 'cli' })).rejects.toBeInstanceOf(ShuttingDownError);
    const placed = await inFlight;
    const report = await shutdown;
    expect(report.overruns).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(s.exit).toHaveBeenCalledWith(143);
    expect(s.kernel.tasks().filter((t) => t.state === 'running')).toEqual([]);
    // The journal was closed by the kernel; reopened, it has the order as acked and nothing unresolved.
    expect(() => s.journal.unresolved()).toThrow();
    const reopened = openJournal(s.file, { endpoint: s.venue.endpoint, accountId: s.venue.accountId });
    try {
      expect(reopened.attemptByIdentifier(placed.identifier)).toMatchObject({ state: 'acked' });
      expect(reopened.unresolved()).toEqual([]);
    } finally {
      reopened.close();
    }
    expect(s.server.exchange.list(ACCOUNT.accessKey, { states: ['wait'] }).map((o) => o.identifier)).toContain(placed.identifier);
  });
});
