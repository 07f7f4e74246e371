// esbuild plugin: inside a bundle, Ink and its helpers measure and tokenize text with our fast
// paths instead of the general ones, whose grapheme segmentation (Intl.Segmenter) and emoji
// RegExps on every non-ASCII line were ~55 % of the TUI's busy time (issue 9):
//   string-width (Ink's Output, widest-line, cli-truncate) -> src/ui/text-width.ts
//   @alcalzone/ansi-tokenize (Ink's Output)                 -> src/ui/ansi-tokenize-fast.ts
// Each returns exactly what the package returns (test/ui/text-width.test.ts,
// test/ui/ansi-tokenize-fast.test.ts, and frame for frame test/ui/fast-text-frames.test.ts)
// and calls the package itself for what it has no fast path for. Only imports that resolve
// to the top-level copy (the version our modules are checked against) are redirected:
// wrap-ansi keeps its own string-width 7.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const local = (file) => realpathSync(fileURLToPath(new URL(file, import.meta.url)));
const installed = (name) => realpathSync(fileURLToPath(import.meta.resolve(name)));

const SUBSTITUTES = new Map([
  ['string-width', { real: installed('string-width'), fast: local('../src/ui/text-width.ts') }],
  ['@alcalzone/ansi-tokenize', { real: installed('@alcalzone/ansi-tokenize'), fast: local('../src/ui/ansi-tokenize-fast.ts') }],
]);
const OURS = new Set([...SUBSTITUTES.values()].map((s) => s.fast));

/**
 * @param {{ redirected?: Set<string> }} [options] each redirected import is added to
 *   `redirected` as "importer -> package", for the build's check and the bench's report
 */
export function fastTextPlugin({ redirected = new Set() } = {}) {
  return {
    name: 'upbit-tui-fast-text',
    setup(build) {
      build.onResolve({ filter: /^(string-width|@alcalzone\/ansi-tokenize)$/ }, async (args) => {
        if (args.pluginData === 'real' || OURS.has(args.importer)) return undefined;
        const { real, fast } = SUBSTITUTES.get(args.path);
        const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'real' });
        if (found.errors.length > 0 || realpathSync(found.path) !== real) return undefined;
        redirected.add(`${args.importer} -> ${args.path}`);
        return { path: fast };
      });
    },
  };
}
