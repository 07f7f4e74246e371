import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { fullJitterDelay } from '../../src/runtime/backoff.js';
import { memoryLogger, type LogRecord } from '../../src/runtime/logger.js';
import { isRecord } from '../../src/upbit/json-narrow.js';
import { QUOTATION_BACKOFF, QuotationClient, type ConnectionStatus, type QuotationClientOptions, type Subscription } from '../../src/upbit/quotation-client.js';
import { FLAPPING_MIN_DROPS, recentDrops } from '../../src/upbit/socket/status.js';
import type { Ticker } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakeUpbit, tickerWire, type FakeUpbitOptions } from './fake-upbit.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BTC: Subscription[] = [{ type: 'ticker', codes: ['KRW-BTC'] }];

/** A client under test with everything it reports recorded, and its run() owned by the test. */
interface Harness {
  client: QuotationClient;
  tickers: Ticker[];
  statuses: Array<ConnectionStatus & { at: number }>;
  invalid: string[];
  logs: LogRecord[];
  controller: AbortController;
  done: Promise<void>;
  /** Abort and wait for run() to resolve. */
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startClient(opts: Partial<QuotationClientOptions> & { url: string }, subs: Subscription[] = BTC): Harness {
  const tickers: Ticker[] = [];
  const statuses: Harness['statuses'] = [];
  const invalid: string[] = [];
  const logger = memoryLogger();
  const client = new QuotationClient({
    backoff: { baseMs: 20, capMs: 100 },
    ...opts,
    logger,
    onTicker: (t) => tickers.push(t),
    onStatus: (s) => {
      statuses.push({ ...s, at: Date.now() });
      opts.onStatus?.(s);
    },
    onInvalid: (r) => invalid.push(r),
  });
  client.setSubscriptions(subs);
  const controller = new AbortController();
  const done = client.run(controller.signal);
  const stop = async (): Promise<void> => {
    controller.abort();
    await done;
  };
  cleanups.push(stop);
  return { client, tickers, statuses, invalid, logs: logger.records, controller, done, stop };
}

async function fake(opts?: FakeUpbitOptions): Promise<FakeUpbit> {
  const server = await FakeUpbit.start(opts);
  cleanups.unshift(() => server.close());
  return server;
}

const isLive = (h: Harness): boolean => h.statuses.at(-1)?.state === 'live';

/** Port of a server that was listening a moment ago and no longer is. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function portOf(server: NetServer): number {
  const addr: AddressInfo | string | null = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server is not listening on TCP');
  return addr.port;
}

function ticketOf(request: unknown): unknown {
  const [ticket] = Array.isArray(request) ? (request as unknown[]) : [];
  return isRecord(ticket) ? ticket.ticket : undefined;
}

async function listen<T extends NetServer | HttpServer>(server: T): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return portOf(server);
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** No more than `max` of `times` (ms) fall in any half-open window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    let n = 0;
    for (const t of times) if (t >= (times[i] ?? 0) && t < (times[i] ?? 0) + windowMs) n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('QuotationClient: requests', () => {
  it('sends [ticket, ticker codes, format] as one text frame on connect', async () => {
    const server = await fake();
    const h = startClient({ url: server.url }, [{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }]);
    await waitFor(() => server.allRequests().length === 1, 'the first request');
    const [req] = server.allRequests();
    expect(Array.isArray(req)).toBe(true);
    expect(req).toEqual([{ ticket: expect.stringMatching(UUID) as unknown }, { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }, { format: 'DEFAULT' }]);
    await waitFor(() => h.tickers.length === 2, 'two snapshots');
    expect(h.tickers.map((t) => [t.market, t.streamType])).toEqual([
      ['KRW-BTC', 'SNAPSHOT'],
      ['KRW-ETH', 'SNAPSHOT'],
    ]);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
    expect(h.client.stats()).toMatchObject({ messages: 2, invalid: 0, connects: 1 });
  });

  it('asks for SIMPLE keys and parses them to the same tickers', async () => {
    const server = await fake();
    const h = startClient({ url: server.url, format: 'SIMPLE' });
    await waitFor(() => h.tickers.length === 1, 'a SIMPLE snapshot');
    expect(server.allRequests()[0]).toEqual([expect.anything(), { type: 'ticker', codes: ['KRW-BTC'] }, { format: 'SIMPLE' }]);
    expect(h.tickers[0]).toMatchObject({ market: 'KRW-BTC', tradePrice: 32287000, prevClosingPrice: 31883000, change: 'RISE' });
  });

  it('delivers tickers from binary and text frames, and JSON_LIST arrays', async () => {
    const server = await fake({ snapshots: false });
    const h = startClient({ url: server.url });
    await waitFor(() => isLive(h), 'live');
    server.send(tickerWire('KRW-BTC', 100), { binary: true });
    server.send(tickerWire('KRW-BTC', 101), { binary: false });
    server.send([tickerWire('KRW-ETH', 102), tickerWire('KRW-XRP', 103)]);
    await waitFor(() => h.tickers.length === 4, 'four tickers');
    expect(h.tickers.map((t) => [t.market, t.tradePrice])).toEqual([
      ['KRW-BTC', 100],
      ['KRW-BTC', 101],
      ['KRW-ETH', 102],
      ['KRW-XRP', 103],
    ]);
  });

  it('resends the whole set on setSubscriptions, coalescing calls made in the same tick', async () => {
    const server = await fake();
    const h = startClient({ url: server.url });
    await waitFor(() => h.tickers.length === 1, 'the first snapshot');
    h.client.setSubscriptions([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }]);
    h.client.setSubscriptions([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'] }]);
    await waitFor(() => server.allRequests().length === 2, 'the second request');
    expect(server.allRequests()[1]).toEqual([
      { ticket: expect.stringMatching(UUID) as unknown },
      { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'] },
      { format: 'DEFAULT' },
    ]);
    const [first, second] = server.allRequests();
    expect(ticketOf(second)).not.toBe(ticketOf(first));
    await waitFor(() => h.tickers.length === 4, 'snapshots for the new set');
    expect(server.connections).toHaveLength(1);
    expect(h.client.subscriptions()).toEqual([{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'] }]);
  });

  it('sends at most 5 requests per second, delaying (never dropping) the latest set', async () => {
    const server = await fake({ snapshots: false });
    const h = startClient({ url: server.url });
    await waitFor(() => server.allRequests().length === 1, 'the first request');
    const set = (i: number): Subscription[] => [{ type: 'ticker', codes: [`KRW-C${i}`] }];
    for (let i = 0; i < 4; i++) {
      h.client.setSubscriptions(set(i));
      await waitFor(() => server.allRequests().length === 2 + i, `request ${2 + i}`);
    }
    // Five requests went out within the last second: the next ones must wait, and only the
    // latest desired set is sent when the window opens.
    h.client.setSubscriptions(set(4));
    await new Promise((resolve) => setTimeout(resolve, 30)); // pacing the input, not waiting for a result
    h.client.setSubscriptions(set(5));
    await waitFor(() => server.allRequests().length === 6, 'the delayed request', 3_000);
    const times = server.latest().requestTimes;
    expect(server.allRequests()[5]).toEqual([expect.anything(), set(5)[0], { format: 'DEFAULT' }]);
    expect((times[5] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(995);
    expect(maxInWindow(times, 995)).toBeLessThanOrEqual(5);
    expect(h.client.subscriptions()).toEqual(set(5));
  });
});

describe('QuotationClient: reconnects', () => {
  it('reconnects after the server drops the connection and resends the full current set', async () => {
    const server = await fake();
    const wanted: Subscription[] = [{ type: 'ticker', codes: ['KRW-BTC', 'KRW-SOL'] }];
    const late: { client?: QuotationClient } = {};
    const h = startClient({
      url: server.url,
      // Change the set while disconnected: the next connection must carry it.
      onStatus: (s) => {
        if (s.state === 'reconnecting') late.client?.setSubscriptions(wanted);
      },
    });
    late.client = h.client;
    await waitFor(() => h.tickers.length === 1, 'the first snapshot');
    server.latest().socket.terminate();
    await waitFor(() => server.connections.length === 2 && server.connections[1]?.requests.length === 1, 'a second connection with its request');
    expect(server.connections[1]?.requests[0]).toEqual([{ ticket: expect.stringMatching(UUID) as unknown }, wanted[0], { format: 'DEFAULT' }]);
    const states = h.statuses.map((s) => s.state);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'connecting', 'live']);
    expect(h.statuses[2]).toMatchObject({ state: 'reconnecting', attempt: 1, reason: 'connection dropped' });
    await waitFor(() => h.tickers.some((t) => t.market === 'KRW-SOL'), 'a ticker for the new code');
    expect(h.client.stats().connects).toBe(2);
  });

  it('replaces a silent connection (no data, no pong) within pingInterval + liveness', async () => {
    const server = await fake({ autoPong: false, snapshots: false });
    const h = startClient({ url: server.url, pingIntervalMs: 100, livenessTimeoutMs: 200 });
    await waitFor(() => isLive(h), 'live');
    const liveAt = h.statuses.at(-1)?.at ?? 0;
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'the silent connection to be noticed', 2_000);
    const noticed = h.statuses.find((s) => s.state === 'reconnecting');
    expect(noticed).toMatchObject({ state: 'reconnecting', reason: expect.stringMatching(/^no data or pong for \d+\.\d s$/) as unknown });
    // 100 ms to the first ping + 200 ms of silence after it, plus timer slack.
    expect((noticed?.at ?? 0) - liveAt).toBeLessThan(300 + 150);
    await waitFor(() => server.connections.length === 2 && server.connections[1]?.requests.length === 1, 'a replacement connection');
    await waitFor(() => server.connections[0]?.closeCode !== null, 'the server to see the old socket closed');
  });

  it('notices a dead link with a probe ping after probeAfterMs of quiet, long before the keep-alive ping', async () => {
    const server = await fake({ autoPong: false, snapshots: false });
    // The keep-alive ping is 20 s away: only the probe can find the dead link in time.
    const h = startClient({ url: server.url, pingIntervalMs: 20_000, probeAfterMs: 100, livenessTimeoutMs: 200 });
    await waitFor(() => isLive(h), 'live');
    const liveAt = h.statuses.at(-1)?.at ?? 0;
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'the dead link to be noticed', 2_000);
    const noticed = h.statuses.find((s) => s.state === 'reconnecting');
    expect((noticed?.at ?? 0) - liveAt).toBeLessThan(100 + 200 + 150);
    expect(server.connections[0]?.pings).toBeGreaterThanOrEqual(1);
  });

  it('probes a quiet link that answers, and keeps it', async () => {
    const server = await fake({ snapshots: false });
    const pongs: number[] = [];
    const h = startClient({ url: server.url, pingIntervalMs: 20_000, probeAfterMs: 50, livenessTimeoutMs: 100, onActivity: (at) => pongs.push(at) });
    await waitFor(() => isLive(h), 'live');
    await waitFor(() => pongs.length >= 4, 'four pongs reported as activity', 3_000);
    expect(server.connections).toHaveLength(1);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
  });

  it('keeps quotation reconnect delays within 3 s, however long the streak of failures', () => {
    for (let attempt = 0; attempt < 64; attempt += 1) {
      expect(fullJitterDelay(attempt, QUOTATION_BACKOFF, () => 0.999_999)).toBeLessThanOrEqual(3_000);
    }
    expect(fullJitterDelay(0, QUOTATION_BACKOFF, () => 0.999_999)).toBeLessThan(250);
  });

  it('after short-lived connections retries within a few seconds, counts the retry down from a deadline, and reports the link as flapping', async () => {
    // Every connection is dropped right after it opens: what a flapping link looks like.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => setTimeout(() => socket.terminate(), 5));
    cleanups.unshift(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const { port } = wss.address() as AddressInfo;
    // The default quotation backoff, the worst jitter draw every time.
    const h = startClient({ url: `ws://127.0.0.1:${port}/websocket/v1`, backoff: QUOTATION_BACKOFF, random: () => 0.999_999 });
    await waitFor(() => h.statuses.filter((s) => s.state === 'reconnecting').length >= 4, 'four drops', 15_000);
    const retries = h.statuses.filter((s): s is Extract<ConnectionStatus, { state: 'reconnecting' }> & { at: number } => s.state === 'reconnecting');
    for (const r of retries) {
      expect(r.retryInMs).toBeLessThanOrEqual(3_000);
      // A deadline on the clock, from which the status bar counts down.
      expect(Math.abs(r.retryAt - (r.at + r.retryInMs))).toBeLessThan(50);
    }
    const fourth = retries[3];
    expect(fourth?.drops).toHaveLength(4);
    expect(fourth === undefined ? 0 : recentDrops(fourth, fourth.at)).toBeGreaterThanOrEqual(FLAPPING_MIN_DROPS);
    const live = h.statuses.filter((s) => s.state === 'live').at(-1);
    expect(live === undefined ? 0 : (live.drops?.length ?? 0)).toBeGreaterThanOrEqual(3);
  });

  it('waits at least 10 s after Upbit answers the upgrade with 429, whatever the jitter draws', async () => {
    const http = createHttpServer();
    http.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.unshift(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const h = startClient({ url: `ws://127.0.0.1:${portOf(http)}/websocket/v1`, backoff: QUOTATION_BACKOFF, random: () => 0 });
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'the refused attempt');
    const retry = h.statuses.find((s) => s.state === 'reconnecting');
    expect(retry).toMatchObject({ reason: `rate limited by 127.0.0.1:${portOf(http)}` });
    expect(retry?.state === 'reconnecting' ? retry.retryInMs : 0).toBeGreaterThanOrEqual(10_000);
  });

  it('keeps a quiet connection that answers pings', async () => {
    const server = await fake({ snapshots: false });
    const h = startClient({ url: server.url, pingIntervalMs: 50, livenessTimeoutMs: 100 });
    await waitFor(() => isLive(h), 'live');
    await waitFor(() => server.latest().pings >= 8, 'eight pings', 3_000);
    expect(server.connections).toHaveLength(1);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
  });

  it('counts garbage frames and keeps delivering valid tickers on the same connection', async () => {
    const server = await fake({ snapshots: false });
    const h = startClient({ url: server.url });
    await waitFor(() => isLive(h), 'live');
    server.send('{"type":"ticker","code":', { binary: false });
    server.send(Buffer.from([0xc3, 0x28, 0xff, 0x00, 0x7b]));
    server.send({ type: 'foo' });
    server.send({ ...tickerWire('KRW-BTC'), trade_price: 'NaN' });
    // Well-formed, but no market could print these prices.
    server.send(tickerWire('KRW-BTC', 0));
    server.send(tickerWire('KRW-BTC', 1e20));
    server.send({ status: 'UP' });
    server.send({ error: { name: 'INVALID_PARAM', message: 'bad codes' } });
    server.send(tickerWire('KRW-BTC', 123));
    await waitFor(() => h.tickers.length === 1, 'the valid ticker after the garbage');
    expect(h.tickers[0]?.tradePrice).toBe(123);
    expect(h.invalid).toEqual([
      'invalid JSON',
      'invalid UTF-8',
      "unknown type 'foo'",
      "trade_price is not a finite number ('NaN')",
      'trade_price is not a positive price (0)',
      'trade_price is beyond any price a market can have (100000000000000000000)',
    ]);
    expect(h.client.stats()).toMatchObject({ messages: 9, invalid: 6, connects: 1 });
    expect(h.logs.filter((r) => r.level === 'warn')).toMatchObject([{ fields: { name: 'INVALID_PARAM', message: 'bad codes' } }]);
    // Invalid messages are logged at most once per second, not once each.
    expect(h.logs.filter((r) => r.msg === 'dropped an invalid quotation message').length).toBe(1);
    expect(server.connections).toHaveLength(1);
  });

  it('reports a refused connection as offline after 3 failures, and keeps retrying', async () => {
    const port = await closedPort();
    const h = startClient({ url: `ws://127.0.0.1:${port}/websocket/v1`, backoff: { baseMs: 1, capMs: 1 } });
    await waitFor(() => h.statuses.filter((s) => s.state === 'offline').length >= 2, 'two offline reports', 3_000);
    expect(h.statuses.slice(0, 6).map((s) => [s.state, 'attempt' in s ? s.attempt : null])).toEqual([
      ['connecting', 1],
      ['reconnecting', 2],
      ['connecting', 2],
      ['reconnecting', 3],
      ['connecting', 3],
      ['offline', 4],
    ]);
    expect(h.statuses[5]).toMatchObject({ state: 'offline', reason: `connection refused by 127.0.0.1:${port}` });
    // While offline, the status does not flicker through "connecting".
    expect(h.statuses.slice(5).every((s) => s.state === 'offline')).toBe(true);
    // The offline reports follow attempts, which are at least 200 ms apart.
    const failures = h.statuses.filter((s) => s.state !== 'connecting').map((s) => s.at);
    for (let i = 1; i < failures.length; i++) expect((failures[i] ?? 0) - (failures[i - 1] ?? 0)).toBeGreaterThan(150);
    expect(maxInWindow(failures, 1_000)).toBeLessThanOrEqual(5);
  });

  it('never makes more than 5 connection attempts in any second, whatever the backoff', async () => {
    const arrivals: number[] = [];
    const port = await listen(
      createNetServer((socket) => {
        arrivals.push(Date.now());
        socket.destroy();
      }),
    );
    const h = startClient({ url: `ws://127.0.0.1:${port}/websocket/v1`, backoff: { baseMs: 0, capMs: 0 } });
    await waitFor(() => arrivals.length >= 8, 'eight attempts', 5_000);
    await h.stop();
    expect(maxInWindow(arrivals, 995)).toBeLessThanOrEqual(5);
    expect(h.statuses.some((s) => s.state === 'offline' && s.reason === 'connection dropped')).toBe(true);
  });

  it('says "rate limited" when the upgrade is answered with HTTP 429', async () => {
    const http = createHttpServer();
    http.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    const port = await listen(http);
    const h = startClient({ url: `ws://127.0.0.1:${port}/websocket/v1` });
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'a reconnecting status');
    expect(h.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: `rate limited by 127.0.0.1:${port}` });
  });

  it('says the host did not answer when the handshake times out', async () => {
    // Accepts TCP and reads, but never answers the HTTP upgrade.
    const port = await listen(createNetServer((socket) => socket.resume()));
    const h = startClient({ url: `ws://127.0.0.1:${port}/websocket/v1`, connectTimeoutMs: 100 });
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'a reconnecting status');
    expect(h.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: `127.0.0.1:${port} did not answer within 0.1 s` });
  });
});

describe('QuotationClient: lifetime', () => {
  it('resolves run() promptly on abort, closes with 1000 and leaves no timers', async () => {
    const server = await fake();
    const timersBefore = activeTimers();
    const h = startClient({ url: server.url, pingIntervalMs: 50 });
    await waitFor(() => h.tickers.length === 1, 'the first snapshot');
    await waitFor(() => server.latest().pings >= 1, 'a ping');
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    await waitFor(() => server.latest().closeCode !== null, 'the server to see the close');
    expect(server.latest().closeCode).toBe(1000);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('destroys the socket about 1 s after abort when the server never completes the close', async () => {
    const server = await fake({ snapshots: false });
    const h = startClient({ url: server.url });
    await waitFor(() => isLive(h), 'live');
    // The server stops reading: our close frame is never answered.
    server.latest().socket.pause();
    const t0 = Date.now();
    await h.stop();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(1_800);
  });

  it('resolves run() promptly when aborted during backoff', async () => {
    const port = await closedPort();
    const timersBefore = activeTimers();
    const h = startClient({ url: `ws://127.0.0.1:${port}/websocket/v1`, backoff: { baseMs: 60_000, capMs: 60_000 }, random: () => 1 });
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'the first failure');
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(100);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('rejects run() when a callback throws (a bug), after closing the socket', async () => {
    const server = await fake();
    const client = new QuotationClient({
      url: server.url,
      onTicker: () => {
        throw new Error('store exploded');
      },
    });
    client.setSubscriptions(BTC);
    const controller = new AbortController();
    await expect(client.run(controller.signal)).rejects.toThrow('store exploded');
    await waitFor(() => server.latest().closeCode !== null, 'the server to see the close');
  });

  it('refuses a second concurrent run()', async () => {
    const server = await fake();
    const h = startClient({ url: server.url });
    await expect(h.client.run(new AbortController().signal)).rejects.toThrow(/already running/);
  });

  it('rejects a URL that is not ws:// or wss:// up front', () => {
    expect(() => new QuotationClient({ url: 'https://api.upbit.com/websocket/v1', onTicker: () => undefined })).toThrow(/wss:\/\//);
    expect(() => new QuotationClient({ url: 'not a url', onTicker: () => undefined })).toThrow(/not a WebSocket URL/);
  });
});
