/** The frames (indexes into bench/frame-cost/rows.ts `rowsFor`) every variant writes out for bench/frame-cost-node.ts to compare. */
export const CHECKED = [0, 1, 7, 33, 59] as const;
