/**
 * Frame geometry from the terminal size. The frame is never taller than rows − 1: Ink's own
 * renderer (used off a terminal) clears the whole screen on every frame once the previous one
 * was as tall as the terminal (docs/terminal-rendering.md#frame-height), and on a terminal the screen
 * painter cuts what does not fit. With more rows than fit, the body shows a "+N more" line.
 */

/** Column widths in cells; 0 means the column is hidden. */
export interface TableColumns {
  market: number;
  /** The market's Korean name (`korean_name`), when known and the terminal is wide enough. */
  name: number;
  price: number;
  change: number;
  pct: number;
  value: number;
  spark: number;
}

export interface FrameLayout {
  showHeader: boolean;
  /** How many body rows are drawn; the rest are summarized by the "+N more" line. */
  visibleRows: number;
  hiddenRows: number;
  showMore: boolean;
  showStatus: boolean;
  showNotice: boolean;
  showKeys: boolean;
}

export interface FrameInput {
  rows: number;
  /** Rows of the body: markets, or tasks while the tasks panel is open. */
  itemCount: number;
  hasNotice: boolean;
}

/** Space between columns. */
export const GAP = 2;
const FIXED = { market: 10, price: 14, change: 12, pct: 8, value: 8 } as const;
const SPARK_MIN = 6;
const SPARK_MAX = 60;
/** Cells of the name column: seven Hangul syllables (two cells each), longer names are cut. */
export const NAME_WIDTH = 14;

/**
 * Widths for a terminal `columns` wide: the name (only `withNames`) goes first, then the
 * sparkline, then value, then change.
 */
export function tableColumns(columns: number, withNames = false): TableColumns {
  const { market, price, change, pct, value } = FIXED;
  const full = market + price + change + pct + value + 4 * GAP;
  if (withNames && columns >= full + 2 * GAP + NAME_WIDTH + SPARK_MIN) {
    return { market, name: NAME_WIDTH, price, change, pct, value, spark: Math.min(SPARK_MAX, columns - full - 2 * GAP - NAME_WIDTH) };
  }
  if (columns >= full + GAP + SPARK_MIN) {
    return { market, name: 0, price, change, pct, value, spark: Math.min(SPARK_MAX, columns - full - GAP) };
  }
  if (columns >= full) return { market, name: 0, price, change, pct, value, spark: 0 };
  if (columns >= full - value - GAP) return { market, name: 0, price, change, pct, value: 0, spark: 0 };
  return { market, name: 0, price, change: 0, pct, value: 0, spark: 0 };
}

/** Lines the layout will draw, for tests and for the rows − 1 invariant. */
export function frameHeight(l: FrameLayout): number {
  return [l.showHeader, l.showMore, l.showStatus, l.showNotice, l.showKeys].filter(Boolean).length + l.visibleRows;
}

/**
 * Which lines to draw. Most important first: status, then body rows (at least one, or the
 * "+N more" line), then the header, the key hint and the notice, dropped in reverse order
 * when the terminal is too short.
 */
export function planFrame({ rows, itemCount, hasNotice }: FrameInput): FrameLayout {
  const budget = Math.max(0, rows - 1);
  const showStatus = budget >= 1;
  let left = budget - (showStatus ? 1 : 0);
  // Reserve one line for the table (a row or "+N more") before optional chrome.
  const tableMin = itemCount > 0 ? 1 : 0;
  const take = (want: boolean): boolean => {
    if (!want || left - 1 < tableMin) return false;
    left -= 1;
    return true;
  };
  const showHeader = take(true);
  const showKeys = take(true);
  const showNotice = take(hasNotice);
  let visibleRows = Math.min(itemCount, left);
  let showMore = false;
  if (visibleRows < itemCount && left >= 1) {
    visibleRows = left - 1;
    showMore = true;
  }
  return {
    showHeader,
    visibleRows,
    hiddenRows: itemCount - visibleRows,
    showMore,
    showStatus,
    showNotice,
    showKeys,
  };
}
