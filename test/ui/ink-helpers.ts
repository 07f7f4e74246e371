import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { cleanup } from 'ink-testing-library';
import { afterEach } from 'vitest';
import { withObservableColour } from './chalk-level.js';

// Deliberately ESC-based: a frame must carry no styling at all in `none` mode.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Visible lines of a frame (ANSI removed). */
export function frameLines(frame: string): string[] {
  return stripAnsi(frame).split('\n');
}

/**
 * Poll `check` on every event-loop turn until it returns something truthy, or fail after
 * `timeoutMs` of wall time. Uses setImmediate and performance.now, which the vitest config
 * leaves real, so it works with fake timers too.
 */
export async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await nextTurn();
  }
}

/** The last frame once it satisfies `predicate`. */
export function frameWhere(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, what: string): Promise<string> {
  return until(() => {
    const f = lastFrame();
    return f !== undefined && predicate(f) ? f : undefined;
  }, what);
}

/**
 * For a test file that reads colours from frames: chalk at level 1 (the 16 colours the themes
 * use) for each test, the level before restored and mounted apps cleaned up after it.
 */
export function colourFramesPerTest(): void {
  withObservableColour();
  afterEach(() => cleanup());
}
