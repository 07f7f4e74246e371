/**
 * The key lists of `--help` and the README come from the bindings table (src/ui/keymap.ts)
 * that the input handlers and the footer use: every key, in every mode, in both.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { keysMarkdownTable, withKeysTable } from '../../src/cli/key-help.js';
import { buildProgram } from '../../src/cli/main.js';
import { BINDINGS, keyReference } from '../../src/ui/keymap.js';

const README = new URL('../../README.md', import.meta.url);

function helpText(): string {
  let out = '';
  const program = buildProgram({ HOME: '/home/u' });
  program.configureOutput({ writeOut: (s) => (out += s) });
  program.outputHelp();
  return out;
}

describe('the key reference', () => {
  it('has every binding of the table, once, in its order', () => {
    expect(keyReference().flatMap((e) => e.keys)).toEqual(BINDINGS.flatMap((b) => b.keys));
    expect(BINDINGS.flatMap((b) => b.keys)).toEqual(expect.arrayContaining(['/', 'enter', 'd', 'b', 's', 'o', 'c', 'C', 'p', 'l', 't', '?', 'esc', 'q', 'ctrl+c']));
  });

  it('is what --help lists under Keys, mode keys with where they work', () => {
    const keys = /\nKeys \(in the TUI\):\n((?: {2}.*\n)+)/.exec(helpText())?.[1] ?? '';
    expect(keys.trimEnd().split('\n')).toEqual([
      '  /         search: every KRW market by code, Korean or English name; Enter adds it to the watchlist',
      '  up, k     move: the selection up (on the watchlist, orders, the log, the task list, the portfolio)',
      '  down, j   move: the selection down (on the watchlist, orders, the log, the task list, the portfolio)',
      '  enter     focus: order book, trades and chart of the selected market (on the watchlist)',
      '  d         remove: the selected market; asks first when it has open orders (on the watchlist)',
      '  b         buy: order ticket for the selected market (on the watchlist, a focused market)',
      '  s         sell: order ticket for the selected market (on the watchlist, a focused market)',
      '  o         orders: open orders and recent fills',
      '  c         cancel: the selected order; asks y/n (on orders)',
      '  C         cancel all mine: every open order this app placed; asks y/n (on orders)',
      '  p         portfolio',
      "  l         log: this run's orders, fills, refusals and notices",
      '  t         tasks: the running tasks',
      '  ?         help: every key that works where you are',
      '  esc       back: one level; never quits',
      '  q         quit: exit code 0; asks first while an order is being sent',
      '  ctrl+c    quit: exit code 130; new orders stop at once; with open orders of this app, asks to leave (Enter, default after 5 s) or cancel (c) them; press again to force an immediate exit',
    ]);
  });

  it('is the README\'s key table (npx tsx scripts/update-readme-keys.ts rewrites it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(keysMarkdownTable());
    expect(withKeysTable(readme)).toBe(readme);
    for (const k of BINDINGS.flatMap((b) => b.keys)) expect(readme).toContain(`\`${k}\``);
  });
});
