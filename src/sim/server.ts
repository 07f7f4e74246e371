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
import { createFaults } from './faults.js';
import { HttpRouter } from './http-router.js';
import { createQuotationHub } from './quotation-ws.js';

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
   * Faults to start with; change them later through `server.faults`.
   * @default { silent: false, latencyMs: 0 }
   */
  faults?: Partial<SimFaults>;
}

export interface SimServer {
  readonly host: string;
  readonly port: number;
  /** The public quotation endpoint, e.g. `ws://127.0.0.1:PORT/websocket/v1`. */
  readonly wsUrl: string;
  /** Base of the REST API, e.g. `http://127.0.0.1:PORT` (paths start with `/v1/`). */
  readonly restUrl: string;
  readonly markets: readonly SimMarket[];
  readonly engine: SimEngine;
  /** Live fault settings: assign to the fields to change behaviour at once. */
  readonly faults: SimFaults;
  /** Terminate every WebSocket (no close handshake), like a dropped network. */
  dropConnections(): void;
  /**
   * Send raw bytes to every WebSocket, outside the protocol (for garbage-frame tests).
   * `binary` defaults to true for a Buffer and false for a string.
   */
  injectFrame(data: string | Buffer, opts?: { binary?: boolean }): void;
  connectionCount(): number;
  /** Stop the market, terminate sockets and close the server. Safe to call more than once. */
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/** Request frames are small; this bounds what a misbehaving client can make us buffer. */
const MAX_REQUEST_BYTES = 64 * 1024;
const QUOTATION_PATH = '/websocket/v1';

/**
 * Start the embedded Upbit-compatible server: the quotation WebSocket at `/websocket/v1`
 * and (in time) the REST API under `/v1/`, on one HTTP server and port.
 */
export async function startSimServer(options: SimOptions = {}): Promise<SimServer> {
  const host = options.host ?? DEFAULT_HOST;
  const logger = (options.logger ?? silentLogger).child({ component: 'sim' });
  const faults = createFaults(options.faults);
  const engine = createSimEngine({ seed: options.seed, markets: options.markets, now: options.now, logger });
  const hub = createQuotationHub({
    engine,
    faults,
    logger,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  });
  const router = new HttpRouter(logger);
  const http = createServer(router.handle);
  // autoPong off: the connection answers pings itself so a silent fault can withhold them.
  const wss = new WebSocketServer({ noServer: true, autoPong: false, clientTracking: false, maxPayload: MAX_REQUEST_BYTES });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname.replace(/\/+$/, '');
    if (path !== QUOTATION_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws));
  });

  try {
    await listen(http, options.port ?? 0, host);
  } catch (err) {
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
  logger.info({ wsUrl, restUrl, seed: engine.seed, markets: engine.markets.length }, 'simulator listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      engine.stop();
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
    markets: engine.markets,
    engine,
    faults,
    dropConnections: () => hub.dropAll(),
    injectFrame: (data, opts) => hub.inject(data, opts?.binary ?? typeof data !== 'string'),
    connectionCount: () => hub.connectionCount(),
    close,
  };
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(new Error(`The simulator could not listen on ${host}:${port} (${err.message}). Pick another port, or 0 for any free one.`, { cause: err }));
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
