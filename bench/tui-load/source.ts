/**
 * The load source of the TUI load benchmark (bench/tui-load.ts), run as its own process
 * (forked through tsx, see ./source-client.ts) so its CPU is not the TUI's. One HTTP server on
 * 127.0.0.1, port 0, serving what the TUI asks for at start:
 *
 * - `GET /v1/market/all`: the benchmark's markets (bench/ingest/frames.ts `benchMarkets`),
 *   every other one with a Hangul `korean_name`, the rest with ASCII names;
 * - a WebSocket (`ws`, any path; the TUI's `--ws-url` is `ws://127.0.0.1:PORT/websocket/v1`):
 *   after the client's first message (its subscription, as Upbit waits for one) it receives
 *   real-shape binary ticker frames (bench/ingest/frames.ts `tickerWalk`: every one a fresh
 *   random-walk tick on the KRW tick grid) at the rate the parent sets;
 * - anything else: 404, counted by path (the benchmark reports what the TUI asked for).
 *
 * Driven over IPC by the parent: `{ id, type: 'rate', rate }` sends `rate` frames a second
 * from now on (0 pauses); `{ id, type: 'send', count, rate }` sends exactly `count` more at
 * `rate`, then pauses; `{ id, type: 'stats' }` answers what was sent. Every answer is
 * `{ id, ...stats }`. The first message to the parent is `{ port }`. Exits when the parent goes
 * away, and after 3 hours whatever happens.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

import { benchMarkets, tickerWalk } from '../ingest/frames.js';

const markets = Number(process.argv[2] ?? '20');
if (!Number.isInteger(markets) || markets < 1) throw new Error(`the load source needs a market count, got ${process.argv[2] ?? '(none)'}`);
const codes = benchMarkets(markets);
// A fresh random-walk tick for every frame (never a replayed cycle: repeating row texts would
// let Ink's text caches hit and hide their cost and growth). Each frame goes out with its send
// time (ms) as its `timestamp`, the exchange's message time in Upbit's ticker: the TUI's
// metrics measure send → frame from it.
const walk = tickerWalk({ markets: codes });

const KOREAN = ['비트코인', '이더리움', '리플', '솔라나', '도지코인', '에이다', '트론', '체인링크', '아발란체', '폴카닷'];
/** A deterministic Hangul name of 2–4 syllables for a synthetic market. */
function hangul(i: number): string {
  let out = '';
  for (let k = 0; k < 2 + (i % 3); k++) out += String.fromCharCode(0xac00 + ((i * 7919 + k * 104729) % 11172));
  return out;
}
const marketAll = JSON.stringify(
  codes.map((market, i) => {
    const english = i < KOREAN.length ? market.slice(4) : `Bench Coin ${market.slice(5)}`;
    return { market, korean_name: i % 2 === 0 ? (KOREAN[i] ?? hangul(i)) : english, english_name: english };
  }),
);

const requests: Record<string, number> = {};
let sent = 0;
let sentBytes = 0;
let maxBuffered = 0;
let rate = 0;
/** Frames still to send in a `send` run (Infinity under a plain rate). */
let budget = Infinity;
let epochAt = performance.now();
let epochSent = 0;
const subscribed = new Set<WebSocket>();
let connections = 0;

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  requests[`${req.method ?? 'GET'} ${path}`] = (requests[`${req.method ?? 'GET'} ${path}`] ?? 0) + 1;
  if (req.method === 'GET' && path === '/v1/market/all') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(marketAll);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { name: 'not_found', message: `the TUI load source serves only GET /v1/market/all, not ${req.method ?? 'GET'} ${path}` } }));
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  connections += 1;
  ws.on('error', () => undefined);
  ws.once('message', () => subscribed.add(ws));
  ws.on('close', () => subscribed.delete(ws));
});

function setRate(next: number, count = Infinity): void {
  rate = next;
  budget = count;
  epochAt = performance.now();
  epochSent = 0;
}

// Paced from the clock, not from the timer's count: a late timer catches up on the next turn.
const pacer = setInterval(() => {
  if (rate <= 0 || budget <= 0 || subscribed.size === 0) {
    epochAt = performance.now();
    epochSent = 0;
    return;
  }
  const due = Math.min(budget, Math.floor(((performance.now() - epochAt) * rate) / 1000) - epochSent);
  const stamp = Date.now();
  for (let k = 0; k < due; k++) {
    const frame = walk.next(stamp);
    sentBytes += frame.length;
    for (const ws of subscribed) ws.send(frame, { binary: true });
    sent += 1;
  }
  if (due > 0) {
    epochSent += due;
    budget -= due;
    for (const ws of subscribed) maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
  }
}, 2);

const stats = (): Record<string, unknown> => {
  let buffered = 0;
  for (const ws of subscribed) buffered += ws.bufferedAmount;
  return { sent, rate, connections, subscribed: subscribed.size, buffered, maxBuffered, frameBytes: sent > 0 ? sentBytes / sent : 0, requests, at: Date.now() };
};

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (m: unknown) => {
  if (typeof m !== 'object' || m === null) return;
  const msg = m as { id?: number; type?: string; rate?: number; count?: number };
  if (msg.type === 'rate') setRate(Number(msg.rate ?? 0));
  else if (msg.type === 'send') setRate(Number(msg.rate ?? 1000), Number(msg.count ?? 0));
  process.send?.({ id: msg.id, ...stats() });
});
process.on('disconnect', () => {
  clearInterval(pacer);
  process.exit(0);
});
setTimeout(() => process.exit(3), 3 * 3600_000).unref();
