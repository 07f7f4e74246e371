import { Box, Text } from 'ink';
import { useMemo, useSyncExternalStore } from 'react';
import type { SliceSource } from '../trading/feed/slice.js';
import type { MarketCode } from '../upbit/types.js';
import { fitLeft, lineText, type Line } from './panel-text.js';
import type { Theme } from './theme.js';

/** What a panel's pure text function is given besides its data. */
export interface DrawOptions {
  market: MarketCode;
  width: number;
  /** Rows below the title line (all of them when it is left out). */
  rows: number;
  theme: Theme;
}

export interface SlicePanelProps<V> {
  market: MarketCode;
  source: SliceSource<V>;
  /** The panel's lines from a snapshot, or null while it has nothing to show. Keep it stable (module level). */
  draw: (data: V, opts: DrawOptions) => Line[] | null;
  title: string;
  /** Draw the title line; shown anyway while waiting for data. @default true */
  titleRow?: boolean;
  width: number;
  /** Rows, the title included. */
  height: number;
  theme: Theme;
}

/** What a panel shows before its slice has data. */
export const WAITING = 'waiting for data…';

/**
 * A focused-market panel: one market's slice read with `useSyncExternalStore` (the snapshot is
 * the same object until that market's data is published again, docs/market-feed.md, so the
 * panel re-renders only for its own slice), its lines drawn once per snapshot, and each line one
 * `<Text>` holding one finished string, which Ink draws cheapest
 * (docs/terminal-rendering.md#cost-per-frame).
 */
export function SlicePanel<V>({ market, source, draw, title, titleRow = true, width, height, theme }: SlicePanelProps<V>) {
  const data = useSyncExternalStore(source.subscribe, source.getSnapshot);
  const rows = titleRow ? height - 1 : height;
  const lines = useMemo(() => {
    const drawn = data === undefined ? null : draw(data, { market, width, rows, theme });
    return drawn === null ? null : drawn.map(lineText);
  }, [data, draw, market, width, rows, theme]);
  if (height <= 0) return null;
  const waiting = lines === null;
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {(titleRow || waiting) && <Text bold={theme.attributes}>{fitLeft(title, width)}</Text>}
      {waiting
        ? height > 1 && <Text dimColor={theme.attributes}>{fitLeft(WAITING, width)}</Text>
        : lines.map((line, i) => <Text key={i}>{line}</Text>)}
    </Box>
  );
}
