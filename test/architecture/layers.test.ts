/**
 * The direction of dependencies (docs/architecture.md#layers), checked on
 * every import under src/ (static, `export … from` and `import()`, type-only ones too):
 *
 *   cli → app → ui / trading → exchange → upbit → runtime
 *
 * and the simulator (sim/) beside them: it speaks the protocol (imports upbit/, runtime/) and
 * is started by the composition roots (app/, cli/), but knows nothing of ui/, app/, cli/ or
 * trading/. `exchange` is Upbit's exchange as pure logic (rules, validation, matching,
 * accounts, the wire renderings of its records): the simulator serves it, the paper venue
 * trades on it and the UI may estimate with it, so it imports only upbit/ and runtime/.
 * `runtime` imports only `node:*`.
 *
 * KNOWN lists today's exceptions, each with the reason it is still there. The list can only
 * shrink: an exception that is no longer needed fails the test until it is removed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const LAYERS = ['runtime', 'upbit', 'exchange', 'trading', 'ui', 'sim', 'app', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/** What each layer must never import. */
const FORBIDDEN: Readonly<Record<Layer, readonly Layer[]>> = {
  runtime: ['upbit', 'exchange', 'trading', 'ui', 'sim', 'app', 'cli'],
  upbit: ['exchange', 'trading', 'ui', 'sim', 'app', 'cli'],
  // Pure logic: no server, no session, no screen; what it serves or trades on comes in as a MarketView.
  exchange: ['trading', 'ui', 'sim', 'app', 'cli'],
  trading: ['ui', 'sim', 'app', 'cli'],
  // The UI gets exchange logic (a slippage estimate) from exchange/, as paper trading does, not from sim/.
  ui: ['sim', 'app', 'cli'],
  sim: ['trading', 'ui', 'app', 'cli'],
  app: ['cli'],
  cli: [],
};

/** `from-file → to-layer-path` (relative to src/, without extension) that is allowed for now. */
const KNOWN: ReadonlyArray<readonly [from: string, to: string, why: string]> = [
  // The runtime's SQLite opener (WAL, busy timeout, integrity) wraps the one native package.
  ['runtime/sqlite.ts', 'better-sqlite3', 'the SQLite driver'],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

interface Edge {
  from: string;
  /** src-relative module path without extension (`..` first when outside src/), or a package / `node:x`. */
  to: string;
  /** A package or a `node:` module rather than a file. */
  external?: boolean;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sources(SRC)) {
    const from = path.relative(SRC, file).split(path.sep).join('/');
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!spec.startsWith('.')) {
        out.push({ from, to: spec, external: true });
        continue;
      }
      const to = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.(js|jsx|ts|tsx)$/, '');
      out.push({ from, to });
    }
  }
  return out;
}

function layerOf(p: string): Layer | undefined {
  const top = p.split('/')[0];
  return LAYERS.find((l) => l === top);
}

/** Why an edge breaks the direction, or undefined when it does not. */
function violation(e: Edge): string | undefined {
  const from = layerOf(e.from);
  if (from === undefined) return `${e.from} is in no layer (${LAYERS.join(', ')})`;
  if (e.external === true) return from === 'runtime' && !e.to.startsWith('node:') ? `runtime imports a package (${e.to}); runtime imports only node:*` : undefined;
  const to = layerOf(e.to);
  if (to === undefined) return `${e.to} is outside the layers of src/`;
  if (FORBIDDEN[from].includes(to)) return `${from}/ must not import ${to}/`;
  return undefined;
}

describe('dependency direction', () => {
  const all = edges();

  it('finds the imports it checks (the scan itself works)', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all).toContainEqual({ from: 'cli/main.ts', to: 'app/tui' });
    expect(all).toContainEqual({ from: 'runtime/sqlite.ts', to: 'better-sqlite3', external: true });
  });

  it('has no import against the direction, beyond the known exceptions', () => {
    const known = new Set(KNOWN.map(([f, t]) => `${f} → ${t}`));
    const bad = all.map((e) => ({ e, why: violation(e) })).filter((v) => v.why !== undefined && !known.has(`${v.e.from} → ${v.e.to}`));
    expect(bad.map(({ e, why }) => `${e.from} → ${e.to}: ${why}`)).toEqual([]);
  });

  it('lists only exceptions that are still there (the list can only shrink)', () => {
    const stale = KNOWN.filter(([f, t]) => !all.some((e) => e.from === f && e.to === t && violation(e) !== undefined));
    expect(stale.map(([f, t]) => `${f} → ${t}`)).toEqual([]);
  });

  it('flags the imports it is meant to flag', () => {
    expect(violation({ from: 'app/trading-context.ts', to: 'cli/sim-state' })).toMatch(/app\/ must not import cli\//);
    expect(violation({ from: 'upbit/rest/client.ts', to: 'trading/money' })).toBeDefined();
    expect(violation({ from: 'sim/engine.ts', to: 'trading/money' })).toBeDefined();
    expect(violation({ from: 'ui/App.tsx', to: 'app/tui' })).toBeDefined();
    expect(violation({ from: 'runtime/kernel.ts', to: 'pino', external: true })).toBeDefined();
    expect(violation({ from: 'runtime/kernel.ts', to: 'node:events', external: true })).toBeUndefined();
    expect(violation({ from: 'upbit/rest/client.ts', to: 'undici', external: true })).toBeUndefined();
    expect(violation({ from: 'ui/theme.ts', to: '../test/helpers/pty' })).toBeDefined();
    expect(violation({ from: 'sim/engine.ts', to: 'upbit/types' })).toBeUndefined();
    expect(violation({ from: 'cli/main.ts', to: 'app/tui' })).toBeUndefined();
    expect(violation({ from: 'trading/paper/paper-venue.ts', to: 'sim/exchange/index' })).toMatch(/trading\/ must not import sim\//);
    expect(violation({ from: 'trading/paper/paper-venue.ts', to: 'exchange/index' })).toBeUndefined();
    expect(violation({ from: 'sim/rest/mount.ts', to: 'exchange/engine' })).toBeUndefined();
    expect(violation({ from: 'ui/App.tsx', to: 'exchange/matching' })).toBeUndefined();
    expect(violation({ from: 'exchange/engine.ts', to: 'sim/price-grid' })).toMatch(/exchange\/ must not import sim\//);
    expect(violation({ from: 'exchange/engine.ts', to: 'trading/money' })).toBeDefined();
    expect(violation({ from: 'upbit/tick-size.ts', to: 'exchange/rules' })).toBeDefined();
  });
});
