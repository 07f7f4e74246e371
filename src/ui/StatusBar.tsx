import { Text } from 'ink';
import type { MarketSnapshot } from '../trading/market-store.js';
import { truncate } from './format.js';
import { statusText } from './status-text.js';
import { connectionColor, type Theme } from './theme.js';

export interface StatusBarProps {
  snapshot: MarketSnapshot;
  columns: number;
  showNotice: boolean;
  theme: Theme;
}

/** Connection state, throughput and freshness on one line; the notice, if any, below it. */
export function StatusBar({ snapshot, columns, showNotice, theme }: StatusBarProps) {
  const { lead, connection, rest } = statusText(snapshot);
  const color = connectionColor(theme, snapshot.connection);
  return (
    <>
      <Text wrap="truncate-end">
        {lead !== '' && (theme.attributes ? <Text bold>{lead}</Text> : lead)}
        {color === undefined ? connection : <Text color={color}>{connection}</Text>}
        {rest}
      </Text>
      {showNotice && snapshot.notice !== null && (
        <Text wrap="truncate-end" color={theme.warn}>
          {truncate(snapshot.notice, columns)}
        </Text>
      )}
    </>
  );
}
