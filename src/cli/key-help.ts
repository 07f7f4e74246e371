/**
 * The TUI's keys as `--help` and the README list them, both generated from the bindings table
 * the input handlers and the footer use (src/ui/keymap.ts), so no list can miss a key.
 */
import { keyReference, type KeyReferenceEntry } from '../ui/keymap.js';

function does(e: KeyReferenceEntry): string {
  const what = e.note === undefined ? e.description : `${e.description}: ${e.note}`;
  return e.place === undefined ? what : `${what} (on ${e.place})`;
}

/** The Keys section of `upbit-tui --help`. */
export function keysHelp(): string {
  const rows = keyReference().map((e) => [e.keys.join(', '), does(e)] as const);
  const width = Math.max(8, ...rows.map(([keys]) => keys.length)) + 2;
  return ['Keys (in the TUI):', ...rows.map(([keys, text]) => `  ${keys.padEnd(width)}${text}`)].join('\n');
}

/** The README's key table (markdown). */
export function keysMarkdownTable(): string {
  const rows = keyReference().map((e) => `| ${e.keys.map((k) => `\`${k}\``).join(', ')} | ${does(e)} |`);
  return ['| key | does |', '| --- | --- |', ...rows].join('\n');
}

export const README_KEYS_START = '<!-- keys: generated from src/ui/keymap.ts by `npx tsx scripts/update-readme-keys.ts`; test/cli/readme-keys.test.ts checks it -->';
export const README_KEYS_END = '<!-- /keys -->';

/** `readme` with the table between the markers replaced by the current one. */
export function withKeysTable(readme: string): string {
  const start = readme.indexOf(README_KEYS_START);
  const end = readme.indexOf(README_KEYS_END);
  if (start < 0 || end < start) throw new Error(`README.md has no "${README_KEYS_START}" … "${README_KEYS_END}" block for the key table.`);
  return `${readme.slice(0, start + README_KEYS_START.length)}\n${keysMarkdownTable()}\n${readme.slice(end)}`;
}
