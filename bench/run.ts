/**
 * `npm run bench`: the benchmarks of docs/performance.md. The first word picks one: `ingest`
 * (the default, bench/ingest.ts) or `tui` (the TUI load benchmark, bench/tui-load.ts, which
 * has its own flags: `npm run bench -- tui --help`). The ingest benchmark prints a table and writes the whole result, machine included, to
 * bench/results/ingest-<UTC time>.json. Bounded: every measurement has a count and a deadline,
 * and the sender process ends with this one.
 *
 *   npm run bench                        (NODE_ENV=production; about two minutes on 2 cores)
 *   npm run bench -- --quick             (about 15 s: small counts, 2 repeats)
 *   npm run bench -- --help
 *   npm run bench -- --repeats 5 --in-process 200000 --flat-out 100000 --rate 10000 --at-rate 30000 --rules 1000 [--no-loopback] [--no-write]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { DEFAULT_INGEST_OPTIONS, formatTable, ingestTable, runIngest, type IngestOptions } from './ingest.js';

const which = process.argv[2];
if (which === 'tui' || which === 'tui-load') {
  const { runTuiLoadCli } = await import('./tui-load.js');
  process.exit(await runTuiLoadCli(process.argv.slice(3)));
}
if (which === 'ingest') process.argv.splice(2, 1);

const usage =
  'usage: npm run bench -- [ingest] [--quick] [--repeats N] [--in-process N] [--flat-out N] [--rate MSG_PER_S (0 = skip)] [--at-rate N] [--rules N] [--markets N] [--no-loopback] [--no-write]';
const fail = (text: string): void => void process.stderr.write(`upbit-tui: ${text}\n`);

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        help: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        repeats: { type: 'string' },
        'in-process': { type: 'string' },
        'flat-out': { type: 'string' },
        rate: { type: 'string' },
        'at-rate': { type: 'string' },
        rules: { type: 'string' },
        markets: { type: 'string' },
        'no-loopback': { type: 'boolean', default: false },
        'no-write': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}; \`npm run bench -- --help\` lists the options`);
    return 2;
  }
  if (values.help) {
    console.log(`${usage}\n       npm run bench -- tui --help   (the TUI load benchmark)`);
    process.exit(0);
  }
  const base: IngestOptions = values.quick
    ? { ...DEFAULT_INGEST_OPTIONS, repeats: 2, inProcessMessages: 20_000, flatOutMessages: 20_000, fixedRate: 10_000, fixedRateMessages: 5_000 }
    : { ...DEFAULT_INGEST_OPTIONS };
  const num = (v: string | undefined, fallback: number, min: number): number | null => {
    if (v === undefined) return fallback;
    const n = Number(v);
    return Number.isInteger(n) && n >= min ? n : null;
  };
  const picked = {
    repeats: num(values.repeats, base.repeats, 1),
    inProcessMessages: num(values['in-process'], base.inProcessMessages, 2),
    flatOutMessages: num(values['flat-out'], base.flatOutMessages, 2),
    fixedRate: num(values.rate, base.fixedRate, 0),
    fixedRateMessages: num(values['at-rate'], base.fixedRateMessages, 2),
    rules: num(values.rules, base.rules, 0),
    markets: num(values.markets, base.markets, 1),
  };
  const bad = Object.entries(picked).find(([, v]) => v === null);
  if (bad !== undefined) {
    const flag = { repeats: 'repeats', inProcessMessages: 'in-process', flatOutMessages: 'flat-out', fixedRate: 'rate', fixedRateMessages: 'at-rate', rules: 'rules', markets: 'markets' }[bad[0]];
    fail(`--${flag} must be a whole number (at least 1, or 2 for message counts, 0 allowed for --rate and --rules); \`npm run bench -- --help\` lists the options`);
    return 2;
  }
  opts = { ...base, ...(picked as Record<keyof typeof picked, number>), skipLoopback: values['no-loopback'], progress: (line) => process.stderr.write(`  ${line}\n`) };
  write = !values['no-write'];
  return 0;
}

let opts: IngestOptions = DEFAULT_INGEST_OPTIONS;
let write = true;
const code = main();
if (code !== 0) process.exit(code);
if (process.env.NODE_ENV !== 'production') process.stderr.write('note: NODE_ENV is not production; `npm run bench` sets it\n');

let result;
try {
  result = await runIngest(opts);
} catch (error) {
  // A measurement that missed its deadline or a frame the path refused: no figure is better than a wrong one.
  fail(`the ingest benchmark stopped: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const m = result.machine;
console.log(`ingest: ${opts.markets} markets, ${opts.repeats} repeats, node ${m.node}, ${m.nproc} cores (${m.cpuModel}), NODE_ENV=${m.nodeEnv ?? '-'}`);
console.log(formatTable(ingestTable(result)));
if (write) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`ingest-${result.startedAt.replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${file.pathname}`);
}
process.exit(0);
