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
  /** The market ↑/↓ have selected (Enter focuses it, b/s trade it). @default none */
  selected?: string | undefined;
}

/**
 * The market table: one `<Text>` per line holding one string, its colour runs built in, so Ink
 * has one text node per row to squash and no nested runs to colour on every frame.
 */
export const TickerTable = memo(function TickerTable({ lines, cols, columns, showHeader, hiddenRows, showMore, theme, selected }: TickerTableProps) {
  return (
    <>
      {showHeader && (
        <Text wrap="truncate-end" bold={theme.attributes}>
          {headerText(cols)}
        </Text>
      )}
      {lines.map((line) => (
        <TickerRow key={line.key} line={line} selected={line.key === selected} inverse={theme.attributes} markAt={cols.market} />
      ))}
      {showMore && <Text wrap="truncate-end">{moreText(hiddenRows, columns)}</Text>}
    </>
  );
});

/**
 * `text` with the selection marker for when no attributes may be used (`--colors none`): in
 * the first cell of the gap after the market column (`at`, its width), always a space there
 * (layout.ts), so the row keeps its width and its columns.
 */
export function markedText(text: string, at: number): string {
  return text.charAt(at) === ' ' ? `${text.slice(0, at)}<${text.slice(at + 1)}` : text;
}

/**
 * Memoised: a row whose text did not change keeps its object (screen-view.ts) and is passed by.
 * The selected row is drawn inverse, or marked with `<` where attributes are off.
 */
const TickerRow = memo(function TickerRow({ line, selected, inverse, markAt }: { line: RowLine; selected: boolean; inverse: boolean; markAt: number }) {
  return (
    <Text wrap="truncate-end" dimColor={line.dim} inverse={selected && inverse}>
      {selected && !inverse ? markedText(line.text, markAt) : line.text}
    </Text>
  );
});
