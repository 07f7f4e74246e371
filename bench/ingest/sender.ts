/**
 * The sending side of the loopback ingest benchmark, run as its own process (forked by
 * bench/ingest.ts) so its CPU is not the receiver's. A `ws` server on 127.0.0.1, port 0 (the
 * port goes to the parent over IPC). Each connection names its run in the URL
 * (`/?n=100000&rate=0&markets=200&ticks=50`); after the client's first message (its
 * subscription request, as Upbit waits for one) the server sends `n` binary ticker frames,
 * cycling through the frame set: `rate=0` is flat out, as fast as the receiver takes them
 * (the `send` callback of each batch paces the next, so TCP backpressure holds it back),
 * otherwise `rate` frames a second. Exits when the parent goes away, and after 15 minutes
 * whatever happens.
 */
import { WebSocketServer, type WebSocket } from 'ws';

import { benchMarkets, buildTickerFrames } from './frames.js';

const BATCH = 256;
const frameSets = new Map<string, Buffer[]>();

function framesFor(markets: number, ticks: number): Buffer[] {
  const key = `${markets}x${ticks}`;
  let frames = frameSets.get(key);
  if (frames === undefined) {
    frames = buildTickerFrames({ markets: benchMarkets(markets), ticksPerMarket: ticks });
    frameSets.set(key, frames);
  }
  return frames;
}

function blast(ws: WebSocket, frames: Buffer[], n: number, rate: number): void {
  let sent = 0;
  const next = (): Buffer => frames[sent++ % frames.length] ?? Buffer.alloc(0);
  if (rate <= 0) {
    const batch = (): void => {
      if (ws.readyState !== ws.OPEN) return;
      const end = Math.min(n, sent + BATCH);
      while (sent < end - 1) ws.send(next(), { binary: true });
      if (sent < n) ws.send(next(), { binary: true }, (err) => void (err === undefined || err === null ? batch() : undefined));
    };
    batch();
    return;
  }
  const started = performance.now();
  const timer = setInterval(() => {
    if (ws.readyState !== ws.OPEN) {
      clearInterval(timer);
      return;
    }
    const due = Math.min(n, Math.floor(((performance.now() - started) * rate) / 1000));
    while (sent < due) ws.send(next(), { binary: true });
    if (sent >= n) clearInterval(timer);
  }, 2);
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'ws://127.0.0.1').searchParams;
  const n = Number(q.get('n') ?? '0');
  const rate = Number(q.get('rate') ?? '0');
  const frames = framesFor(Number(q.get('markets') ?? '200'), Number(q.get('ticks') ?? '50'));
  ws.on('error', () => undefined);
  ws.once('message', () => blast(ws, frames, n, rate));
});
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ port });
});
// Built ahead on request, so the first measured run does not wait for the frames.
process.on('message', (m: unknown) => {
  if (typeof m === 'object' && m !== null && 'prepare' in m) {
    const p = (m as { prepare: { markets: number; ticks: number } }).prepare;
    framesFor(p.markets, p.ticks);
    process.send?.({ prepared: true });
  }
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), 15 * 60_000).unref();
