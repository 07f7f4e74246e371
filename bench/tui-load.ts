/**
 * The TUI load benchmark (issue 9; docs/performance.md#the-tui-load-benchmark-issue-9): the
 * built TUI in a pseudo-terminal against a load source in its own process
 * (bench/tui-load/source.ts: `/v1/market/all` and real-shape binary ticker frames at any
 * rate), measured from outside (/proc: CPU, RSS) and from its `--metrics-file` (loop lag from
 * the kernel's monitor, React commits, frames and bytes to the terminal, messages received,
 * tick → frame freshness). Every case starts a fresh source and TUI; all are stopped at the
 * end, on error and on Ctrl+C.
 *
 *   npm run build && npm run bench -- tui                    (every case; the RSS case runs --minutes 60)
 *   npm run bench -- tui --quick                             (about 2 minutes)
 *   npm run bench -- tui --cases quiet,busy --window 60 --repeats 3
 *   npm run bench -- tui --cases custom --markets 50 --rate 3000
 *   npm run bench -- tui --cases busy,focus                  (the watchlist and the focused market's view, side by side)
 *   npm run bench -- tui --help
 */
import { cpus, loadavg } from 'node:os';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { burstRun, rssRun, steadyRun, type BurstFigures, type RssFigures, type Size } from './tui-load/measure.js';
import { BUNDLE, checkBuild, killAllTuis, useTuiNode } from './tui-load/tui-process.js';

/** The store's flush rate (src/trading/market-store.ts `flushHz` default): commits ≤ this + 2, freshness ≤ 1000/this + 10 ms. */
const FLUSH_HZ = 12;
const CASE_NAMES = ['quiet', 'busy', 'burst', 'rss', 'focus', 'custom'] as const;
type CaseName = (typeof CASE_NAMES)[number];

const usage = `usage: npm run bench -- tui [--quick] [--cases ${CASE_NAMES.join(',')}] [--repeats N] [--warmup S] [--window S]
       [--size COLSxROWS] [--node "PATH|COMMAND [NODE-ARGS]"] [--burst-rate N] [--burst-seconds S] [--burst-base N] [--minutes M] [--focus-rate N] [--focus-base N]
       [--markets N --rate N (custom)] [--no-write]
cases: quiet = 20 markets 100 msg/s; busy = 200 markets 10,000 msg/s; burst = 200 markets, 1,000 msg/s then 20,000 for 10 s;
       rss = 200 markets 3,000 msg/s for --minutes (default 60); focus = 200 markets at --focus-base msg/s (default 3,000),
       Enter on the watchlist as the warm-up starts, then the first market's book and trades at --focus-rate msg/s (default
       100, half each) and its 1-minute candle once a second; custom = --markets at --rate. Default: quiet,busy,burst,rss.
       Two or more of quiet, busy, focus, custom are also printed side by side.
Needs the build (npm run build): it measures node bin/upbit-tui.js (under --node, default the benchmark's own Node).`;

interface Options {
  cases: CaseName[];
  repeats: number;
  warmupS: number;
  windowS: number;
  size: Size;
  burstRate: number;
  burstS: number;
  burstBase: number;
  minutes: number;
  focusRate: number;
  focusBase: number;
  markets: number;
  rate: number;
  write: boolean;
  node: string | null;
}

function parse(argv: string[]): Options | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        cases: { type: 'string' },
        repeats: { type: 'string' },
        warmup: { type: 'string' },
        window: { type: 'string' },
        size: { type: 'string' },
        'burst-rate': { type: 'string' },
        'burst-seconds': { type: 'string' },
        'burst-base': { type: 'string' },
        minutes: { type: 'string' },
        'focus-rate': { type: 'string' },
        'focus-base': { type: 'string' },
        markets: { type: 'string' },
        rate: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        node: { type: 'string' },
      },
    }));
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}; \`npm run bench -- tui --help\` lists the options`;
  }
  if (values.help) return '';
  const quick = values.quick;
  const num = (flag: string, v: string | undefined, fallback: number, min: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${flag} must be a number of at least ${min}, got "${v}"`);
    return n;
  };
  try {
    const cases = (values.cases ?? (values.markets !== undefined || values.rate !== undefined ? 'custom' : 'quiet,busy,burst,rss')).split(',').map((c) => c.trim());
    const bad = cases.find((c) => !(CASE_NAMES as readonly string[]).includes(c));
    if (bad !== undefined) throw new Error(`--cases: no case "${bad}"; the cases are ${CASE_NAMES.join(', ')}`);
    const m = /^(\d+)x(\d+)$/.exec(values.size ?? '120x40');
    if (m === null) throw new Error(`--size must be COLSxROWS, e.g. 120x40, got "${values.size ?? ''}"`);
    return {
      cases: cases as CaseName[],
      repeats: Math.floor(num('repeats', values.repeats, quick ? 1 : 3, 1)),
      warmupS: num('warmup', values.warmup, quick ? 3 : 10, 0),
      windowS: num('window', values.window, quick ? 10 : 30, 1),
      size: { cols: Number(m[1]), rows: Number(m[2]) },
      burstRate: num('burst-rate', values['burst-rate'], 20_000, 1),
      burstS: num('burst-seconds', values['burst-seconds'], 10, 1),
      burstBase: num('burst-base', values['burst-base'], 1_000, 0),
      minutes: num('minutes', values.minutes, quick ? 0.5 : 60, 0.1),
      focusRate: num('focus-rate', values['focus-rate'], 100, 0),
      focusBase: num('focus-base', values['focus-base'], 3_000, 0),
      markets: Math.floor(num('markets', values.markets, 200, 1)),
      rate: num('rate', values.rate, 10_000, 1),
      write: !values['no-write'],
      node: values.node ?? null,
    };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

type Row = { figure: string; goal: string; values: (number | null)[] };

function spread(values: readonly (number | null)[]): string {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return 'n/a';
  const med = v.length % 2 === 1 ? (v[(v.length - 1) / 2] ?? 0) : ((v[v.length / 2 - 1] ?? 0) + (v[v.length / 2] ?? 0)) / 2;
  const f = (x: number): string => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Math.round(x * 10) / 10));
  return v.length === 1 ? f(med) : `${f(med)} (${f(v[0] ?? 0)}–${f(v.at(-1) ?? 0)})`;
}

function formatRows(title: string, rows: Row[]): string {
  const w0 = Math.max(...rows.map((r) => r.figure.length), 6);
  const w1 = Math.max(...rows.map((r) => r.goal.length), 4);
  const lines = [title, `  ${'figure'.padEnd(w0)}  ${'goal'.padEnd(w1)}  median (min–max)`];
  for (const r of rows) lines.push(`  ${r.figure.padEnd(w0)}  ${r.goal.padEnd(w1)}  ${spread(r.values)}`);
  return lines.join('\n');
}

type Steady = Awaited<ReturnType<typeof steadyRun>>;

function steadyRows(name: CaseName, runs: Steady[]): Row[] {
  const pick = (f: (r: Steady) => number | null): (number | null)[] => runs.map(f);
  const cpuGoal = name === 'quiet' ? '≤ 3' : name === 'busy' ? '≤ 12' : '';
  const freshGoal = `≤ ${Math.round(1000 / FLUSH_HZ + 10)}`;
  return [
    { figure: 'CPU % of a core', goal: cpuGoal, values: pick((r) => r.cpuPct) },
    { figure: 'CPU ms per frame', goal: '', values: pick((r) => r.cpuMsPerFrame) },
    { figure: '  main thread user %', goal: '', values: pick((r) => r.mainUserPct) },
    { figure: '  main thread system %', goal: '', values: pick((r) => r.mainSysPct) },
    { figure: '  other threads % (GC, JIT)', goal: '', values: pick((r) => r.otherThreadsPct) },
    { figure: 'GC pause ms/s (main)', goal: '', values: pick((r) => r.gcMsPerS) },
    { figure: 'scavenges/s', goal: '', values: pick((r) => r.scavengesPerS) },
    { figure: 'full GCs/s', goal: '', values: pick((r) => r.fullGcsPerS) },
    { figure: 'loop lag p50 ms', goal: '', values: pick((r) => r.lagP50Ms) },
    { figure: 'loop lag p99 ms', goal: name === 'busy' ? '≤ 4' : '', values: pick((r) => r.lagP99Ms) },
    { figure: 'loop lag max ms', goal: '', values: pick((r) => r.lagMaxMs) },
    { figure: 'React commits/s', goal: `≤ ${FLUSH_HZ + 2}`, values: pick((r) => r.commitsPerS) },
    { figure: 'Ink render ms/commit', goal: '', values: pick((r) => r.renderMsPerCommit) },
    { figure: 'frames/s', goal: '10–15', values: pick((r) => r.framesPerS) },
    { figure: 'bytes/s to terminal', goal: '', values: pick((r) => r.bytesPerS) },
    { figure: 'msg/s sent', goal: '', values: pick((r) => r.sentPerS) },
    { figure: 'msg/s received', goal: '', values: pick((r) => r.receivedPerS) },
    { figure: 'dropped (sent − received)', goal: '0', values: pick((r) => r.dropped) },
    { figure: 'feed backlog at end (s)', goal: '', values: pick((r) => r.backlogS) },
    { figure: 'fresh tick→frame p50 ms', goal: '', values: pick((r) => r.freshP50Ms) },
    { figure: 'fresh tick→frame p99 ms', goal: freshGoal, values: pick((r) => r.freshP99Ms) },
    { figure: 'fresh send→frame p50 ms', goal: '', values: pick((r) => r.freshSentP50Ms) },
    { figure: 'fresh send→frame p99 ms', goal: '', values: pick((r) => r.freshSentP99Ms) },
    { figure: 'RSS MB at end', goal: '', values: pick((r) => r.rssMB) },
    ...(runs.some((r) => r.focus !== undefined)
      ? [
          { figure: 'focus msg/s sent (book+trade+candle)', goal: '', values: pick((r) => r.focus?.focusSentPerS ?? null) },
          { figure: 'Enter → focus request + REST read (s)', goal: '', values: pick((r) => r.focus?.openS ?? null) },
        ]
      : []),
  ];
}

/** Steady cases in one table, a column each (median and min–max), the figures in the order of the first. */
function sideBySide(cases: readonly { name: CaseName; rows: Row[] }[]): string {
  const figures = [...new Set(cases.flatMap((c) => c.rows.map((r) => r.figure)))];
  const cell = (c: { rows: Row[] }, f: string): string => {
    const row = c.rows.find((r) => r.figure === f);
    return row === undefined ? '' : spread(row.values);
  };
  const w0 = Math.max(...figures.map((f) => f.length));
  const widths = cases.map((c) => Math.max(c.name.length, ...figures.map((f) => cell(c, f).length)));
  const line = (first: string, cells: string[]): string => `  ${first.padEnd(w0)}  ${cells.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return ['side by side: median (min–max)', line('figure', cases.map((c) => c.name)), ...figures.map((f) => line(f, cases.map((c) => cell(c, f))))].join('\n');
}

function burstRows(runs: BurstFigures[]): Row[] {
  const pick = (f: (r: BurstFigures) => number | null): (number | null)[] => runs.map(f);
  return [
    { figure: 'CPU % during burst', goal: '', values: pick((r) => r.during.cpuPct) },
    { figure: 'frames/s during', goal: '', values: pick((r) => r.during.framesPerS) },
    { figure: 'loop lag p99 ms during', goal: '', values: pick((r) => r.during.lagP99Ms) },
    { figure: 'loop lag max ms during', goal: '', values: pick((r) => r.during.lagMaxMs) },
    { figure: 'commits/s during', goal: `≤ ${FLUSH_HZ + 2}`, values: pick((r) => r.during.commitsPerS) },
    { figure: 'msg/s sent during', goal: '', values: pick((r) => r.during.sentPerS) },
    { figure: 'msg/s received during', goal: '', values: pick((r) => r.during.receivedPerS) },
    { figure: 'fresh send→frame p99 during', goal: '', values: pick((r) => r.during.freshSentP99Ms) },
    { figure: 'dropped', goal: '0', values: pick((r) => r.dropped) },
    { figure: 'lag p99 ≤ 4 ms after (s)', goal: '≤ 1', values: pick((r) => r.recoveryS) },
    { figure: 'backlog drained after (s)', goal: '', values: pick((r) => r.catchUpS) },
  ];
}

function rssRows(runs: RssFigures[]): Row[] {
  const pick = (f: (r: RssFigures) => number | null): (number | null)[] => runs.map(f);
  return [
    { figure: 'RSS MB at start', goal: '', values: pick((r) => r.startMB) },
    { figure: 'RSS MB max', goal: '≤ 200', values: pick((r) => r.maxMB) },
    { figure: 'RSS MB at end', goal: '≤ 200', values: pick((r) => r.endMB) },
    { figure: 'RSS slope after warm-up MB/h', goal: '≤ 10', values: pick((r) => r.slopeMBPerH) },
    { figure: 'CPU % of a core', goal: '', values: pick((r) => r.cpuPct) },
    { figure: 'heap used MB at end', goal: '', values: pick((r) => r.heapUsedMB) },
  ];
}

async function runCases(o: Options, progress: (text: string) => void): Promise<{ name: CaseName; spec: Record<string, unknown>; runs: unknown[]; rows: Row[] }[]> {
  const out = [];
  for (const name of o.cases) {
    if (name === 'burst') {
      const spec = { markets: 200, baseRate: o.burstBase, burstRate: o.burstRate, burstS: o.burstS, tailS: 5, warmupS: o.warmupS, size: o.size, recoverBelowMs: 4 };
      const runs: BurstFigures[] = [];
      for (let i = 0; i < o.repeats; i++) {
        progress(`burst ${i + 1}/${o.repeats}: ${spec.burstRate} msg/s for ${spec.burstS} s over ${spec.baseRate} msg/s`);
        runs.push(await burstRun(spec));
      }
      out.push({ name, spec, runs, rows: burstRows(runs) });
    } else if (name === 'rss') {
      const spec = { markets: 200, rate: 3_000, minutes: o.minutes, size: o.size, sampleS: o.minutes <= 2 ? 1 : 5 };
      progress(`rss: ${spec.rate} msg/s, ${spec.markets} markets, ${spec.minutes} min`);
      const runs = [await rssRun({ ...spec, progress })];
      out.push({ name, spec, runs, rows: rssRows(runs) });
    } else {
      const spec = {
        markets: name === 'quiet' ? 20 : name === 'busy' || name === 'focus' ? 200 : o.markets,
        rate: name === 'quiet' ? 100 : name === 'busy' ? 10_000 : name === 'focus' ? o.focusBase : o.rate,
        size: o.size,
        warmupS: o.warmupS,
        windowS: o.windowS,
        ...(name === 'focus' ? { focus: { rate: o.focusRate } } : {}),
      };
      const runs: Steady[] = [];
      for (let i = 0; i < o.repeats; i++) {
        const focused = spec.focus === undefined ? '' : `, focused view at ${spec.focus.rate} book+trade msg/s`;
        progress(`${name} ${i + 1}/${o.repeats}: ${spec.markets} markets, ${spec.rate} msg/s${focused}, ${o.size.cols}x${o.size.rows}, ${o.warmupS} s warm-up, ${o.windowS} s window`);
        runs.push(await steadyRun(spec));
      }
      out.push({ name, spec, runs, rows: steadyRows(name, runs) });
    }
  }
  return out;
}

/** `npm run bench -- tui …`: returns the exit code. */
export async function runTuiLoadCli(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (o === '') {
    console.log(usage);
    return 0;
  }
  if (typeof o === 'string') {
    process.stderr.write(`upbit-tui bench: ${o}\n`);
    return 2;
  }
  const cleanUp = (): void => killAllTuis();
  process.once('exit', cleanUp);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanUp();
      process.stderr.write(`upbit-tui bench: stopped by ${sig}; the TUIs it started are killed, the load source ends with this process\n`);
      process.exit(130);
    });
  }
  let stale: string | null;
  let tuiNode = process.version;
  try {
    if (o.node !== null) tuiNode = useTuiNode(o.node);
    stale = checkBuild();
  } catch (error) {
    process.stderr.write(`upbit-tui bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (stale !== null) process.stderr.write(`note: ${stale}\n`);
  const startedAt = new Date().toISOString();
  // Which build was measured: the bundle's hash, read before the runs (a before/after pair
  // swaps dist/bundle between invocations; the JSON must say which one each was).
  const bundleSha256 = createHash('sha256').update(readFileSync(BUNDLE)).digest('hex');
  const loadStart = loadavg();
  let cases;
  try {
    cases = await runCases(o, (line) => process.stderr.write(`  ${line} (load ${loadavg().map((x) => x.toFixed(2)).join(' ')})\n`));
  } catch (error) {
    process.stderr.write(`upbit-tui bench: the TUI load benchmark stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    cleanUp();
  }
  const loadEnd = loadavg();
  if (Math.max(loadStart[0] ?? 0, loadEnd[0] ?? 0) > cpus().length) {
    process.stderr.write(`note: the load average was above the ${cpus().length} cores: the TUI got less CPU than it asked for, so CPU % reads low and lag, render time and freshness read high; compare only runs taken side by side\n`);
  }
  const machine = { node: process.version, tuiNode, platform: `${process.platform} ${process.arch}`, nproc: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadavgStart: loadStart, loadavgEnd: loadEnd, bundleSha256 };
  console.log(`tui-load: ${o.size.cols}x${o.size.rows}, ${o.repeats} repeats, ${o.warmupS} s warm-up, ${o.windowS} s windows, node ${machine.node} (TUI on ${tuiNode}), ${machine.nproc} cores (${machine.cpuModel})`);
  console.log(`load average at start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at end ${loadEnd.map((x) => x.toFixed(2)).join(' ')}`);
  for (const c of cases) console.log(`${formatRows(`${c.name}: ${JSON.stringify(c.spec)}`, c.rows)}\n`);
  const steady = cases.filter((c) => c.name !== 'burst' && c.name !== 'rss');
  if (steady.length > 1) console.log(`${sideBySide(steady)}\n`);
  if (o.write) {
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`tui-load-${startedAt.replace(/[:.]/g, '-')}.json`, dir);
    writeFileSync(file, `${JSON.stringify({ benchmark: 'tui-load', startedAt, machine, options: o, cases: cases.map(({ rows: _rows, ...c }) => c) }, null, 2)}\n`);
    console.log(`written: ${file.pathname}`);
  }
  return 0;
}
