import { readFileSync } from 'node:fs';

/**
 * Ink 6.8.0's incremental renderer rewinds one row too few when a frame ends in a newline
 * (vadimdemedes/ink#909, fixed upstream in 7.0.0 by commit c32da0b; Ink 7 needs Node 22, so
 * we stay on 6.8). Every frame after the first then lands one row low and leaves a ghost
 * row. This repo backports the one-line fix with patch-package (patches/ink+6.8.0.patch,
 * applied on `npm install`). An install without the patch — e.g. the package installed as a
 * dependency, where our postinstall cannot reach Ink — falls back to Ink's full-frame
 * renderer, which is correct but writes more bytes per frame.
 */
export function inkIncrementalRenderingIsSafe(): boolean {
  try {
    const logUpdate = new URL('./log-update.js', import.meta.resolve('ink'));
    return readFileSync(logUpdate, 'utf8').includes('ansiEscapes.cursorUp(previousLines.length - 1)');
  } catch {
    return false;
  }
}
