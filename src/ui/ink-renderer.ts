import { readFileSync } from 'node:fs';

/**
 * Ink 6.8.0's incremental renderer rewinds one row too few when a frame ends in a newline
 * (vadimdemedes/ink#909, fixed upstream in 7.0.0 by commit c32da0b; Ink 7 needs Node 22, so
 * we stay on 6.8). Every frame after the first then lands one row low and leaves a ghost
 * row. This repo backports the one-line fix with patch-package (patches/ink+6.8.0.patch,
 * applied by `npm install`'s prepare step in a clone). Without the fix the UI falls back to
 * Ink's full-frame renderer, which is correct but writes more bytes per frame.
 */
export function inkIncrementalRenderingIsSafe(): boolean {
  // The bundle the bin runs carries its own copy of Ink, checked when it was built
  // (scripts/bundle.mjs); an installed package has no node_modules/ink to look at.
  if (typeof UPBIT_TUI_BUNDLED_INK_FIXED === 'boolean') return UPBIT_TUI_BUNDLED_INK_FIXED;
  return installedInkHasFix();
}

/** Replaced by scripts/bundle.mjs with whether the Ink it bundled has the fix; absent when run from source. */
declare const UPBIT_TUI_BUNDLED_INK_FIXED: boolean | undefined;

/** Whether the Ink that `import 'ink'` loads from node_modules has the fix. */
export function installedInkHasFix(): boolean {
  try {
    const logUpdate = new URL('./log-update.js', import.meta.resolve('ink'));
    return readFileSync(logUpdate, 'utf8').includes('ansiEscapes.cursorUp(previousLines.length - 1)');
  } catch {
    return false;
  }
}
