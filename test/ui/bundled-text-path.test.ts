/**
 * What the published package runs is the bundle (package.json "files"): it must carry Ink's
 * bounded text caches (patches/ink+6.8.0.patch, ink#986) and measure and tokenize through
 * the fast text path (scripts/fast-text-plugin.mjs). Reads dist/bundle/upbit-tui.mjs, module
 * by module (esbuild heads each with a `// path` comment).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pty.js';

const BUNDLE = path.join(ROOT, 'dist', 'bundle', 'upbit-tui.mjs');

function modules(): Map<string, string> {
  if (!existsSync(BUNDLE)) throw new Error('dist/bundle is missing: run "npm run build" first (npm test does).');
  const text = readFileSync(BUNDLE, 'utf8');
  const found = new Map<string, string>();
  const heads = [...text.matchAll(/^\/\/ (\S+\.(?:js|mjs|ts|tsx))$/gm)];
  heads.forEach((m, i) => {
    const name = m[1]!.replace(/^.*node_modules\//, '');
    found.set(name, text.slice(m.index + m[0].length, heads[i + 1]?.index ?? text.length));
  });
  return found;
}

function body(all: Map<string, string>, name: string): string {
  const b = all.get(name);
  if (b === undefined) throw new Error(`${name} is not in the bundle`);
  return b;
}

describe('the bundle', () => {
  it("measures Ink's text with src/ui/text-width.ts and tokenizes its lines with src/ui/ansi-tokenize-fast.ts", () => {
    const all = modules();
    const width = /function (\w+)\(input, options\)/.exec(body(all, 'src/ui/text-width.ts'))?.[1];
    const tokenize = /function (\w+)\(str, endChar/.exec(body(all, 'src/ui/ansi-tokenize-fast.ts'))?.[1];
    expect(width).toBeDefined();
    expect(tokenize).toBeDefined();
    const output = body(all, 'ink/build/output.js');
    expect(output).toContain(`cached = ${width}(text)`);
    // esbuild may rename the local (`line2`) when a module of ours has a top-level `line`.
    expect(output).toMatch(new RegExp(`\\(${tokenize}\\(line\\d*\\)\\)`));
    expect(body(all, 'widest-line/index.js')).toContain(`Math.max(lineWidth, ${width}(line))`);
    expect(body(all, 'cli-truncate/index.js')).toContain(`${width}(text)`);
  });

  it("bounds Ink's measureText and wrapText caches (ink#986)", () => {
    const all = modules();
    const cache = /(\w+) = class \{/.exec(body(all, 'ink/build/bounded-cache.js'))?.[1];
    expect(cache).toBeDefined();
    expect(body(all, 'ink/build/measure-text.js')).toContain(`new ${cache}()`);
    expect(body(all, 'ink/build/wrap-text.js')).toContain(`new ${cache}()`);
  });

  it("builds Ink's plain rows without the cell grid, measured with src/ui/text-width.ts (patches/ink+6.8.0.patch)", () => {
    const all = modules();
    const width = /function (\w+)\(input, options\)/.exec(body(all, 'src/ui/text-width.ts'))?.[1];
    const rows = body(all, 'ink/build/output-rows.js');
    expect(rows).toContain(`const measured = ${width}(String.fromCharCode(code))`);
    const fn = /(rowsWithoutGrid\d*) = \(operations, width, height\) =>/.exec(rows)?.[1];
    expect(fn).toBeDefined();
    expect(body(all, 'ink/build/output.js')).toContain(`const rows = ${fn}(this.operations, this.width, this.height)`);
  });

  it("answers Ink's sanitizeAnsi without its tokenizer for SGR-only text (patches/ink+6.8.0.patch)", () => {
    expect(body(modules(), 'ink/build/sanitize-ansi.js')).toMatch(/if \(hasOnlySgrControls\(text\) \|\| !hasAnsiControlCharacters\d*\(text\)\)/);
  });
});
