// Rewrites the README's key table from the bindings table (src/ui/keymap.ts):
//   npx tsx scripts/update-readme-keys.ts
// test/cli/readme-keys.test.ts fails while the README's table differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { withKeysTable } from '../src/cli/key-help.js';

const file = new URL('../README.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = withKeysTable(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? 'README.md key table is up to date\n' : 'README.md key table updated\n');
