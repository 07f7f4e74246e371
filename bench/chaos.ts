// Benchmark + check: the order chaos loop of test/trading/chaos.test.ts (shared code:
// test/fixtures/trading/chaos-run.ts) at research scale. N placements through the OrderService
// against the embedded exchange with the private stream up, ~45 % of the POST /v1/orders hit by
// a seeded one-shot fault (drop before/after commit, reset, 5xx, 429, latency past the deadline),
// then settlement, reconcile and the journal/exchange audit. It proves that at this scale there
// are 0 duplicate orders, 0 untracked orders and nothing left pending/unknown (exit code 1
// otherwise), and reports the fault mix, outcomes, elapsed time and place() latency p50/p99.
// Run: npx tsx bench/chaos.ts [--placements 1000] [--seed 20261122] [--fault-rate 0.45]
import { parseArgs } from 'node:util';

import { runChaos } from '../test/fixtures/trading/chaos-run.js';

const { values } = parseArgs({
  options: { placements: { type: 'string', default: '1000' }, seed: { type: 'string', default: '20261122' }, 'fault-rate': { type: 'string', default: '0.45' } },
});
const placements = Number(values.placements);
const seed = Number(values.seed);
const faultRate = Number(values['fault-rate']);
if (!Number.isInteger(placements) || placements < 1 || !Number.isInteger(seed) || !(faultRate >= 0 && faultRate <= 1)) {
  console.error('usage: npx tsx bench/chaos.ts [--placements N>=1] [--seed INT] [--fault-rate 0..1]');
  process.exit(2);
}

const step = Math.max(1, Math.round(placements / 10));
const r = await runChaos({
  placements,
  faultRate,
  seed,
  settleTimeoutMs: 60_000,
  onProgress: (done, total) => {
    if (done % step === 0 || done === total) process.stderr.write(`  ${done}/${total}\n`);
  },
});

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const pct = (n: number): string => `${((100 * n) / placements).toFixed(1)} %`;
const rows: Array<[string, string]> = [
  ['placements', `${placements} (seed ${seed}, fault rate ${faultRate})`],
  ['faulted', `${r.faulted} (${pct(r.faulted)})`],
  ...Object.entries(r.faultsByKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]): [string, string] => [`  ${k}`, `${n}${k === 'latency 30ms' ? ' (delay only, not a fault)' : ''}`]),
  ['outcomes', ''],
  ...Object.entries(r.outcomes).map(([k, n]): [string, string] => [`  ${k}`, `${n} (${pct(n)})`]),
  ['unknown resolved as', Object.keys(r.unknownResolvedAs).length === 0 ? '-' : JSON.stringify(r.unknownResolvedAs)],
  ['exchange orders', String(r.exchangeOrders)],
  ['journal intents / attempts', `${r.journalIntents} / ${r.journalAttempts}`],
  ['duplicates', String(r.duplicates)],
  ['untracked', String(r.untracked)],
  ['unresolved (pending/unknown)', String(r.unresolved)],
  ['mismatched', String(r.mismatched)],
  ['stray one-shot faults', String(r.strayFaults)],
  ['settled', `${r.settled} (${ms(r.settleMs)})`],
  ['elapsed', `${(r.elapsedMs / 1000).toFixed(1)} s`],
  ['place() latency, all', `p50 ${ms(r.latency.all.p50)}, p99 ${ms(r.latency.all.p99)}, max ${ms(r.latency.all.max)} (n=${r.latency.all.n})`],
  ['place() latency, clean', `p50 ${ms(r.latency.clean.p50)}, p99 ${ms(r.latency.clean.p99)}, max ${ms(r.latency.clean.max)} (n=${r.latency.clean.n})`],
  ['place() latency, faulted', `p50 ${ms(r.latency.faulted.p50)}, p99 ${ms(r.latency.faulted.p99)}, max ${ms(r.latency.faulted.max)} (n=${r.latency.faulted.n})`],
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

const failures = [
  r.duplicates > 0 && `${r.duplicates} duplicate(s): ${JSON.stringify(r.audit.duplicates)}`,
  r.untracked > 0 && `${r.untracked} untracked: ${JSON.stringify(r.audit.untracked)}`,
  r.unresolved > 0 && `${r.unresolved} unresolved: ${JSON.stringify(r.audit.unresolved)}`,
  r.mismatched > 0 && `${r.mismatched} mismatched: ${JSON.stringify(r.audit.mismatched)}`,
  r.strayFaults > 0 && `${r.strayFaults} one-shot fault(s) not consumed by their own placement`,
  r.journalIntents !== placements && `journal has ${r.journalIntents} intents for ${placements} placements`,
].filter((f): f is string => typeof f === 'string');
if (failures.length > 0) {
  console.error(`FAIL\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('OK: 0 duplicates, 0 untracked, 0 unresolved');
process.exit(0);
