/**
 * The colour precedence on the real command line (README, "What you see"): the built binary
 * in a pseudo-terminal, each run's raw output searched for SGR colour codes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, exitCodeOf, runInPty } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
/** A price in a market row (not the status bar's KRW figures, which look alike). */
const PRICE = /^.{0,3}[A-Z0-9]+\/KRW\b.*?\d{1,3}(,\d{3})+/m;
/** Foreground and background colours (16, 256 and true colour) and dim. */
const COLOUR_PARAMS = new Set(['2', '30', '31', '32', '33', '34', '35', '36', '37', '38', '40', '41', '42', '43', '44', '45', '46', '47', '48', '90', '91', '92', '93', '94', '95', '96', '97', '100', '101', '102', '103', '104', '105', '106', '107']);
/** The colour variables the runner's own environment might carry: each run sets what it tests. */
const CLEAN = { NO_COLOR: undefined, FORCE_COLOR: undefined };

/** Every SGR parameter that sets a colour or dim, in the order written. */
function colourCodes(raw: string): string[] {
  const codes: string[] = [];
  // eslint-disable-next-line no-control-regex -- SGR sequences start with ESC
  for (const m of raw.matchAll(/\x1b\[([\d;]*)m/g)) for (const p of (m[1] ?? '').split(';')) if (COLOUR_PARAMS.has(p)) codes.push(p);
  return codes;
}

/** Runs `upbit-tui --sim ARGS` until a frame with prices (live status), then quits with q. */
async function framesOf(args: string[], env: Record<string, string | undefined>, term?: string): Promise<string> {
  // The pty sets TERM to its own name; another TERM is given to the program alone.
  const command = term === undefined ? undefined : `TERM=${term} node ${BIN} --sim ${args.join(' ')}`;
  const run = runInPty(['--sim', ...args], { env: { ...CLEAN, ...env }, command });
  await waitFor(
    async () => {
      const text = (await run.screen()).join('\n');
      return text.includes('BTC') && text.includes('live') && PRICE.test(text);
    },
    'a live frame with prices',
    8000,
  ).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${(await run.screen()).join('\n')}`);
  });
  run.write('q');
  expect(await exitCodeOf(run)).toBe(0);
  const out = run.output();
  return out.slice(0, out.indexOf('EXIT='));
}

describe('colour precedence of the built binary', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });

  it('--colors global paints in green (live) and no Korean blue; an empty NO_COLOR changes nothing', async () => {
    for (const env of [{}, { NO_COLOR: '' }]) {
      const codes = colourCodes(await framesOf(['--colors', 'global'], env));
      expect(codes, JSON.stringify(env)).toContain('32');
      expect(codes, JSON.stringify(env)).not.toContain('94');
    }
  });

  it('NO_COLOR=1 beats --colors global, and so does --no-color: no colour escape at all', async () => {
    expect(colourCodes(await framesOf(['--colors', 'global'], { NO_COLOR: '1' }))).toEqual([]);
    expect(colourCodes(await framesOf(['--colors', 'global', '--no-color'], {}))).toEqual([]);
  });

  it('FORCE_COLOR=1 beats NO_COLOR but not --no-color; FORCE_COLOR=0 turns colour off', async () => {
    expect(colourCodes(await framesOf(['--colors', 'global'], { NO_COLOR: '1', FORCE_COLOR: '1' }))).toContain('32');
    expect(colourCodes(await framesOf(['--no-color'], { FORCE_COLOR: '1' }))).toEqual([]);
    expect(colourCodes(await framesOf(['--colors', 'global'], { FORCE_COLOR: '0' }))).toEqual([]);
  });

  it('TERM=dumb has no colour whether or not --colors is typed (chalk alone would colour when it sees --colors)', async () => {
    expect(colourCodes(await framesOf([], {}, 'dumb'))).toEqual([]);
    expect(colourCodes(await framesOf(['--colors', 'korean'], {}, 'dumb'))).toEqual([]);
  });
});
