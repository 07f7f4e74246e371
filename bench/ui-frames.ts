/**
 * In-process render budget of the ticker console (issue 9): the real `<App>` rendered by Ink
 * the way src/ui/render.tsx renders it on a terminal (debug mode into the ScreenPainter, which
 * writes to a fake 120×40 TTY), a MarketStore with its flush loop running, fed synthetic
 * tickers at a fixed rate. Counts React commits (Ink's `onRender`: in debug mode one per
 * commit), Ink frames, painted frames and bytes, CPU time of this process, event-loop lag, and
 * tick → screen latency of on-screen prices. No network, no child of its own in `--child` mode.
 *
 * Side by side: the driver runs each case alternately over two source trees, `--base DIR` (e.g.
 * `git archive main src | tar -x -C /tmp/base` with node_modules linked next to it) and this
 * worktree's src, each in its own process, and prints both:
 *
 *   NODE_ENV=production npx tsx bench/ui-frames.ts --base /tmp/ui-base/src [--seconds 10] [--repeats 2] [--names]
 *
 * `--names` gives the App Korean names (Hangul, two cells a character) for a NAME column; a
 * tree that has no such column ignores them, so compare `--names` runs of the same tree.
 *
 * The full benchmark (a separate load process, the built TUI in a pseudo-terminal) is
 * bench/tui-load.ts; this one isolates the React/Ink side.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import type * as InkModule from 'ink';
import type * as ReactModule from 'react';
import type * as StoreModule from '../src/trading/market-store.js';
import type * as AppModule from '../src/ui/App.js';
import type * as FormatModule from '../src/ui/format.js';
import type * as PainterModule from '../src/ui/screen-painter.js';
import type * as ThemeModule from '../src/ui/theme.js';
import type { Ticker } from '../src/upbit/types.js';

interface Case {
  markets: number;
  rate: number;
}

/** The two cases, then two where most flushes change nothing on screen. */
const CASES: readonly Case[] = [
  { markets: 20, rate: 100 },
  { markets: 200, rate: 10_000 },
  { markets: 20, rate: 10 },
  { markets: 200, rate: 100 },
];

export interface ChildResult {
  src: string;
  markets: number;
  rate: number;
  seconds: number;
  cpuPct: number;
  commitsPerSec: number;
  paintedPerSec: number;
  bytesPerSec: number;
  inkMsPerFrame: number;
  lagP99Ms: number;
  freshP50Ms: number | null;
  freshP99Ms: number | null;
}

/** A fake terminal: what ScreenPainter and Ink read of a TTY stdout. */
class FakeTty extends EventEmitter {
  readonly isTTY = true;
  columns = 120;
  rows = 40;
  writable = true;
  destroyed = false;
  writableEnded = false;
  writableLength = 0;
  writes = 0;
  bytes = 0;
  onWrite: (chunk: string) => void = () => undefined;
  write(chunk: string | Uint8Array, a?: unknown, b?: unknown): boolean {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (s !== '') {
      this.writes += 1;
      this.bytes += Buffer.byteLength(s);
      this.onWrite(s);
    }
    const cb = typeof a === 'function' ? a : b;
    if (typeof cb === 'function') (cb as () => void)();
    return true;
  }
}

/** What Ink reads of a TTY stdin (as ink-testing-library's fake). */
class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

/** Korean-looking names (Hangul syllables) for `--names`; a tree without the names column ignores them. */
function hangulNames(markets: readonly string[]): Map<string, string> {
  return new Map(markets.map((m, i) => [m, Array.from({ length: 2 + (i % 6) }, (_, k) => String.fromCharCode(0xac00 + ((i * 31 + k * 97) % 11172))).join('')]));
}

async function child(src: string, c: Case, seconds: number, warmup: number, withNames: boolean): Promise<ChildResult> {
  const imp = (p: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(src, p)).href) as Promise<Record<string, unknown>>;
  // Ink as the tree resolves it (a second copy of Ink would not share its contexts with the App).
  const React = (await import(pathToFileURL(join(src, '../node_modules/react/index.js')).href)) as typeof ReactModule;
  const ink = (await import(pathToFileURL(join(src, '../node_modules/ink/build/index.js')).href)) as typeof InkModule;
  const { MarketStore } = (await imp('trading/market-store.ts')) as unknown as typeof StoreModule;
  const { App } = (await imp('ui/App.tsx')) as unknown as typeof AppModule;
  const { ScreenPainter } = (await imp('ui/screen-painter.ts')) as unknown as typeof PainterModule;
  const { formatPrice } = (await imp('ui/format.ts')) as unknown as typeof FormatModule;
  const { applyColorMode } = (await imp('ui/theme.ts')) as unknown as typeof ThemeModule;
  applyColorMode('korean');

  const markets = Array.from({ length: c.markets }, (_, i) => `KRW-M${String(i).padStart(3, '0')}`);
  const store = new MarketStore({ markets });
  store.setConnection({ state: 'live', since: Date.now() });
  const ac = new AbortController();
  const loop = store.run(ac.signal);
  const tty = new FakeTty();
  const painter = new ScreenPainter(tty as unknown as NodeJS.WriteStream, { signals: new EventEmitter() });
  let commits = 0;
  let inkMs = 0;
  const instance = ink.render(React.createElement(App, { store, onQuit: () => undefined, colors: 'korean', ...(withNames ? { names: hangulNames(markets) } : {}) }), {
    stdout: painter as unknown as NodeJS.WriteStream,
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    stderr: new FakeTty() as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
    onRender: ({ renderTime }) => {
      commits += 1;
      inkMs += renderTime;
    },
  });

  // Prices: a walk of one tick (1,000 won above 1,000,000) or, half the time, the same price.
  const prices = markets.map((_, i) => 50_000_000 + i * 1_000_000);
  const prev = [...prices];
  const visible = Math.min(c.markets, 35);
  /** Per on-screen market: the first tick not yet on screen, and the price text to look for. */
  const pending: Array<{ at: number; text: string } | null> = markets.map(() => null);
  const fresh: number[] = [];
  let measuring = false;
  let broken: string | null = null;
  tty.onWrite = (chunk) => {
    // Ink's own error screen: the tree did not render (a wrong tsconfig, a crash).
    if (chunk.includes(' ERROR ')) broken ??= chunk;
    if (!measuring) return;
    const now = performance.now();
    for (let i = 0; i < visible; i += 1) {
      const p = pending[i];
      if (p !== null && p !== undefined && chunk.includes(p.text)) {
        fresh.push(now - p.at);
        pending[i] = null;
      }
    }
  };
  let n = 0;
  const tick = (): Ticker => {
    const i = n % c.markets;
    n += 1;
    const r = Math.random();
    let price = prices[i] ?? 0;
    if (r < 0.25) price += 1000;
    else if (r < 0.5) price -= 1000;
    prices[i] = price;
    const close = prev[i] ?? price;
    const t: Ticker = {
      market: markets[i] ?? '',
      openingPrice: close,
      highPrice: Math.max(price, close),
      lowPrice: Math.min(price, close),
      tradePrice: price,
      prevClosingPrice: close,
      change: price > close ? 'RISE' : price < close ? 'FALL' : 'EVEN',
      signedChangePrice: price - close,
      signedChangeRate: (price - close) / close,
      tradeVolume: 0.01,
      accTradeVolume: 100,
      accTradeVolume24h: 200,
      accTradePrice: 1e10,
      accTradePrice24h: 412_345_678_901 + n * 1000,
      askBid: 'BID',
      tradeTimestamp: Date.now(),
      timestamp: Date.now(),
      streamType: 'REALTIME',
      marketState: 'ACTIVE',
    };
    if (measuring && i < visible) {
      const text = formatPrice(t.market, price);
      const p = pending[i];
      if (p === null || p === undefined) pending[i] = { at: performance.now(), text };
      else p.text = text;
    }
    return t;
  };
  // Ticks every 10 ms, as many as the rate asks for since the start (no drift).
  const start = performance.now();
  let sent = 0;
  const feeder = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * c.rate);
    while (sent < due) {
      store.applyTicker(tick());
      sent += 1;
    }
  }, 10);

  await new Promise((r) => setTimeout(r, warmup * 1000));
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const c0 = { commits, inkMs, writes: tty.writes, bytes: tty.bytes };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  clearInterval(feeder);
  ac.abort();
  await loop;
  instance.unmount();
  painter.close();
  const failed = broken as string | null;
  if (failed !== null) throw new Error(`the App did not render: ${failed.slice(0, 300)}`);
  fresh.sort((a, b) => a - b);
  const frames = commits - c0.commits;
  return {
    src,
    markets: c.markets,
    rate: c.rate,
    seconds: wall,
    cpuPct: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
    commitsPerSec: frames / wall,
    paintedPerSec: (tty.writes - c0.writes) / wall,
    bytesPerSec: (tty.bytes - c0.bytes) / wall,
    inkMsPerFrame: frames === 0 ? 0 : (inkMs - c0.inkMs) / frames,
    lagP99Ms: lag.percentile(99) / 1e6,
    freshP50Ms: percentile(fresh, 0.5),
    freshP99Ms: percentile(fresh, 0.99),
  };
}

function runChild(src: string, c: Case, seconds: number, warmup: number, withNames: boolean): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--child', '--src', src, '--markets', String(c.markets), '--rate', String(c.rate), '--seconds', String(seconds), '--warmup', String(warmup), ...(withNames ? ['--names'] : [])];
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'], // tsx reads the tree's own tsconfig (its JSX setting) from the working directory.
      cwd: dirname(src) });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), (seconds + warmup + 60) * 1000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) fail(new Error(`child for ${src} exited ${code}: ${out}`));
      else done(JSON.parse(line) as ChildResult);
    });
  });
}

const fmt = (v: number | null, d = 1): string => (v === null ? '-' : v.toFixed(d));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      src: { type: 'string' },
      base: { type: 'string' },
      markets: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      repeats: { type: 'string', default: '2' },
      names: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const ours = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  if (values.child) {
    const r = await child(values.src ?? ours, { markets: Number(values.markets), rate: Number(values.rate) }, seconds, warmup, values.names);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const trees = values.base === undefined ? [ours] : [resolve(values.base), ours];
  const cases = values.markets !== undefined ? [{ markets: Number(values.markets), rate: Number(values.rate ?? 100) }] : CASES;
  const rows: ChildResult[] = [];
  process.stderr.write(`loadavg before: ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8')}`);
  for (const c of cases) {
    for (let r = 0; r < Number(values.repeats); r += 1) {
      for (const src of trees) {
        const res = await runChild(src, c, seconds, warmup, values.names);
        rows.push(res);
        process.stderr.write(`${c.markets} mk ${c.rate}/s ${src === ours ? 'ours' : 'base'}: cpu ${fmt(res.cpuPct)}% commits ${fmt(res.commitsPerSec)}/s\n`);
      }
    }
  }
  process.stderr.write(`loadavg after: ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8')}`);
  const head = 'tree  markets  msg/s   cpu%  commits/s  painted/s  KB/s  ink ms/frame  lag p99  fresh p50  fresh p99';
  console.log(head);
  for (const r of rows) {
    console.log(
      [
        (r.src === ours ? 'ours' : 'base').padEnd(4),
        String(r.markets).padStart(7),
        String(r.rate).padStart(6),
        fmt(r.cpuPct).padStart(6),
        fmt(r.commitsPerSec).padStart(10),
        fmt(r.paintedPerSec).padStart(10),
        fmt(r.bytesPerSec / 1024).padStart(5),
        fmt(r.inkMsPerFrame, 2).padStart(13),
        fmt(r.lagP99Ms).padStart(8),
        fmt(r.freshP50Ms).padStart(10),
        fmt(r.freshP99Ms).padStart(10),
      ].join(' '),
    );
  }
}

void main();
