/**
 * Ingest benchmark (issue 8, "Measured, in a benchmark"): Upbit DEFAULT-format ticker frames
 * over 200 markets through the project's own path — decode and parse (src/upbit/frame.ts,
 * src/upbit/parse.ts), the QuotationClient and its socket (src/upbit/quotation-client.ts,
 * src/upbit/socket/), the MarketStore (src/trading/market-store.ts) — against a raw
 * `JSON.parse(buf.toString())` of the same frames:
 *
 *  (a) in process, over a pre-built array of frames, the variants interleaved in slices of
 *      5,000 frames (ours, raw, ours + rules, ours, raw, …) so machine noise hits all of them;
 *  (b) over a loopback WebSocket from a sender child process, once flat out and once at a
 *      fixed rate, received by the real market feed (src/trading/feed/: its QuotationClient) + MarketStore (wired as src/app/tui.ts
 *      wires them, flush loop running) and by a bare `ws` client that only JSON.parses; CPU
 *      time of this (receiving) process per 100k messages, and throughput;
 *  (c) both with `rules` armed-rule-like every-tick listeners spread over the markets, once as
 *      every-market listeners (each tick runs all of them) and once each registered for its own
 *      market (the store's per-market index: each tick runs its market's rules).
 *
 * Run through bench/run.ts (`npm run bench`); the functions are exported for the smoke test
 * (test/bench/ingest.test.ts). How to read and reproduce the figures: docs/performance.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

import WebSocket from 'ws';

import { MarketFeed } from '../src/trading/feed/index.js';
import { MarketStore } from '../src/trading/market-store.js';
import type { QuotationClientOptions } from '../src/upbit/quotation-client.js';
import { parseQuotationFrame } from '../src/upbit/parse.js';
import type { Ticker } from '../src/upbit/types.js';
import { benchMarkets, buildTickerFrames } from './ingest/frames.js';

export interface IngestOptions {
  /** @default 200 */
  markets: number;
  /** Distinct ticks per market in the frame set (cycled). @default 50 */
  ticksPerMarket: number;
  /** Measured repeats of every variant. @default 5 */
  repeats: number;
  /** Every-tick listeners of the "+ rules" variants. @default 1000 */
  rules: number;
  /** Frames per in-process measurement. @default 200_000 */
  inProcessMessages: number;
  /** Frames per flat-out loopback measurement. @default 100_000 */
  flatOutMessages: number;
  /** Frames a second of the fixed-rate loopback measurement; 0 skips it. @default 10_000 */
  fixedRate: number;
  /** Frames per fixed-rate loopback measurement. @default 30_000 */
  fixedRateMessages: number;
  /** Skip the loopback part (b). @default false */
  skipLoopback?: boolean;
  /** Progress lines (stderr). @default none */
  progress?: (line: string) => void;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  markets: 200,
  ticksPerMarket: 50,
  repeats: 5,
  rules: 1000,
  inProcessMessages: 200_000,
  flatOutMessages: 100_000,
  fixedRate: 10_000,
  fixedRateMessages: 30_000,
};

export interface Summary {
  min: number;
  median: number;
  max: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? Number.NaN : n % 2 === 1 ? (sorted[(n - 1) / 2] ?? Number.NaN) : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted[n - 1] ?? Number.NaN, samples: [...samples] };
}

// ---------------------------------------------------------------------------------------------
// The every-tick listeners of (c)

/**
 * How the rules reach the store: one every-market listener each, filtering by market itself
 * (`onTick(owner, fn)`), or one listener per rule registered for its market only
 * (`onTick(owner, fn, { markets: [m] })`: the store's per-market index, so a tick costs only
 * its own market's rules, the way the monitor will register them).
 */
export type RuleDispatch = 'listener-per-rule' | 'market-index';

export interface ArmedRules {
  /** Ticks on which some rule's condition held (a sink, so the checks cannot be optimised away). */
  hits(): number;
  /** Rule checks run: each tick counts once per rule of its market. */
  checked(): number;
  off(): void;
}

/**
 * `count` stop-loss-like rules spread round-robin over `markets`, each an every-tick listener
 * of the store that compares the tick's price with a stop and a take-profit threshold of its
 * own market, through `MarketStore.onTick(owner, listener, opts)`. The one place to adapt when
 * the listener API moves to the market feed; `by` is explained at {@link RuleDispatch}.
 */
export function armRules(store: MarketStore, markets: readonly string[], count: number, by: RuleDispatch = 'listener-per-rule'): ArmedRules {
  let hits = 0;
  let checked = 0;
  const offs: Array<() => void> = [];
  for (let i = 0; i < count; i++) {
    const market = markets[i % markets.length] ?? '';
    // Never met by the frames (their prices move a fraction of a percent): armed, not firing.
    const stop = 1e-9 * (1 + (i % 7));
    const take = 1e16;
    const check = (t: Ticker): void => {
      if (t.market !== market) return;
      checked++;
      if (t.tradePrice <= stop || t.tradePrice >= take) hits++;
    };
    offs.push(by === 'listener-per-rule' ? store.onTick(`rule-${i}`, check) : store.onTick(`rule-${i}`, check, { markets: [market] }));
  }
  return {
    hits: () => hits,
    checked: () => checked,
    off: () => {
      for (const off of offs) off();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// (a) In process

export type InProcessVariant = 'raw' | 'ours' | 'oursRules' | 'oursRulesIndexed';
export const IN_PROCESS_VARIANTS: readonly InProcessVariant[] = ['ours', 'raw', 'oursRules', 'oursRulesIndexed'];

export interface InProcessResult {
  messages: number;
  /** Messages a second, per variant. */
  rate: Record<InProcessVariant, Summary>;
  /** Per repeat, the paired rates divided: ours / raw, and ours + rules / raw. */
  ratio: { ours: Summary; oursRules: Summary; oursRulesIndexed: Summary };
}

/** What the project's path hands the quotation client: its callbacks into the store. */
export type OursCallbacks = Required<Pick<QuotationClientOptions, 'onTicker' | 'onStatus' | 'onInvalid' | 'onActivity'>>;

/**
 * The one place that builds "ours" behind the quotation client, wired as src/app/tui.ts wires
 * it: the frame's receive time (read once by the socket) goes to the store with the activity
 * and every ticker, every-tick listeners run inside `applyTicker`. Both the loopback run and
 * {@link projectPath} go through it: when the market feed sits between the client and the
 * store, re-point this function and both measure the feed.
 */
export function oursCallbacks(store: MarketStore): OursCallbacks {
  return {
    onTicker: (t, at) => store.applyTicker(t, at),
    onStatus: (s) => store.setConnection(s),
    onInvalid: () => store.noteInvalid(),
    onActivity: (at) => store.noteActivity(at),
  };
}

/**
 * What the app does with one frame in process: what UpbitSocket's message handler and
 * QuotationClient#onFrame (private) do, through {@link oursCallbacks}: one clock read, the
 * activity, the parse, each ticker to the store.
 */
export function projectPath(store: MarketStore): (frame: Buffer) => void {
  const ours = oursCallbacks(store);
  return (frame) => {
    const at = Date.now();
    ours.onActivity(at);
    for (const ev of parseQuotationFrame(frame)) {
      if (ev.kind === 'ticker') ours.onTicker(ev.ticker, at);
      else if (ev.kind === 'invalid') ours.onInvalid(ev.reason);
    }
  };
}

let rawSink = 0;

/** Frames per slice: the variants take turns slice by slice, so noise hits each of them alike. */
const SLICE = 5_000;

interface InProcessRunner {
  /** Runs frames [from, to) of the cycled set; returns the milliseconds it took. */
  slice(from: number, to: number): number;
  finish(): void;
}

function inProcessRunner(variant: InProcessVariant, frames: readonly Buffer[], codes: readonly string[], rules: number): InProcessRunner {
  const len = frames.length;
  if (variant === 'raw') {
    return {
      slice: (from, to) => {
        const t0 = performance.now();
        for (let i = from; i < to; i++) {
          const v: unknown = JSON.parse((frames[i % len] ?? Buffer.alloc(0)).toString());
          if (v !== null) rawSink++;
        }
        return performance.now() - t0;
      },
      finish: () => undefined,
    };
  }
  const store = new MarketStore({ markets: [...codes] });
  const armed = variant === 'ours' ? null : armRules(store, codes, rules, variant === 'oursRules' ? 'listener-per-rule' : 'market-index');
  const apply = projectPath(store);
  return {
    slice: (from, to) => {
      const t0 = performance.now();
      for (let i = from; i < to; i++) apply(frames[i % len] ?? Buffer.alloc(0));
      return performance.now() - t0;
    },
    finish: () => {
      armed?.off();
      store.flush();
      const invalid = store.getSnapshot().invalidCount;
      if (invalid !== 0) throw new Error(`the project's path refused ${invalid} of the benchmark's frames`);
    },
  };
}

/** One repeat: every variant over `messages` frames, in turns of {@link SLICE}; messages a second each. */
function inProcessRepeat(frames: readonly Buffer[], messages: number, codes: readonly string[], rules: number): Record<InProcessVariant, number> {
  const runners = IN_PROCESS_VARIANTS.map((v) => [v, inProcessRunner(v, frames, codes, rules)] as const);
  const ms: Record<InProcessVariant, number> = { raw: 0, ours: 0, oursRules: 0, oursRulesIndexed: 0 };
  for (let from = 0; from < messages; from += SLICE) {
    const to = Math.min(messages, from + SLICE);
    for (const [v, runner] of runners) ms[v] += runner.slice(from, to);
  }
  for (const [, runner] of runners) runner.finish();
  const rate = (v: InProcessVariant): number => messages / (ms[v] / 1000);
  return { raw: rate('raw'), ours: rate('ours'), oursRules: rate('oursRules'), oursRulesIndexed: rate('oursRulesIndexed') };
}

export function runInProcess(opts: IngestOptions): InProcessResult {
  const codes = benchMarkets(opts.markets);
  const frames = buildTickerFrames({ markets: codes, ticksPerMarket: opts.ticksPerMarket });
  const rate: Record<InProcessVariant, number[]> = { raw: [], ours: [], oursRules: [], oursRulesIndexed: [] };
  const ratioOurs: number[] = [];
  const ratioRules: number[] = [];
  const ratioIndexed: number[] = [];
  // Warm-up round (not recorded): JIT and inline caches settle for every variant.
  inProcessRepeat(frames, Math.max(1, Math.min(opts.inProcessMessages, 20_000)), codes, opts.rules);
  for (let r = 0; r < opts.repeats; r++) {
    const got = inProcessRepeat(frames, opts.inProcessMessages, codes, opts.rules);
    for (const v of IN_PROCESS_VARIANTS) rate[v].push(got[v]);
    ratioOurs.push(got.ours / got.raw);
    ratioRules.push(got.oursRules / got.raw);
    ratioIndexed.push(got.oursRulesIndexed / got.raw);
    opts.progress?.(`in process ${r + 1}/${opts.repeats}: ours ${fmt(got.ours)} raw ${fmt(got.raw)} ours+rules ${fmt(got.oursRules)} ours+rules by market ${fmt(got.oursRulesIndexed)} msg/s`);
  }
  if (rawSink < 0) console.log(rawSink);
  return {
    messages: opts.inProcessMessages,
    rate: { raw: summarize(rate.raw), ours: summarize(rate.ours), oursRules: summarize(rate.oursRules), oursRulesIndexed: summarize(rate.oursRulesIndexed) },
    ratio: { ours: summarize(ratioOurs), oursRules: summarize(ratioRules), oursRulesIndexed: summarize(ratioIndexed) },
  };
}

// ---------------------------------------------------------------------------------------------
// (b) Over a loopback WebSocket

export interface Sender {
  port: number;
  /** Builds a frame set ahead of the runs that use it. */
  prepare(markets: number, ticksPerMarket: number): Promise<void>;
  close(): Promise<void>;
}

const SENDER = fileURLToPath(new URL('./ingest/sender.ts', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Forks the sender (bench/ingest/sender.ts) through tsx and waits for its port. */
export async function startSender(timeoutMs = 15_000): Promise<Sender> {
  const child: ChildProcess = fork(SENDER, [], { cwd: REPO, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(pick: (m: unknown) => T | undefined, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`the benchmark's sender process did not ${what} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: unknown): void => {
        const v = pick(m);
        if (v !== undefined) done(null, v);
      };
      const onExit = (code: number | null): void => done(new Error(`the benchmark's sender process exited (code ${code}) before it could ${what}`));
      function done(error: Error | null, v?: T): void {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error !== null) reject(error);
        else resolve(v as T);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const field = (m: unknown, key: string): unknown => (typeof m === 'object' && m !== null && key in m ? (m as Record<string, unknown>)[key] : undefined);
  let port: number;
  try {
    port = await next((m) => {
      const p = field(m, 'port');
      return typeof p === 'number' ? p : undefined;
    }, 'listen');
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    port,
    prepare: async (markets, ticksPerMarket) => {
      const ready = next((m) => (field(m, 'prepared') === true ? true : undefined), 'build its frames');
      child.send({ prepare: { markets, ticks: ticksPerMarket } });
      await ready;
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * `oursRules`: the rules as every-market listeners (each tick runs all of them);
 * `oursRulesIndexed`: each registered for its own market (each tick runs its market's).
 */
export type LoopbackVariant = 'raw' | 'ours' | 'oursRules' | 'oursRulesIndexed';
export const LOOPBACK_VARIANTS: readonly LoopbackVariant[] = ['ours', 'raw', 'oursRules', 'oursRulesIndexed'];

export interface LoopbackSample {
  /** Messages between the first and the last (the measured span). */
  messages: number;
  wallMs: number;
  /** User + system CPU of this process over the span. */
  cpuMs: number;
  cpuMsPer100k: number;
  msgPerSec: number;
}

interface Run {
  port: number;
  n: number;
  rate: number;
  markets: number;
  ticksPerMarket: number;
  deadlineMs: number;
}

const url = (r: Run): string => `ws://127.0.0.1:${r.port}/websocket/v1?n=${r.n}&rate=${r.rate}&markets=${r.markets}&ticks=${r.ticksPerMarket}`;

/** Counts `n` messages, timing CPU and wall clock from the first to the last. */
function counter(n: number, onDone: () => void): { tick: () => void; sample: () => LoopbackSample | null } {
  let count = 0;
  let cpu0: NodeJS.CpuUsage | null = null;
  let t0 = 0;
  let result: LoopbackSample | null = null;
  return {
    tick: () => {
      count++;
      if (count === 1) {
        cpu0 = process.cpuUsage();
        t0 = performance.now();
      }
      if (count === n && cpu0 !== null) {
        const wallMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const messages = n - 1;
        result = { messages, wallMs, cpuMs, cpuMsPer100k: (cpuMs * 100_000) / messages, msgPerSec: messages / (wallMs / 1000) };
        onDone();
      }
    },
    sample: () => result,
  };
}

function tickerRequest(codes: readonly string[]): string {
  return JSON.stringify([{ ticket: 'ingest-bench' }, { type: 'ticker', codes }, { format: 'DEFAULT' }]);
}

/** The bare client: `ws` with the socket options the project uses, JSON.parse per message, nothing else. */
export function receiveRaw(run: Run, codes: readonly string[]): Promise<LoopbackSample> {
  return new Promise<LoopbackSample>((resolve, reject) => {
    const ws = new WebSocket(url(run), { perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
    let sink = 0;
    const c = counter(run.n, () => ws.close(1000));
    const timer = setTimeout(() => ws.terminate(), run.deadlineMs);
    ws.on('open', () => ws.send(tickerRequest(codes)));
    ws.on('message', (data) => {
      const v: unknown = JSON.parse(Buffer.isBuffer(data) ? data.toString() : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString());
      if (v !== null) sink++;
      c.tick();
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(timer);
      const s = c.sample();
      if (s !== null && sink >= 0) resolve(s);
      else reject(new Error(`the bare client got fewer than ${run.n} messages within ${run.deadlineMs} ms`));
    });
  });
}

/**
 * The project's path as src/app/tui.ts wires it: the market feed (which owns the quotation
 * client and hands each ticker to the store with the frame's one clock read) and the store;
 * the benchmark's markets are one demand, whose listener counts the ticks.
 */
export async function receiveOurs(run: Run, codes: readonly string[], rules: number, by: RuleDispatch = 'listener-per-rule'): Promise<LoopbackSample> {
  const store = new MarketStore({ markets: [...codes] });
  const armed = rules > 0 ? armRules(store, codes, rules, by) : null;
  const ac = new AbortController();
  const c = counter(run.n, () => ac.abort());
  const feed = new MarketFeed({ url: url(run), tickers: store });
  const release = feed.demand('bench', { type: 'ticker', codes: [...codes], listener: () => c.tick() });
  const timer = setTimeout(() => ac.abort(), run.deadlineMs);
  try {
    await Promise.all([feed.run(ac.signal), store.run(ac.signal)]);
  } finally {
    clearTimeout(timer);
    release();
    armed?.off();
  }
  store.flush();
  const invalid = store.getSnapshot().invalidCount;
  if (invalid !== 0) throw new Error(`the project's path refused ${invalid} of the benchmark's frames`);
  const s = c.sample();
  if (s === null) throw new Error(`the project's client got fewer than ${run.n} tickers within ${run.deadlineMs} ms`);
  return s;
}

export interface LoopbackModeResult {
  /** 0 = flat out. */
  rate: number;
  messages: number;
  cpuMsPer100k: Record<LoopbackVariant, Summary>;
  msgPerSec: Record<LoopbackVariant, Summary>;
  /**
   * Per repeat, raw CPU per message divided by ours (= our messages per CPU-second over the bare
   * client's): 1 is "costs what a bare JSON.parse costs", 0.5 is "twice the CPU".
   */
  cpuRatio: { ours: Summary; oursRules: Summary; oursRulesIndexed: Summary };
  /** Per repeat, ours' throughput over the bare client's (meaningful flat out). */
  throughputRatio: { ours: Summary; oursRules: Summary; oursRulesIndexed: Summary };
}

export interface LoopbackResult {
  flatOut: LoopbackModeResult;
  fixedRate: LoopbackModeResult | null;
}

async function runLoopbackMode(sender: Sender, opts: IngestOptions, rate: number, n: number): Promise<LoopbackModeResult> {
  const codes = benchMarkets(opts.markets);
  // Generous: a receiver that keeps up takes n/rate s (or well under a second per 100k flat out).
  const deadlineMs = 30_000 + (rate > 0 ? (n * 3000) / rate : n / 5);
  const run: Run = { port: sender.port, n, rate, markets: opts.markets, ticksPerMarket: opts.ticksPerMarket, deadlineMs };
  const receiveOn = (r: Run, v: LoopbackVariant): Promise<LoopbackSample> =>
    v === 'raw' ? receiveRaw(r, codes) : v === 'ours' ? receiveOurs(r, codes, 0) : receiveOurs(r, codes, opts.rules, v === 'oursRules' ? 'listener-per-rule' : 'market-index');
  const receive = (v: LoopbackVariant): Promise<LoopbackSample> => receiveOn(run, v);
  const cpu: Record<LoopbackVariant, number[]> = { raw: [], ours: [], oursRules: [], oursRulesIndexed: [] };
  const tput: Record<LoopbackVariant, number[]> = { raw: [], ours: [], oursRules: [], oursRulesIndexed: [] };
  const ratio = { cpuOurs: [] as number[], cpuRules: [] as number[], cpuIndexed: [] as number[], tOurs: [] as number[], tRules: [] as number[], tIndexed: [] as number[] };
  // Warm-up round on a short run, not recorded.
  const warmRun: Run = { ...run, n: Math.max(2, Math.min(n, 10_000)), rate: 0 };
  for (const v of LOOPBACK_VARIANTS) await receiveOn(warmRun, v);
  for (let r = 0; r < opts.repeats; r++) {
    const got: Partial<Record<LoopbackVariant, LoopbackSample>> = {};
    // The order rotates from repeat to repeat: whatever the position in a round costs (the
    // collection of the previous run's garbage, a cold cache) falls on every variant in turn.
    for (let i = 0; i < LOOPBACK_VARIANTS.length; i++) {
      const v = LOOPBACK_VARIANTS[(r + i) % LOOPBACK_VARIANTS.length] ?? 'raw';
      const s = await receive(v);
      got[v] = s;
      cpu[v].push(s.cpuMsPer100k);
      tput[v].push(s.msgPerSec);
    }
    const raw = got.raw;
    if (raw !== undefined && got.ours !== undefined && got.oursRules !== undefined && got.oursRulesIndexed !== undefined) {
      ratio.cpuOurs.push(raw.cpuMsPer100k / got.ours.cpuMsPer100k);
      ratio.cpuRules.push(raw.cpuMsPer100k / got.oursRules.cpuMsPer100k);
      ratio.cpuIndexed.push(raw.cpuMsPer100k / got.oursRulesIndexed.cpuMsPer100k);
      ratio.tOurs.push(got.ours.msgPerSec / raw.msgPerSec);
      ratio.tRules.push(got.oursRules.msgPerSec / raw.msgPerSec);
      ratio.tIndexed.push(got.oursRulesIndexed.msgPerSec / raw.msgPerSec);
      const label = rate === 0 ? 'flat out' : `${rate} msg/s`;
      opts.progress?.(
        `loopback ${label} ${r + 1}/${opts.repeats}: CPU ms/100k ours ${got.ours.cpuMsPer100k.toFixed(0)} raw ${raw.cpuMsPer100k.toFixed(0)} ours+rules ${got.oursRules.cpuMsPer100k.toFixed(0)} ours+rules by market ${got.oursRulesIndexed.cpuMsPer100k.toFixed(0)}; msg/s ours ${fmt(got.ours.msgPerSec)} raw ${fmt(raw.msgPerSec)}`,
      );
    }
  }
  const all = <T>(f: (v: LoopbackVariant) => T): Record<LoopbackVariant, T> => ({ raw: f('raw'), ours: f('ours'), oursRules: f('oursRules'), oursRulesIndexed: f('oursRulesIndexed') });
  return {
    rate,
    messages: n,
    cpuMsPer100k: all((v) => summarize(cpu[v])),
    msgPerSec: all((v) => summarize(tput[v])),
    cpuRatio: { ours: summarize(ratio.cpuOurs), oursRules: summarize(ratio.cpuRules), oursRulesIndexed: summarize(ratio.cpuIndexed) },
    throughputRatio: { ours: summarize(ratio.tOurs), oursRules: summarize(ratio.tRules), oursRulesIndexed: summarize(ratio.tIndexed) },
  };
}

export async function runLoopback(opts: IngestOptions): Promise<LoopbackResult> {
  const sender = await startSender();
  try {
    await sender.prepare(opts.markets, opts.ticksPerMarket);
    const flatOut = await runLoopbackMode(sender, opts, 0, opts.flatOutMessages);
    const fixedRate = opts.fixedRate > 0 ? await runLoopbackMode(sender, opts, opts.fixedRate, opts.fixedRateMessages) : null;
    return { flatOut, fixedRate };
  } finally {
    await sender.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The whole benchmark, its table and its JSON

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  nodeEnv: string | null;
}

export function machine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    nodeEnv: process.env.NODE_ENV ?? null,
  };
}

export interface IngestResult {
  benchmark: 'ingest';
  startedAt: string;
  elapsedMs: number;
  machine: Machine;
  options: Omit<IngestOptions, 'progress'>;
  inProcess: InProcessResult;
  loopback: LoopbackResult | null;
}

export async function runIngest(opts: IngestOptions): Promise<IngestResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const inProcess = runInProcess(opts);
  const loopback = opts.skipLoopback === true ? null : await runLoopback(opts);
  const { progress: _progress, ...options } = opts;
  return { benchmark: 'ingest', startedAt, elapsedMs: performance.now() - t0, machine: machine(), options, inProcess, loopback };
}

export interface TableRow {
  figure: string;
  unit: string;
  min: number;
  median: number;
  max: number;
}

/** The printed table: one row per figure, min / median / max over the repeats. */
export function ingestTable(r: IngestResult): TableRow[] {
  const row = (figure: string, unit: string, s: Summary): TableRow => ({ figure, unit, min: s.min, median: s.median, max: s.max });
  const rules = `ours + ${r.options.rules} rules`;
  const rows: TableRow[] = [
    row('(a) in process: raw JSON.parse', 'msg/s', r.inProcess.rate.raw),
    row('(a) in process: ours', 'msg/s', r.inProcess.rate.ours),
    row(`(a) in process: ${rules}`, 'msg/s', r.inProcess.rate.oursRules),
    row('(a) ratio ours / raw', '×', r.inProcess.ratio.ours),
    row(`(c) ratio ${rules} / raw`, '×', r.inProcess.ratio.oursRules),
    row(`(a) in process: ${rules} by market index`, 'msg/s', r.inProcess.rate.oursRulesIndexed),
    row(`(c) ratio ${rules} by market index / raw`, '×', r.inProcess.ratio.oursRulesIndexed),
  ];
  const modes: Array<[string, LoopbackModeResult | null]> = r.loopback === null ? [] : [['flat out', r.loopback.flatOut], [`${r.loopback.fixedRate?.rate ?? 0} msg/s`, r.loopback.fixedRate]];
  for (const [label, m] of modes) {
    if (m === null) continue;
    rows.push(
      row(`(b) loopback ${label}: raw CPU`, 'ms/100k', m.cpuMsPer100k.raw),
      row(`(b) loopback ${label}: ours CPU`, 'ms/100k', m.cpuMsPer100k.ours),
      row(`(b) loopback ${label}: ${rules} CPU`, 'ms/100k', m.cpuMsPer100k.oursRules),
      row(`(b) loopback ${label}: ${rules} by market index CPU`, 'ms/100k', m.cpuMsPer100k.oursRulesIndexed),
      row(`(b) loopback ${label}: raw`, 'msg/s', m.msgPerSec.raw),
      row(`(b) loopback ${label}: ours`, 'msg/s', m.msgPerSec.ours),
      row(`(b) loopback ${label}: ${rules}`, 'msg/s', m.msgPerSec.oursRules),
      row(`(b) ${label} CPU ratio ours / raw`, '×', m.cpuRatio.ours),
      row(`(c) ${label} CPU ratio ${rules} / raw`, '×', m.cpuRatio.oursRules),
      row(`(c) ${label} CPU ratio ${rules} by market index / raw`, '×', m.cpuRatio.oursRulesIndexed),
    );
    if (m.rate === 0) {
      rows.push(
        row(`(b) ${label} throughput ratio ours / raw`, '×', m.throughputRatio.ours),
        row(`(c) ${label} throughput ratio ${rules} / raw`, '×', m.throughputRatio.oursRules),
        row(`(c) ${label} throughput ratio ${rules} by market index / raw`, '×', m.throughputRatio.oursRulesIndexed),
      );
    }
  }
  return rows;
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return Math.round(x).toLocaleString('en-US');
}

function cell(x: number, unit: string): string {
  if (!Number.isFinite(x)) return '-';
  if (unit === '×') return `${x.toFixed(2)}×`;
  return fmt(x);
}

export function formatTable(rows: readonly TableRow[]): string {
  const head = ['figure', 'min', 'median', 'max', 'unit'];
  const body = rows.map((r) => [r.figure, cell(r.min, r.unit), cell(r.median, r.unit), cell(r.max, r.unit), r.unit]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
