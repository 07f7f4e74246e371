/**
 * One owner of lifetime (docs/architecture.md#one-owner-of-lifetime, #one-composition-root): the process's
 * signals are listened to by the kernel alone (src/runtime/), every kernel is built by the one
 * composition root (src/app/root.ts), and the TUI, the CLI commands and a headless run all go
 * through it. A second `process.once('SIGINT', …)` or `new Kernel(…)` in a front end is a
 * second shutdown path, with its own exit code and no deadline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** Every source file, src-relative with `/`, and its code printed without comments (a comment may name the pattern). */
function files(): Array<{ rel: string; code: string }> {
  const printer = ts.createPrinter({ removeComments: true });
  return sources(SRC).map((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    return { rel: path.relative(SRC, file).split(path.sep).join('/'), code: printer.printFile(source) };
  });
}

/** Listening to the process's signals or crashes, in any spelling: `process.once(`, `process.on('SIG…'`, `.addListener('SIGTERM'`. */
const SIGNAL_LISTENER = /\bprocess\.once\(|\bprocess\.(?:on|addListener|prependListener|prependOnceListener)\(\s*['"`](?:SIG|uncaughtException|unhandledRejection)|\.(?:on|once|addListener)\(\s*['"`]SIG(?:INT|TERM|HUP|QUIT|BREAK)['"`]/;

/** Whether `code` imports `target` (src-relative, no extension) from `rel`. */
function imports(rel: string, code: string, target: string): boolean {
  return ts.preProcessFile(code, true, true).importedFiles.some(({ fileName: spec }) => {
    if (!spec.startsWith('.')) return false;
    const to = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)).replace(/\.(js|ts|tsx)$/, '');
    return to === target;
  });
}

describe('one owner of lifetime', () => {
  const all = files();

  it('scans the real tree, and its scan sees a signal handler in code', () => {
    expect(all.length).toBeGreaterThan(50);
    expect(SIGNAL_LISTENER.test("process.once('SIGINT', stop)")).toBe(true);
    expect(SIGNAL_LISTENER.test("process.on('SIGTERM', stop)")).toBe(true);
    expect(SIGNAL_LISTENER.test("proc.on('SIGHUP', onSighup)")).toBe(true);
    expect(SIGNAL_LISTENER.test("process.stdout.on('error', onError)")).toBe(false);
  });

  it('no code outside src/runtime/ listens to process signals or uncaught errors (process.once, process.on(\'SIG…\'))', () => {
    const offenders = all.filter((f) => !f.rel.startsWith('runtime/') && SIGNAL_LISTENER.test(f.code)).map((f) => f.rel);
    expect(offenders, 'route it through the kernel: openRoot (src/app/root.ts) attaches the process').toEqual([]);
  });

  it('every kernel is built by the one composition root, src/app/root.ts, which alone attaches the process', () => {
    const building = all.filter((f) => /\bnew Kernel\(/.test(f.code)).map((f) => f.rel);
    expect(building).toEqual(['app/root.ts']);
    const attaching = all.filter((f) => !f.rel.startsWith('runtime/') && /\.attachProcess\(/.test(f.code)).map((f) => f.rel);
    expect(attaching).toEqual(['app/root.ts']);
  });

  it('the TUI, the CLI command runner and every CLI command that runs go through it', () => {
    const code = (rel: string): string => {
      const file = all.find((f) => f.rel === rel);
      if (file === undefined) throw new Error(`${rel} is gone: point this test at the new front end`);
      return file.code;
    };
    // The front ends build their kernel with openRoot…
    for (const rel of ['app/tui.ts', 'cli/command-runner.ts']) {
      expect(imports(rel, code(rel), 'app/root'), `${rel} imports app/root`).toBe(true);
      expect(/\bopenRoot\(/.test(code(rel)), `${rel} calls openRoot`).toBe(true);
    }
    // …and each CLI command that runs (trading, sim) is a kernel of the command runner.
    for (const rel of ['cli/trade-commands.ts', 'cli/sim-command.ts']) {
      expect(imports(rel, code(rel), 'cli/command-runner'), `${rel} imports cli/command-runner`).toBe(true);
      expect(/\brunCommand\(/.test(code(rel)), `${rel} calls runCommand`).toBe(true);
    }
    // A headless run (the monitor to come) has its entry point there too.
    expect(/["']headless["']/.test(code('app/root.ts'))).toBe(true);
  });

  it('the trading context has no release list of its own: it acquires on the kernel it is given', () => {
    const context = code('app/trading-context.ts');
    expect(/\bkernel\.acquire\(/.test(context)).toBe(true);
    expect(/\breleases?\s*[:=]\s*(?:new\s+\w+|\[)|\.splice\(0\)\.reverse\(\)|releaseAll/.test(context)).toBe(false);

    function code(rel: string): string {
      return all.find((f) => f.rel === rel)?.code ?? '';
    }
  });
});
