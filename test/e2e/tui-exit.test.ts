/**
 * Exit paths of the real binary in a real pseudo-terminal (built dist/, --sim): the terminal
 * must be left exactly as it was — cursor shown, echo and canonical mode on, alternate screen
 * left — with the exit code of each path. `npm test` builds before running these.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, exitCodeOf, runInPty, sttyAfter, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait-for.js';
import path from 'node:path';

const built = existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
/** A price in a market row (not the status bar's KRW figures, which look alike). */
const PRICE = /^.{0,3}[A-Z0-9]+\/KRW\b.*?\d{1,3}(,\d{3})+/m;

async function waitForPrices(run: PtyRun): Promise<string[]> {
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await run.screen();
      const text = last.join('\n');
      return text.includes('BTC') && text.includes('ETH') && PRICE.test(text);
    },
    'a frame with KRW-BTC and KRW-ETH prices',
    8000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nscreen:\n${last.join('\n')}\nraw tail: ${JSON.stringify(run.output().slice(-400))}`);
  });
  return last;
}

function expectSaneTerminal(stty: string, raw: string): void {
  // Canonical mode and echo back on, output post-processing intact (no staircase).
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/);
  expect(stty).toMatch(/(^|\s)opost(\s|$)/);
  expect(stty).toMatch(/(^|\s)onlcr(\s|$)/);
  // Alternate screen left and cursor shown after the last frame.
  const before = raw.slice(0, raw.indexOf('EXIT='));
  expect(before.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(before.lastIndexOf('\x1b[?1049h'));
  expect(before.lastIndexOf('\x1b[?25h')).toBeGreaterThan(before.lastIndexOf('\x1b[?25l'));
}

describe('the built binary in a pseudo-terminal', () => {
  beforeAll(() => {
    if (!built) throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
  });

  it('shows both markets within a second or so and quits on q with exit 0, terminal restored', async () => {
    const run = runInPty(['--sim']);
    const screen = await waitForPrices(run);
    expect(screen.every((line) => line.length <= 80)).toBe(true);
    const quitAt = Date.now();
    run.write('q');
    expect(await exitCodeOf(run)).toBe(0);
    expect(Date.now() - quitAt).toBeLessThan(2000);
    expectSaneTerminal(await sttyAfter(run), run.output());
  });

  it('renders on a terminal even when CI=true is exported (Ink would withhold every frame)', async () => {
    const run = runInPty(['--sim'], { env: { CI: 'true', CONTINUOUS_INTEGRATION: '1' } });
    await waitForPrices(run);
    run.write('q');
    expect(await exitCodeOf(run)).toBe(0);
  });

  it('Ctrl+C exits with 130 within 2 s, terminal restored', async () => {
    const run = runInPty(['--sim']);
    await waitForPrices(run);
    const at = Date.now();
    run.write('\x03');
    expect(await exitCodeOf(run)).toBe(130);
    expect(Date.now() - at).toBeLessThan(2000);
    expectSaneTerminal(await sttyAfter(run), run.output());
  });

  it('Ctrl+C twice still exits 130 with the terminal restored', async () => {
    const run = runInPty(['--sim']);
    await waitForPrices(run);
    run.write('\x03\x03');
    expect(await exitCodeOf(run)).toBe(130);
    expectSaneTerminal(await sttyAfter(run), run.output());
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)('%s exits with %i, terminal restored', async (signal, code) => {
    const run = runInPty(['--sim']);
    await waitForPrices(run);
    process.kill(run.childPid(), signal);
    expect(await exitCodeOf(run)).toBe(code);
    expectSaneTerminal(await sttyAfter(run), run.output());
  });

  it('a bad market code fails before the UI starts, with a message saying what to type', async () => {
    const run = runInPty(['--sim', '--markets', 'KRW-BTC,btc_krw']);
    expect(await exitCodeOf(run)).not.toBe(0);
    const out = run.output();
    expect(out).toContain('btc_krw');
    expect(out).toMatch(/KRW-BTC/);
    expect(out).not.toContain('\x1b[?1049h');
  });

  it('an unknown market on the built-in exchange is named before the UI starts', async () => {
    const run = runInPty(['--sim', '--markets', 'KRW-NOPE']);
    expect(await exitCodeOf(run)).toBe(2);
    expect(run.output()).toMatch(/KRW-NOPE .*is not a market on the built-in exchange/);
    expectSaneTerminal(await sttyAfter(run), `\x1b[?1049h\x1b[?1049l\x1b[?25l\x1b[?25h${run.output()}`);
  });

  it('--help shows flags, keys and the log file path; --version prints the version', async () => {
    const help = runInPty(['--help'], { env: { XDG_STATE_HOME: '/tmp/xdg-state-probe' } });
    expect(await exitCodeOf(help)).toBe(0);
    expect(help.output()).toContain('--markets');
    expect(help.output()).toContain('/tmp/xdg-state-probe/upbit-tui/upbit-tui.log');
    const version = runInPty(['--version']);
    expect(await exitCodeOf(version)).toBe(0);
    expect(version.output()).toMatch(/\d+\.\d+\.\d+/);
  });

  it('keeps the frame inside a 60x12 terminal and a 120x40 one', async () => {
    for (const [cols, rows] of [
      [60, 12],
      [120, 40],
    ] as const) {
      const run = runInPty(['--sim'], { cols, rows });
      const screen = await waitForPrices(run);
      // The last row stays free: Ink 6 redraws the whole screen when a frame reaches it.
      expect(screen[rows - 1]?.trim()).toBe('');
      run.write('q');
      expect(await exitCodeOf(run)).toBe(0);
    }
  });
});

describe('an uncaught error in the running TUI', () => {
  it('restores the terminal first, then prints the error, and exits 1', async () => {
    const fixture = path.join(ROOT, 'test', 'fixtures', 'e2e', 'crash-tui.ts');
    // From source, Ink's own is-in-ci is loaded (the bundle replaces it): under CI=true it would
    // withhold every frame, so the fixture runs as on a developer's terminal.
    const run = runInPty([], { command: `node --import tsx ${fixture}`, env: { CI: '0', CONTINUOUS_INTEGRATION: '0' } });
    await waitForPrices(run);
    expect(await exitCodeOf(run, 8000)).toBe(1);
    const raw = run.output();
    const leftAltScreen = raw.lastIndexOf('\x1b[?1049l');
    const printed = raw.indexOf('boom from the crash fixture');
    expect(leftAltScreen).toBeGreaterThan(0);
    expect(printed).toBeGreaterThan(leftAltScreen);
    expectSaneTerminal(await sttyAfter(run), raw);
  });
});

describe('a component that throws while rendering', () => {
  it('shuts down through the kernel: terminal restored, then the error printed, exit 1', async () => {
    const fixture = path.join(ROOT, 'test', 'fixtures', 'e2e', 'render-error-tui.ts');
    // From source, as the crash fixture above (same reason for CI=0).
    const run = runInPty([], { command: `node --import tsx ${fixture}`, env: { CI: '0', CONTINUOUS_INTEGRATION: '0' } });
    await waitForPrices(run);
    expect(await exitCodeOf(run, 8000)).toBe(1);
    const raw = run.output();
    const leftAltScreen = raw.lastIndexOf('\x1b[?1049l');
    const printed = raw.indexOf('boom from a component while rendering');
    expect(leftAltScreen).toBeGreaterThan(0);
    expect(printed).toBeGreaterThan(leftAltScreen);
    expect(raw.slice(leftAltScreen)).toContain('This is a bug');
    expectSaneTerminal(await sttyAfter(run), raw);
  });

  it('also when it throws on the very first frame, while the TUI is still starting', async () => {
    const fixture = path.join(ROOT, 'test', 'fixtures', 'e2e', 'render-error-tui.ts');
    const run = runInPty([], { command: `node --import tsx ${fixture} first-frame`, env: { CI: '0', CONTINUOUS_INTEGRATION: '0' } });
    expect(await exitCodeOf(run, 8000)).toBe(1);
    const raw = run.output();
    expect(raw).toContain('\x1b[?1049h');
    const leftAltScreen = raw.lastIndexOf('\x1b[?1049l');
    const printed = raw.indexOf('boom from a component while rendering');
    expect(leftAltScreen).toBeGreaterThan(raw.lastIndexOf('\x1b[?1049h'));
    expect(printed).toBeGreaterThan(leftAltScreen);
    expectSaneTerminal(await sttyAfter(run), raw);
  });
});
