/**
 * A trading session against the embedded exchange on port 0 (REST and the private stream, or
 * REST only), or the paper venue on its quotes, under a test kernel; and a counter of the
 * REST requests the exchange receives (Node's `http.server.request.start` channel, filtered to
 * the simulator's port).
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { openJournal, type OrderJournal } from '../../../src/trading/journal/index.js';
import { OrderService } from '../../../src/trading/order-service.js';
import { createPaperVenue } from '../../../src/trading/paper/index.js';
import { RestVenue } from '../../../src/trading/rest-venue.js';
import { createTradingSession, type BuiltSession, type TradingSessionParts } from '../../../src/trading/session/index.js';
import { startUnder } from '../../../src/trading/under-kernel.js';
import type { Venue } from '../../../src/trading/venue.js';
import { Secret, type ApiKeys } from '../../../src/upbit/credentials.js';
import { UpbitRestClient, type RateLimiter } from '../../../src/upbit/rest/index.js';
import type { SocketTuning } from '../../../src/upbit/socket/options.js';
import { testKernel } from '../../runtime/helpers.js';
import { tempJournalFile } from '../../fixtures/trading/order-harness.js';

export const MARKET = 'KRW-BTC';
/** 1,000,000 KRW: small enough that "more than the available KRW" is a plausible order. */
export const ACCOUNT = { accessKey: 'session-access', secretKey: 'session-secret', krw: '1000000' };
export const KEYS: ApiKeys = { accessKey: ACCOUNT.accessKey, secretKey: new Secret(ACCOUNT.secretKey), source: 'test' };
export const PRICE = 95_000_000;

export interface SessionRig extends BuiltSession {
  server: SimServer;
  venue: Venue;
  journal: OrderJournal;
  service: OrderService;
  /** REST requests the simulator received so far, as `METHOD /path`. */
  requests: string[];
  /** When each of `requests` arrived (performance.now()). */
  requestTimes: number[];
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];

/** Run after each test: stops every rig, newest first. */
export async function stopAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** Count the REST requests that reach `server` (upgrades to the private WebSocket are not requests). */
function countRequests(server: SimServer): { requests: string[]; times: number[]; stop: () => void } {
  const requests: string[] = [];
  const times: number[] = [];
  const onStart = (message: unknown): void => {
    const m = message as { request: IncomingMessage; socket: Socket };
    if (m.socket.localPort !== server.port) return;
    requests.push(`${m.request.method ?? '?'} ${new URL(m.request.url ?? '/', 'http://sim').pathname}`);
    times.push(performance.now());
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  return { requests, times, stop: () => diagnostics.unsubscribe('http.server.request.start', onStart) };
}

export interface RigOptions {
  /** KRW the account starts with. @default ACCOUNT.krw */
  krw?: string;
  /** Connect the private stream. @default true */
  stream?: boolean;
  privateTuning?: SocketTuning;
  /** The REST client's limiter (one with an injected clock, where the budget is the point). @default a new one */
  rateLimiter?: RateLimiter;
  /** How often the paper venue polls tickers for its resting orders. @default 50 */
  paperPollMs?: number;
  session?: Partial<Omit<TradingSessionParts, 'venue' | 'journal' | 'service' | 'mode'>>;
}

export async function simRig(options: RigOptions = {}): Promise<SessionRig> {
  const server = await startSimServer({ port: 0, seed: 7, faultSeed: 11, markets: [MARKET], accounts: [{ ...ACCOUNT, krw: options.krw ?? ACCOUNT.krw }] });
  cleanups.push(() => server.close());
  server.engine.scriptTrade(MARKET, PRICE);
  const counter = countRequests(server);
  cleanups.push(() => Promise.resolve(counter.stop()));
  const client = new UpbitRestClient({ baseUrl: server.restUrl, keys: KEYS, retry: { attempts: 1, baseMs: 5, capMs: 20 }, ...(options.rateLimiter === undefined ? {} : { rateLimiter: options.rateLimiter }) });
  const venue = new RestVenue({
    client,
    keys: KEYS,
    kind: 'sim',
    privateWsUrl: options.stream === false ? undefined : server.privateWsUrl,
    privateTuning: { backoff: { baseMs: 20, capMs: 200 }, ...options.privateTuning },
  });
  const journal = openJournal(tempJournalFile(), { endpoint: venue.endpoint, accountId: venue.accountId });
  return rig(server, venue, journal, counter, options);
}

async function rig(server: SimServer, venue: Venue, journal: OrderJournal, counted: { requests: string[]; times: number[] }, options: RigOptions): Promise<SessionRig> {
  const service = new OrderService({ venue, journal, lookupAttempts: 3, lookupDelayMs: 20 });
  await service.recover();
  const built = createTradingSession({ mode: venue.kind, venue, journal, service, pollMs: 60_000, ...options.session });
  const { kernel } = testKernel({ stepDeadlineMs: 3_000 });
  // As a composition root does it: the parts' releases first, then the session's work.
  kernel.acquire('order journal', () => journal.close());
  kernel.acquire('venue', () => venue.close());
  startUnder(kernel, built);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kernel.shutdown({ kind: 'user' });
  };
  cleanups.push(stop);
  return { ...built, server, venue, journal, service, requests: counted.requests, requestTimes: counted.times, stop };
}

/** The paper venue on the simulator's quotes, its wallet in a temporary data directory. */
export async function paperRig(options: RigOptions = {}): Promise<SessionRig> {
  const server = await startSimServer({ port: 0, seed: 7, markets: [MARKET] });
  cleanups.push(() => server.close());
  server.engine.scriptTrade(MARKET, PRICE);
  const counter = countRequests(server);
  cleanups.push(() => Promise.resolve(counter.stop()));
  const quotes = new UpbitRestClient({ baseUrl: server.restUrl });
  cleanups.push(() => quotes.close());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'upbit-session-paper-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const venue = await createPaperVenue({ dataDir, quotes, quotesLabel: 'sim', krw: ACCOUNT.krw, pollMs: options.paperPollMs ?? 50 });
  const journal = openJournal(path.join(dataDir, 'journal.sqlite'), { endpoint: venue.endpoint, accountId: venue.accountId });
  return rig(server, venue, journal, counter, options);
}
