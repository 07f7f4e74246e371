/**
 * The load source of the TUI load benchmark (bench/tui-load.ts), run as its own process
 * (forked through tsx, see ./source-client.ts) so its CPU is not the TUI's. One HTTP server on
 * 127.0.0.1, port 0, serving what the TUI asks for:
 *
 * - `GET /v1/market/all`: the benchmark's markets (bench/ingest/frames.ts `benchMarkets`),
 *   every other one with a Hangul `korean_name`, the rest with ASCII names;
 * - `GET /v1/candles/minutes/1?market=…&count=…`: `count` (1–200, default 1, as Upbit)
 *   1-minute candles of the market, newest first, in Upbit's REST shape (./focus-frames.ts),
 *   the newest being the one its `candle.1m` stream continues;
 * - a WebSocket (`ws`, any path; the TUI's `--ws-url` is `ws://127.0.0.1:PORT/websocket/v1`):
 *   each request the client sends (`[{ticket}, {type, codes}…, {format}]`) replaces its last,
 *   as Upbit's does. Under a `ticker` request it receives real-shape binary ticker frames
 *   (bench/ingest/frames.ts `tickerWalk`: every one a fresh random-walk tick on the KRW tick
 *   grid) of the codes it asked for, at the rate the parent sets; under `orderbook`, `trade`
 *   and `candle.1m` requests, for each market asked for, a snapshot of each at once and then
 *   books and trades at the focus rate (half each) and a candle a second (Upbit's candle
 *   period, https://docs.upbit.com/kr/reference/websocket-candle);
 * - anything else: 404, counted by path (the benchmark reports what the TUI asked for).
 *
 * Driven over IPC by the parent: `{ id, type: 'rate', rate }` sends `rate` ticker frames a
 * second from now on (0 pauses); `{ id, type: 'send', count, rate }` sends exactly `count`
 * more at `rate`, then pauses; `{ id, type: 'focus-rate', rate }` sets the focused markets'
 * book + trade frames a second (0, the default, pauses them and their candles); `{ id, type: 'stats' }` answers what was sent. Every answer is
 * `{ id, ...stats }`. The first message to the parent is `{ port }`. Exits when the parent
 * goes away, and after 3 hours whatever happens.
 */
import { createServer, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

import { benchMarkets, tickerWalk } from '../ingest/frames.js';
import { focusWalk, type FocusWalk } from './focus-frames.js';
import { FOCUS_TYPES, narrowRequest, type FocusType, type SourceRequest } from './source-request.js';

const markets = Number(process.argv[2] ?? '20');
if (!Number.isInteger(markets) || markets < 1) throw new Error(`the load source needs a market count, got ${process.argv[2] ?? '(none)'}`);
const codes = benchMarkets(markets);
const known = new Set(codes);
// A fresh random-walk tick for every frame (never a replayed cycle: repeating row texts would
// let Ink's text caches hit and hide their cost and growth). Each frame goes out with its send
// time (ms) as its `timestamp`, the exchange's message time in Upbit's ticker: the TUI's
// metrics measure send → frame from it.
const walk = tickerWalk({ markets: codes });
/** The focus streams of a market, made when a client first asks for one of them or its candles. */
const focusWalks = new Map<string, FocusWalk>();
const focusOf = (market: string): FocusWalk => {
  let w = focusWalks.get(market);
  if (w === undefined) {
    w = focusWalk({ market, seed: 20261202 + codes.indexOf(market) });
    focusWalks.set(market, w);
  }
  return w;
};

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
/** Each client's last request (the one in force); a client is in the map once it has sent one. */
const subscribed = new Map<WebSocket, SourceRequest>();
let connections = 0;
let wsRequests = 0;
let focusRate = 0;
const focusSent: Record<FocusType, number> = { orderbook: 0, trade: 0, 'candle.1m': 0 };
let focusBytes = 0;
/** Focus frames sent since `focusEpochAt` (book + trade, and candles), for the clock-paced streams. */
let focusEpochAt = performance.now();
let focusEpochSent = 0;
let candleEpochSent = 0;

const json = (res: ServerResponse, status: number, body: string): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
};
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const key = `${req.method ?? 'GET'} ${url.pathname}`;
  requests[key] = (requests[key] ?? 0) + 1;
  if (req.method === 'GET' && url.pathname === '/v1/market/all') {
    json(res, 200, marketAll);
  } else if (req.method === 'GET' && url.pathname === '/v1/candles/minutes/1') {
    const market = url.searchParams.get('market') ?? '';
    const count = Number(url.searchParams.get('count') ?? '1');
    if (!known.has(market)) json(res, 404, JSON.stringify({ error: { name: 404, message: 'Code not found' } }));
    else if (!Number.isInteger(count) || count < 1 || count > 200) json(res, 400, JSON.stringify({ error: { name: 'invalid_parameter_error', message: 'count must be 1 to 200' } }));
    else json(res, 200, JSON.stringify(focusOf(market).restCandles(count, Date.now())));
  } else {
    json(res, 404, JSON.stringify({ error: { name: 'not_found', message: `the TUI load source serves only GET /v1/market/all and /v1/candles/minutes/1, not ${key}` } }));
  }
});

/** Send one frame of a focus type to every client that asked for it for `market`. */
function sendFocus(market: string, type: FocusType, make: (w: FocusWalk) => Buffer): void {
  let frame: Buffer | undefined;
  for (const [ws, r] of subscribed) {
    if (r[type].has(market)) {
      frame ??= make(focusOf(market));
      ws.send(frame, { binary: true });
    }
  }
  if (frame !== undefined) {
    focusSent[type] += 1;
    focusBytes += frame.length;
  }
}

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  connections += 1;
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer) => {
    wsRequests += 1;
    const next = narrowRequest(data.toString('utf8'));
    if (next === null) return;
    const before = subscribed.get(ws);
    subscribed.set(ws, next);
    // Upbit answers a request with a snapshot of what it asked for: the focus types' at once
    // (a ticker snapshot comes with the next frames of the walk).
    const at = Date.now();
    for (const type of FOCUS_TYPES) {
      for (const market of next[type]) {
        if (before?.[type].has(market) === true || !known.has(market)) continue;
        const w = focusOf(market);
        const frame = type === 'orderbook' ? w.orderbook(at, 'SNAPSHOT') : type === 'trade' ? w.trade(at, 'SNAPSHOT') : w.candle(at, 'SNAPSHOT');
        ws.send(frame, { binary: true });
        focusSent[type] += 1;
        focusBytes += frame.length;
      }
    }
  });
  ws.on('close', () => subscribed.delete(ws));
});

function setRate(next: number, count = Infinity): void {
  rate = next;
  budget = count;
  epochAt = performance.now();
  epochSent = 0;
}
function setFocusRate(next: number): void {
  focusRate = next;
  focusEpochAt = performance.now();
  focusEpochSent = 0;
  candleEpochSent = 0;
}

/** The markets some client asked a focus type for. */
function focusMarkets(type: FocusType): Set<string> {
  const out = new Set<string>();
  for (const r of subscribed.values()) for (const m of r[type]) if (known.has(m)) out.add(m);
  return out;
}

// Paced from the clock, not from the timer's count: a late timer catches up on the next turn.
const pacer = setInterval(() => {
  const now = performance.now();
  const stamp = Date.now();
  if (rate <= 0 || budget <= 0 || subscribed.size === 0) {
    epochAt = now;
    epochSent = 0;
  } else {
    const due = Math.min(budget, Math.floor(((now - epochAt) * rate) / 1000) - epochSent);
    for (let k = 0; k < due; k++) {
      const frame = walk.next(stamp);
      // The walk goes market after market: frame number `sent` is of market `sent % n`.
      const code = codes[sent % codes.length] ?? '';
      sentBytes += frame.length;
      for (const [ws, r] of subscribed) if (r.ticker.has(code)) ws.send(frame, { binary: true });
      sent += 1;
    }
    if (due > 0) {
      epochSent += due;
      budget -= due;
      for (const ws of subscribed.keys()) maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
    }
  }
  if (focusRate <= 0) {
    setFocusRate(focusRate);
    return;
  }
  // Books and trades alternate (half the focus rate each); a candle a second.
  const books = Math.floor(((now - focusEpochAt) * focusRate) / 1000) - focusEpochSent;
  const candles = Math.floor((now - focusEpochAt) / 1000) + 1 - candleEpochSent;
  if (books <= 0 && candles <= 0) return;
  const book = focusMarkets('orderbook');
  const trade = focusMarkets('trade');
  const candle = focusMarkets('candle.1m');
  for (let k = 0; k < books; k++) {
    const odd = (focusEpochSent + k) % 2 === 1;
    for (const m of odd ? trade : book) sendFocus(m, odd ? 'trade' : 'orderbook', (w) => (odd ? w.trade(stamp) : w.orderbook(stamp)));
  }
  for (let k = 0; k < candles; k++) for (const m of candle) sendFocus(m, 'candle.1m', (w) => w.candle(stamp));
  focusEpochSent += Math.max(0, books);
  candleEpochSent += Math.max(0, candles);
}, 2);

const stats = (): Record<string, unknown> => {
  let buffered = 0;
  for (const ws of subscribed.keys()) buffered += ws.bufferedAmount;
  const focus = Object.fromEntries(FOCUS_TYPES.map((t) => [t, [...focusMarkets(t)]]));
  return { sent, rate, connections, subscribed: subscribed.size, wsRequests, buffered, maxBuffered, frameBytes: sent > 0 ? sentBytes / sent : 0, focusRate, focus, focusSent: { ...focusSent }, focusBytes, requests, at: Date.now() };
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
  else if (msg.type === 'focus-rate') setFocusRate(Number(msg.rate ?? 0));
  process.send?.({ id: msg.id, ...stats() });
});
process.on('disconnect', () => {
  clearInterval(pacer);
  process.exit(0);
});
setTimeout(() => process.exit(3), 3 * 3600_000).unref();
