import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';

import type { Logger } from '../runtime/logger.js';
import { silentLogger } from '../runtime/logger.js';
import type { SimMarket } from './catalog.js';
import type { SimEngine } from './engine.js';
import { createSimEngine } from './engine.js';
import type { SimFaults } from './faults.js';
import { createFaults, scheduleConnectionDrops } from './faults.js';
import { httpFaultMiddleware } from './faults-http.js';
import { HttpRouter } from './http-router.js';
import { withIdentity } from './identity.js';
import { attachMarketData, createSimMarketView } from './market-data/index.js';
import type { Exchange, ExchangeSnapshot } from '../exchange/engine.js';
import type { PrivateAuthFailure } from './private-ws.js';
import type { RateLimitOptions } from './rate-limit.js';
import { refuseUpgrade, remoteIp } from './rate-limit.js';
import type { SimAccount } from './rest/mount.js';
import { mountExchange } from './rest/mount.js';
import { createQuotationHub, type QuotationConnectionInfo } from './quotation-ws.js';
import { createRng, randomSeed } from './random.js';
import type { SimScript } from './scripted-prices.js';
import { loadScriptFile, parseScript } from './scripted-prices.js';

export interface SimOptions {
  /**
   * Interface to listen on. The simulator has no authentication worth the name, so keep it
   * on loopback; binding another address exposes it to the network.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * TCP port; 0 picks a free one (read it back from `server.port`).
   * @default 0
   */
  port?: number;
  /**
   * Seed of the price process; the same seed gives the same trades.
   * @default a random seed (see `server.engine.seed`)
   */
  seed?: number;
  /**
   * Catalog market codes to simulate, e.g. `['KRW-BTC', 'KRW-ETH']`; unknown codes are refused.
   * @default every catalog market
   */
  markets?: string[];
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Market clock (ms since epoch) for trade timestamps and day boundaries. Network timing
   * (latency, idle timeout, rate limits) always uses real time.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Close a WebSocket connection after this long without a frame in either direction.
   * @default 120000 (Upbit's documented idle timeout)
   */
  idleTimeoutMs?: number;
  /**
   * Faults to start with (see {@link SimFaults}); change them later through `server.faults`.
   * @default every fault off
   */
  faults?: Partial<SimFaults>;
  /**
   * Seed of the draws behind the fault rates: the same seed and requests give the same faults.
   * @default a random seed (see `server.faultSeed`)
   */
  faultSeed?: number;
  /**
   * A scripted price path: the object form, or the path of a JSON or CSV file (format in
   * `scripted-prices.ts`). Scripted markets print exactly those trades; the rest stay random.
   * @default no script
   */
  script?: SimScript | string;
  /**
   * Exchange accounts to open, one per API key pair (`upbit-tui sim` passes
   * UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY or a generated pair). Each starts with `krw`.
   * @default none: every exchange request is answered 401 `invalid_access_key`
   */
  accounts?: SimAccount[];
  /**
   * Rate limits: per-group limits, the 429 → 418 escalation, the WebSocket connect limit and
   * the limiter's clock (see {@link RateLimitOptions}).
   * @default Upbit's limits (`UPBIT_RATE_RULES`), 418 after 10 consecutive 429s for 60 s, 5 connects/s
   */
  rateLimits?: RateLimitOptions;
  /**
   * How `/websocket/v1/private` answers a handshake whose JWT fails: HTTP 401, or an
   * `INVALID_AUTH` error frame and a close (UNCERTAIN which Upbit does).
   * @default 'http401'
   */
  privateAuthFailure?: PrivateAuthFailure;
  /**
   * `server.exchange.snapshot()` output to start from (the CLI's `--state` file): accounts,
   * balances, identifiers and orders. `accounts` it already holds are left as they are.
   * @default a fresh exchange
   */
  exchangeSnapshot?: unknown;
  /**
   * Saves the exchange's state (the CLI's `--state` file), synchronously, after every change
   * and before any REST answer or private-stream event tells of it; a throw undoes the change
   * and the request is answered 503 `state_not_saved` (see `ExchangeOptions.persist`). A new
   * account is saved before the server listens: the start fails with `StateNotSavedError` when
   * that save fails.
   * @default nothing is saved
   */
  persist?: (state: ExchangeSnapshot) => void;
  /**
   * A secret that lets another process check this server is the one it was told of: with it,
   * `GET /upbit-tui/identify?challenge=HEX` answers HMAC-SHA256(token, challenge) (see
   * ./identity.ts and docs/embedded-exchange.md).
   * @default no such endpoint
   */
  instanceToken?: string;
}

export interface SimServer {
  readonly host: string;
  readonly port: number;
  /** The public quotation endpoint, e.g. `ws://127.0.0.1:PORT/websocket/v1`. */
  readonly wsUrl: string;
  /** Base of the REST API, e.g. `http://127.0.0.1:PORT` (paths start with `/v1/`). */
  readonly restUrl: string;
  /** The private endpoint (JWT on the handshake), e.g. `ws://127.0.0.1:PORT/websocket/v1/private`. */
  readonly privateWsUrl: string;
  /** The simulated exchange behind the REST API and the private stream (accounts, orders). */
  readonly exchange: Exchange;
  readonly markets: readonly SimMarket[];
  readonly engine: SimEngine;
  /** Live fault settings: assign to the fields (or push one-shots) to change behaviour at once. */
  readonly faults: SimFaults;
  /** The seed of the fault draws (the option, or the random one picked). */
  readonly faultSeed: number;
  /** Terminate every WebSocket (no close handshake), like a dropped network. */
  dropConnections(): void;
  /**
   * Send raw bytes to every WebSocket, outside the protocol (for garbage-frame tests).
   * `binary` defaults to true for a Buffer and false for a string.
   */
  injectFrame(data: string | Buffer, opts?: { binary?: boolean }): void;
  connectionCount(): number;
  /** The quotation endpoint's open connections and its last closed ones: what each asked for. */
  quotationConnections(): QuotationConnectionInfo[];
  /** Stop the market, terminate sockets and close the server. Safe to call more than once. */
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/** Request frames are small; this bounds what a misbehaving client can make us buffer. */
const MAX_REQUEST_BYTES = 64 * 1024;
const QUOTATION_PATH = '/websocket/v1';
const PRIVATE_PATH = '/websocket/v1/private';
/** Mixed into the fault seed for the WebSocket stream of draws. */
const WS_FAULT_STREAM = 0x5bd1e995;

/**
 * Start the embedded Upbit-compatible server: the quotation WebSocket at `/websocket/v1`
 * and (in time) the REST API under `/v1/`, on one HTTP server and port.
 */
export async function startSimServer(options: SimOptions = {}): Promise<SimServer> {
  const host = options.host ?? DEFAULT_HOST;
  const logger = (options.logger ?? silentLogger).child({ component: 'sim' });
  const faults = createFaults(options.faults);
  const faultSeed = options.faultSeed ?? randomSeed();
  const script =
    options.script === undefined ? undefined : typeof options.script === 'string' ? await loadScriptFile(options.script) : parseScript(options.script, 'options.script');
  const engine = createSimEngine({ seed: options.seed, markets: options.markets, now: options.now, logger, script });
  const hub = createQuotationHub({
    engine,
    faults,
    logger,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    // Separate streams, so WebSocket traffic does not shift which HTTP request gets a fault.
    faultRng: createRng(faultSeed ^ WS_FAULT_STREAM),
  });
  const router = new HttpRouter(logger);
  // First, so it wraps rate limits, auth and handlers: a dropped request reaches none of them.
  router.use(httpFaultMiddleware({ faults, rng: createRng(faultSeed), logger }));
  // Books, trades, candles: the `trade`/`orderbook` streams and quotation REST (released with the hub).
  const marketData = attachMarketData({ engine, hub, router, now: options.now, logger });
  const http = createServer(options.instanceToken === undefined ? router.handle : withIdentity(options.instanceToken, router.handle));
  // autoPong off: the connection answers pings itself so a silent fault can withhold them.
  const wss = new WebSocketServer({ noServer: true, autoPong: false, clientTracking: false, maxPayload: MAX_REQUEST_BYTES });
  // Accounts, JWT auth and rate-limit middleware, exchange REST routes, the private stream.
  let exchangeSide: ReturnType<typeof mountExchange>;
  try {
    exchangeSide = mountExchange({
      router,
      wss,
      market: createSimMarketView(marketData),
      trades: marketData,
      faults,
      logger,
      now: options.now ?? Date.now,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      accounts: options.accounts ?? [],
      rateLimits: options.rateLimits,
      privateAuthFailure: options.privateAuthFailure ?? 'http401',
      restore: options.exchangeSnapshot,
      persist: options.persist,
    });
  } catch (err) {
    // A bad snapshot, or a new account that could not be saved.
    hub.close();
    throw err;
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname.replace(/\/+$/, '');
    if (path === PRIVATE_PATH) {
      exchangeSide.privateHub.upgrade(req, socket, head);
      return;
    }
    if (path !== QUOTATION_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    // 5 connects per second per IP (docs/upbit-protocol.md#websocket-limits).
    if (!exchangeSide.limiter.admitConnection(`ip:${remoteIp(req)}`)) {
      refuseUpgrade(socket, 429, { error: { name: 'too_many_requests', message: 'Too many WebSocket connection requests: at most 5 per second.' } });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws));
  });

  try {
    await listen(http, options.port ?? 0, host);
  } catch (err) {
    exchangeSide.close();
    hub.close();
    throw err;
  }
  http.on('error', (err) => logger.error({ err }, 'simulator server error'));

  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const urlHost = isIPv6(host) ? `[${host}]` : host;
  const wsUrl = `ws://${urlHost}:${port}${QUOTATION_PATH}`;
  const restUrl = `http://${urlHost}:${port}`;
  engine.start();
  const stopDrops = scheduleConnectionDrops(faults, () => {
    hub.dropAll();
    exchangeSide.privateHub.dropAll();
  });
  logger.info({ wsUrl, restUrl, seed: engine.seed, faultSeed, markets: engine.markets.length }, 'simulator listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      engine.stop();
      stopDrops();
      exchangeSide.close();
      hub.close();
      wss.close();
      http.closeAllConnections();
      http.close(() => {
        logger.info({}, 'simulator closed');
        resolve();
      });
    });
    return closing;
  };

  return {
    host,
    port,
    wsUrl,
    restUrl,
    privateWsUrl: `ws://${urlHost}:${port}${PRIVATE_PATH}`,
    exchange: exchangeSide.exchange,
    markets: engine.markets,
    engine,
    faults,
    faultSeed,
    dropConnections: () => {
      hub.dropAll();
      exchangeSide.privateHub.dropAll();
    },
    injectFrame: (data, opts) => hub.inject(data, opts?.binary ?? typeof data !== 'string'),
    connectionCount: () => hub.connectionCount() + exchangeSide.privateHub.connectionCount(),
    quotationConnections: () => hub.connections(),
    close,
  };
}

/** The simulator's socket could not be opened: `code` is the OS's (`EADDRINUSE`, `EACCES`, …). */
export class SimListenError extends Error {
  override name = 'SimListenError';
  readonly code: string | undefined;
  constructor(
    readonly host: string,
    readonly port: number,
    cause: NodeJS.ErrnoException,
  ) {
    super(`The simulator could not listen on ${host}:${port} (${cause.message}).`, { cause });
    this.code = cause.code;
  }
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(new SimListenError(host, port, err));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
