/**
 * Is a row as one `<Text>` holding a prebuilt string (colour escapes in it) cheaper for Ink
 * than the same row as nested coloured `<Text>` runs, or the whole table as one? Renders 35 rows like the ticker table's
 * (three coloured runs and a block sparkline each), every row changing at every frame, through
 * Ink's debug mode into a sink, the two shapes interleaved in slices, CPU time per frame.
 *
 *   NODE_ENV=production npx tsx bench/ui-text-shape.ts [--frames 300] [--slices 6]
 */
import { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import chalk from 'chalk';
import { Box, Text, render } from 'ink';
import { createElement as h, useSyncExternalStore, type ReactNode } from 'react';

chalk.level = 1;
const ROWS = 35;
const BLOCKS = '▁▂▃▄▅▆▇█';

class Sink extends EventEmitter {
  readonly isTTY = true;
  columns = 120;
  rows = 40;
  write(_s: string, cb?: () => void): boolean {
    cb?.();
    return true;
  }
}
class Stdin extends EventEmitter {
  readonly isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

interface Row {
  label: string;
  price: string;
  change: string;
  pct: string;
  value: string;
  spark: string;
}

function rows(frame: number): Row[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const p = 50_000_000 + i * 1_000_000 + (frame % 97) * 1000;
    let spark = '';
    for (let k = 0; k < 58; k += 1) spark += BLOCKS[(k * 7 + frame + i) % 8];
    return {
      label: `M${String(i).padStart(3, '0')}/KRW`.padEnd(10),
      price: p.toLocaleString('en-US').padStart(14),
      change: `+${((frame % 97) * 1000).toLocaleString('en-US')}`.padStart(12),
      pct: `+${(frame % 100) / 100}%`.padStart(8),
      value: '412.3B'.padStart(8),
      spark,
    };
  });
}

let current = rows(0);
const listeners = new Set<() => void>();
const store = {
  subscribe: (l: () => void) => (listeners.add(l), () => void listeners.delete(l)),
  get: () => current,
};

function Nested(): ReactNode {
  const rs = useSyncExternalStore(store.subscribe, store.get);
  return h(
    Box,
    { flexDirection: 'column' },
    rs.map((r) => h(Text, { key: r.label, wrap: 'truncate-end' }, r.label, '  ', h(Text, { color: 'red' }, `${r.price}  ${r.change}  ${r.pct}`), `  ${r.value}  `, h(Text, { color: 'red' }, r.spark))),
  );
}

function Flat(): ReactNode {
  const rs = useSyncExternalStore(store.subscribe, store.get);
  return h(
    Box,
    { flexDirection: 'column' },
    rs.map((r) => h(Text, { key: r.label, wrap: 'truncate-end' }, `${r.label}  ${chalk.red(`${r.price}  ${r.change}  ${r.pct}`)}  ${r.value}  ${chalk.red(r.spark)}`)),
  );
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function Block(): ReactNode {
  const rs = useSyncExternalStore(store.subscribe, store.get);
  return h(Box, { flexDirection: 'column' }, h(Text, { wrap: 'truncate-end' }, rs.map((r) => `${r.label}  ${chalk.red(`${r.price}  ${r.change}  ${r.pct}`)}  ${r.value}  ${chalk.red(r.spark)}`).join('\n')));
}

async function measure(component: () => ReactNode, frames: number, start: number): Promise<number> {
  const instance = render(h(component), { stdout: new Sink() as unknown as NodeJS.WriteStream, stdin: new Stdin() as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false });
  // The store subscription is made in a passive effect, and React renders an update in a
  // microtask: a turn before the first frame and after each.
  await turn();
  if (listeners.size === 0) throw new Error('the component did not subscribe');
  let renders = 0;
  const cpu0 = process.cpuUsage();
  for (let f = 0; f < frames; f += 1) {
    current = rows(start + f);
    for (const l of listeners) l();
    await turn();
    renders += 1;
  }
  const cpu = process.cpuUsage(cpu0);
  instance.unmount();
  if (renders !== frames) throw new Error('frames lost');
  return (cpu.user + cpu.system) / 1000 / frames;
}

const { values } = parseArgs({ options: { frames: { type: 'string', default: '300' }, slices: { type: 'string', default: '6' } } });
const frames = Number(values.frames);
const out: Record<string, number[]> = { nested: [], flat: [], block: [] };
let start = 0;
for (let s = 0; s < Number(values.slices); s += 1) {
  for (const [name, c] of [
    ['nested', Nested],
    ['flat', Flat],
    ['block', Block],
  ] as const) {
    out[name]?.push(await measure(c, frames, (start += frames)));
  }
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const nested = med(out['nested'] ?? []);
const flat = med(out['flat'] ?? []);
const block = med(out['block'] ?? []);
process.stdout.write(`CPU ms per frame, median of ${values.slices} slices of ${frames} frames, ${ROWS} rows all changing:\n  nested runs ${nested.toFixed(2)}\n  one string  ${flat.toFixed(2)}  (${(flat / nested).toFixed(2)}x)\n  one <Text> for all rows ${block.toFixed(2)}  (${(block / nested).toFixed(2)}x)\n`);
