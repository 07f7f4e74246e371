/**
 * Memory probe (issue 9, "Memory"): the built TUI (bin/upbit-tui.js) in a pseudo-terminal
 * against a load source on 127.0.0.1, port 0, sampled by a preload ({@link PRELOAD}, written next to
 * the run's state) that splits RSS into V8's committed heap, what stays live after a full GC, external memory and
 * the rest (native). A diagnostic, not part of `npm run bench` (that is bench/tui-load).
 *
 * The load source serves `GET /v1/market/all` and a WebSocket that, after the client's
 * subscription, sends binary DEFAULT-format tickers at `--rate` a second, round-robin over
 * `--markets` markets. Every frame is a fresh random-walk tick (from each market's first frame
 * of bench/ingest/frames.ts): prices never cycle, so every row's text keeps changing as on a
 * live feed. A replay of a short cycle of frames repeats the same row texts and hides any
 * cache keyed by text (Ink's measureText cache grew by ~280 entries a second on the live
 * walk and not at all on a 50-tick cycle).
 *
 *   npx tsx bench/memory-probe.ts --rate 3000 --markets 200 --seconds 300 --out /tmp/m.jsonl
 *   [--cols 120 --rows 40] [--sample-ms 10000] [--node-args "--heap-growing-percent=0"]
 *
 * Writes one JSON line per sample to --out (see {@link PRELOAD} for the fields) and the last
 * screen to <out>.screen.txt, and prints a line every 30 s. Taking a heap snapshot during a
 * run (`--node-args --heapsnapshot-signal=SIGUSR2`) leaves ~95 MB of freed malloc memory in
 * RSS (glibc keeps it; malloc_trim gives it back): do not read RSS after one.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { WebSocketServer } from 'ws';

import { benchMarkets, tickerWalk } from './ingest/frames.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Required into the TUI through NODE_OPTIONS; CommonJS, so it runs before the bundle loads. */
const PRELOAD = `// Preloaded into the TUI (NODE_OPTIONS=--require): every
// MEMORY_PROBE_MS it appends one JSON line to MEMORY_PROBE_OUT with the kernel's view of the
// process (/proc/self/status: VmRSS, RssAnon, RssFile, in MB), V8's (heap committed and used,
// external, array buffers, the committed size of each space), the used heap read just after
// the last full GC (what stays live), GC counts, loop delay p50/p99/max over the interval, and
// CPU time. Diagnostic only: nothing in the TUI reads it.
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
const { PerformanceObserver, constants, monitorEventLoopDelay } = require('node:perf_hooks');

const out = process.env.MEMORY_PROBE_OUT;
const every = Number(process.env.MEMORY_PROBE_MS || 10000);
const mb = (n) => Math.round((n / 1048576) * 10) / 10;
let majors = 0;
let minors = 0;
let afterMajor = null;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      majors += 1;
      afterMajor = mb(v8.getHeapStatistics().used_heap_size);
    } else minors += 1;
  }
}).observe({ entryTypes: ['gc'] });
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const started = Date.now();

function status() {
  const text = fs.readFileSync('/proc/self/status', 'utf8');
  const o = {};
  for (const k of ['VmRSS', 'RssAnon', 'RssFile']) {
    const m = new RegExp(\`\${k}:\\\\s+(\\\\d+)\`).exec(text);
    o[k] = m ? Math.round(Number(m[1]) / 1024) : null;
  }
  return o;
}

if (out) {
  const sample = () => {
    const mu = process.memoryUsage();
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name.replace('_space', '')] = mb(s.space_size);
    const cpu = process.cpuUsage();
    const line = {
      t: Math.round((Date.now() - started) / 1000),
      ...status(),
      heapTotal: mb(mu.heapTotal),
      heapUsed: mb(mu.heapUsed),
      external: mb(mu.external),
      arrayBuffers: mb(mu.arrayBuffers),
      afterMajor,
      majors,
      minors,
      lagP50: Math.round(delay.percentile(50) / 1e4) / 100,
      lagP99: Math.round(delay.percentile(99) / 1e4) / 100,
      lagMax: Math.round(delay.max / 1e4) / 100,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      spaces,
    };
    delay.reset();
    fs.appendFileSync(out, \`\${JSON.stringify(line)}\\n\`);
  };
  setInterval(sample, every).unref();
  sample();
}
`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const rate = Number(arg('rate', '3000'));
const marketCount = Number(arg('markets', '200'));
const seconds = Number(arg('seconds', '120'));
const cols = Number(arg('cols', '120'));
const rows = Number(arg('rows', '40'));
const sampleMs = Number(arg('sample-ms', '10000'));
const nodeArgs = arg('node-args', '').split(' ').filter(Boolean);
const out = arg('out', path.join(tmpdir(), `memory-probe-${Date.now()}.jsonl`));

const markets = benchMarkets(marketCount);
// Every frame a fresh random-walk tick on the tick grid (bench/ingest/frames.ts `tickerWalk`).
const walk = tickerWalk({ markets });

let sent = 0;
const list = JSON.stringify(markets.map((m, i) => ({ market: m, korean_name: i % 2 === 1 ? `코인${i}` : m, english_name: m })));
const server = createServer((req, res) => {
  if (req.url?.startsWith('/v1/market/all') === true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(list);
    return;
  }
  res.writeHead(404);
  res.end('[]');
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => undefined);
    ws.once('message', () => {
      const started = performance.now();
      let mine = 0;
      const timer = setInterval(() => {
        if (ws.readyState !== ws.OPEN) return void clearInterval(timer);
        const due = Math.floor(((performance.now() - started) * rate) / 1000);
        for (; mine < due; mine++, sent++) ws.send(walk.next(Date.now()), { binary: true });
      }, 2);
    });
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;

const home = mkdtempSync(path.join(tmpdir(), 'memory-probe-'));
const preload = path.join(home, 'preload.cjs');
writeFileSync(preload, PRELOAD);
const env = {
  ...process.env,
  XDG_STATE_HOME: home,
  XDG_DATA_HOME: home,
  TERM: 'xterm-256color',
  FORCE_COLOR: '1',
  NODE_OPTIONS: `--require ${preload}`,
  MEMORY_PROBE_OUT: out,
  MEMORY_PROBE_MS: String(sampleMs),
} as Record<string, string>;
const args = [...nodeArgs, path.join(ROOT, 'bin/upbit-tui.js'), '--markets', markets.join(','), '--api-url', `http://127.0.0.1:${port}`, '--ws-url', `ws://127.0.0.1:${port}/websocket/v1`];
const term = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols, rows, cwd: home, env });
const screen = new xterm.Terminal({ cols, rows, allowProposedApi: true });
let bytes = 0;
term.onData((d) => {
  bytes += d.length;
  screen.write(d);
});
const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
console.log(JSON.stringify({ pid: term.pid, port, out, rate, markets: marketCount, seconds, cols, rows, nodeArgs }));

const t0 = Date.now();
const progress = setInterval(() => {
  const last = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').at(-1) : '';
  console.log(`t=${Math.round((Date.now() - t0) / 1000)}s sent=${sent} bytes=${bytes} loadavg=${readFileSync('/proc/loadavg', 'utf8').trim()} ${last ?? ''}`);
}, 30_000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
clearInterval(progress);
await new Promise<void>((resolve) =>
  screen.write('', () => {
    const buf = screen.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? '');
    writeFileSync(`${out}.screen.txt`, lines.join('\n'));
    resolve();
  }),
);
term.write('q');
const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000))]);
if (code === 'timeout') term.kill('SIGKILL');
appendFileSync(`${out}.screen.txt`, `\n(exit ${String(code)}, ${sent} frames sent)\n`);
console.log(`exit=${String(code)} sent=${sent} bytes=${bytes}`);
wss.close();
server.close();
process.exit(0);
