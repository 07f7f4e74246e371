/**
 * The key lists of `--help` and the README come from the bindings table (src/ui/keymap.ts)
 * that the input handlers and the footer use: every key, in every mode, in both.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { keysMarkdownTable, withKeysTable } from '../../src/cli/key-help.js';
import { buildProgram } from '../../src/cli/main.js';
import { GLOBAL_KEYS, keyReference, MODE_KEYS } from '../../src/ui/keymap.js';

const README = new URL('../../README.md', import.meta.url);
const allBindings = [...GLOBAL_KEYS, ...Object.values(MODE_KEYS).flat()];

function helpText(): string {
  let out = '';
  const program = buildProgram({ HOME: '/home/u' });
  program.configureOutput({ writeOut: (s) => (out += s) });
  program.outputHelp();
  return out;
}

describe('the key reference', () => {
  it('has every binding of every mode, once', () => {
    expect(keyReference().flatMap((e) => e.keys)).toEqual(allBindings.map((b) => b.keys));
    expect(allBindings.map((b) => b.keys)).toEqual(expect.arrayContaining(['q', 'ctrl+c', 't', 'esc']));
  });

  it('is what --help lists under Keys, mode keys with where they work', () => {
    const keys = /\nKeys \(in the TUI\):\n((?: {2}.*\n)+)/.exec(helpText())?.[1] ?? '';
    expect(keys.trimEnd().split('\n')).toEqual([
      '  q         quit (exit code 0)',
      '  ctrl+c    quit (exit code 130; press again to force an immediate exit)',
      '  t         on the market table: tasks (the running tasks)',
      '  t, esc    on the task list: close (back to the market table)',
    ]);
  });

  it('is the README\'s key table (npx tsx scripts/update-readme-keys.ts rewrites it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(keysMarkdownTable());
    expect(withKeysTable(readme)).toBe(readme);
    for (const b of allBindings) expect(readme).toContain(`\`${b.keys}\``);
  });
});
