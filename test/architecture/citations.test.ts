/**
 * Comments cite what a reader of the repository can open: Upbit's documentation URLs, or a
 * file under docs/ (docs/upbit-protocol.md, docs/architecture.md, …), never notes that live
 * outside the repository (the project workspace's protocol notes, research notes or style
 * guide, and a bare section number, which cites one of them without saying so). And a cited
 * docs/ file exists, with a heading for every `#anchor` cited in it, so a link never rots
 * when a section is renamed.
 *
 * Issue references (`issue 7 §3`) are allowed: the issue tracker is the project's own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCANNED_DIRS = ['src', 'test', 'bench', 'scripts', 'docs'];
const TEXT = /\.(?:ts|tsx|js|mjs|cjs|md|sh|json|ya?ml|txt)$/;

/**
 * Names of files outside the repository, spelled in pieces so this file does not match itself.
 * Each is what an old comment wrote to cite them.
 */
const OUTSIDE: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: new RegExp(['shared', '/'].join('')), what: 'the workspace folder of notes' },
  { pattern: new RegExp(['upbit-api', '\\.md'].join('')), what: 'the workspace protocol notes' },
  { pattern: new RegExp(['perf', '-reliability'].join('')), what: 'the workspace research notes' },
  { pattern: new RegExp(['STYLE', '\\.md'].join('')), what: 'the workspace style guide' },
  { pattern: new RegExp(['house', '\\s+style'].join(''), 'i'), what: 'the workspace style guide' },
  // A section sign with a number cites a numbered document; only issues are numbered that way here.
  { pattern: /(?<!\bissue \d+ )\u00a7\s*\d/, what: 'a bare section number (cite a docs/ anchor or a URL)' },
];

/** `docs/<file>.md`, optionally `#anchor`, and more anchors of the same file as `, #other`. */
const DOCS_CITATION = /(?<![\w/.-])docs\/([\w./-]+?\.md)((?:#[\w-]+)(?:,\s*#[\w-]+)*)?/g;
/** A relative Markdown link inside docs/: `[text](other.md#anchor)` or `[text](#anchor)`. */
const DOCS_LINK = /\]\((?!https?:)([\w./-]*?\.md)?(#[\w-]+)?\)/g;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'results' ? [] : walk(full);
    return TEXT.test(e.name) ? [full] : [];
  });
}

function scannedFiles(): Array<{ rel: string; text: string }> {
  const files = [...SCANNED_DIRS.flatMap((d) => walk(path.join(ROOT, d))), path.join(ROOT, 'README.md')];
  return files.map((file) => ({ rel: path.relative(ROOT, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));
}

/** The anchors GitHub gives a Markdown file's headings (lower case, punctuation dropped, spaces to `-`, repeats numbered). */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading?.[1] === undefined) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

describe('citations', () => {
  const files = scannedFiles();

  it('scans the source, tests, benchmarks, scripts, docs and README', () => {
    const rels = files.map((f) => f.rel);
    expect(rels).toContain('README.md');
    expect(rels).toContain('src/runtime/kernel.ts');
    expect(rels).toContain('docs/upbit-protocol.md');
    expect(rels.some((r) => r.startsWith('bench/'))).toBe(true);
    expect(rels.some((r) => r.startsWith('scripts/'))).toBe(true);
  });

  it('nothing cites a file outside the repository', () => {
    const offenders: string[] = [];
    for (const { rel, text } of files) {
      text.split('\n').forEach((line, i) => {
        for (const { pattern, what } of OUTSIDE) if (pattern.test(line)) offenders.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the check catches each way of citing outside the repository, and lets issue references be', () => {
    const cites = (line: string): boolean => OUTSIDE.some(({ pattern }) => pattern.test(line));
    for (const line of [
      ['(shar', 'ed/upbit-', 'api.md \u00a73.2)'].join(''),
      ['(upbit-', 'api.md \u00a73.4)'].join(''),
      ['(research perf', '-reliability \u00a71.4)'].join(''),
      ['(STY', 'LE.md, principle 5)'].join(''),
      ['(Hou', 'se Style, principle 8)'].join(''),
      '(\u00a72.6)',
      'see issue 7 and \u00a73.4',
    ])
      expect(cites(line), line).toBe(true);
    for (const line of ['(issue 7 \u00a73)', '(issue 4 \u00a74; docs/upbit-protocol.md#order-identifier)', 'https://docs.upbit.com/kr/reference/auth'])
      expect(cites(line), line).toBe(false);
  });

  it('every docs/ file cited exists, with a heading for every anchor cited in it', () => {
    const anchorsOf = new Map<string, Set<string> | null>();
    const anchors = (rel: string): Set<string> | null => {
      if (!anchorsOf.has(rel)) {
        const file = path.join(ROOT, rel);
        anchorsOf.set(rel, existsSync(file) ? headingAnchors(readFileSync(file, 'utf8')) : null);
      }
      return anchorsOf.get(rel) ?? null;
    };
    const problems: string[] = [];
    const check = (where: string, target: string, cited: string | undefined): void => {
      const known = anchors(target);
      if (known === null) {
        problems.push(`${where}: ${target} does not exist`);
        return;
      }
      for (const anchor of cited?.match(/#[\w-]+/g) ?? []) if (!known.has(anchor.slice(1))) problems.push(`${where}: ${target} has no heading for ${anchor}`);
    };
    let citations = 0;
    for (const { rel, text } of files) {
      for (const m of text.matchAll(DOCS_CITATION)) {
        citations++;
        check(`${rel}:${lineOf(text, m.index)}`, `docs/${m[1]}`, m[2]);
      }
      if (!rel.startsWith('docs/')) continue;
      for (const m of text.matchAll(DOCS_LINK)) {
        if (m[1] === undefined && m[2] === undefined) continue;
        citations++;
        const target = m[1] === undefined ? rel : path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1]));
        check(`${rel}:${lineOf(text, m.index)}`, target, m[2]);
      }
    }
    expect(citations).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('anchors are computed as GitHub computes them', () => {
    const anchors = headingAnchors('# Title\n## Rate-limit groups\n```\n## not a heading\n```\n### `myOrder`\n## Notes\n## Notes\n');
    expect([...anchors]).toEqual(['title', 'rate-limit-groups', 'myorder', 'notes', 'notes-1']);
  });
});
