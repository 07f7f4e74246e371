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

/**
 * Whether the installed Ink bounds its module-level text caches (`measureText`, `wrapText`).
 * Ink 6.8 keeps every distinct line it ever measured, for good
 * (https://github.com/vadimdemedes/ink/issues/986; bounded upstream in Ink 7 by
 * https://github.com/vadimdemedes/ink/pull/987); patches/ink+6.8.0.patch backports an LRU.
 * scripts/bundle.mjs refuses to build without it.
 */
export function installedInkHasBoundedTextCaches(): boolean {
  try {
    const read = (file: string) => readFileSync(new URL(file, import.meta.resolve('ink')), 'utf8');
    return read('./measure-text.js').includes("from './bounded-cache.js'") && read('./wrap-text.js').includes("from './bounded-cache.js'");
  } catch {
    return false;
  }
}

/**
 * Whether the installed Ink's Output.get builds plain rows without its cell grid
 * (patches/ink+6.8.0.patch, node_modules/ink/build/output-rows.js; issue 9: the grid was
 * about a third of a frame's cost). scripts/bundle.mjs refuses to build without it.
 */
export function installedInkBuildsRowsWithoutGrid(): boolean {
  try {
    const read = (file: string) => readFileSync(new URL(file, import.meta.resolve('ink')), 'utf8');
    return read('./output.js').includes("from './output-rows.js'") && read('./output-rows.js').includes('export const rowsWithoutGrid');
  } catch {
    return false;
  }
}
