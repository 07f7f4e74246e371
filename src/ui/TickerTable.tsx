import { Text } from 'ink';
import { memo } from 'react';
import type { MarketRow } from '../trading/market-store.js';
import type { TableColumns } from './layout.js';
import { headerText, moreText, rowText, staleFor } from './table-text.js';
import { changeColor, type Theme } from './theme.js';

export interface TickerTableProps {
  rows: readonly MarketRow[];
  cols: TableColumns;
  /** Width of the terminal, for the "+N more" line. */
  columns: number;
  showHeader: boolean;
  /** Markets left out for lack of rows; shown as "+N more" when showMore. */
  hiddenRows: number;
  showMore: boolean;
  /** The snapshot's publish time, against which a stale row's age is shown. */
  now: number;
  theme: Theme;
}

/** The market table: one `<Text>` per line, coloured runs nested inside it. */
export function TickerTable({ rows, cols, columns, showHeader, hiddenRows, showMore, now, theme }: TickerTableProps) {
  return (
    <>
      {showHeader && (
        <Text wrap="truncate-end" bold={theme.attributes}>
          {headerText(cols)}
        </Text>
      )}
      {rows.map((row) => (
        <TickerRow key={row.market} row={row} cols={cols} staleMs={staleFor(row, now)} theme={theme} />
      ))}
      {showMore && <Text wrap="truncate-end">{moreText(hiddenRows, columns)}</Text>}
    </>
  );
}

interface TickerRowProps {
  row: MarketRow;
  cols: TableColumns;
  staleMs: number | null;
  theme: Theme;
}

/**
 * Memoised: the store keeps a row's object identity until that market ticks, so quiet rows
 * skip reconciliation (layout and output are whole-frame in Ink regardless).
 */
const TickerRow = memo(function TickerRow({ row, cols, staleMs, theme }: TickerRowProps) {
  const { segments, change, stale } = rowText(row, cols, staleMs);
  const color = changeColor(theme, change);
  return (
    <Text wrap="truncate-end" dimColor={stale && theme.attributes}>
      {segments.map((s, i) =>
        s.tinted && color !== undefined ? (
          <Text key={i} color={color}>
            {s.text}
          </Text>
        ) : (
          s.text
        ),
      )}
    </Text>
  );
});
