import { Text } from 'ink';
import { memo } from 'react';
import type { TableColumns } from './layout.js';
import type { RowLine } from './screen-view.js';
import { headerText, moreText } from './table-text.js';
import type { Theme } from './theme.js';

export interface TickerTableProps {
  /** The rows on screen, each one finished string (screen-view.ts); the same object while unchanged. */
  lines: readonly RowLine[];
  cols: TableColumns;
  /** Width of the terminal, for the "+N more" line. */
  columns: number;
  showHeader: boolean;
  /** Markets left out for lack of rows; shown as "+N more" when showMore. */
  hiddenRows: number;
  showMore: boolean;
  theme: Theme;
}

/**
 * The market table: one `<Text>` per line holding one string, its colour runs built in, so Ink
 * has one text node per row to squash and no nested runs to colour on every frame.
 */
export const TickerTable = memo(function TickerTable({ lines, cols, columns, showHeader, hiddenRows, showMore, theme }: TickerTableProps) {
  return (
    <>
      {showHeader && (
        <Text wrap="truncate-end" bold={theme.attributes}>
          {headerText(cols)}
        </Text>
      )}
      {lines.map((line) => (
        <TickerRow key={line.key} line={line} />
      ))}
      {showMore && <Text wrap="truncate-end">{moreText(hiddenRows, columns)}</Text>}
    </>
  );
});

/** Memoised: a row whose text did not change keeps its object (screen-view.ts) and is passed by. */
const TickerRow = memo(function TickerRow({ line }: { line: RowLine }) {
  return (
    <Text wrap="truncate-end" dimColor={line.dim}>
      {line.text}
    </Text>
  );
});
