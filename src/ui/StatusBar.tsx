import { Text } from 'ink';
import type { MarketSnapshot } from '../trading/market-store.js';
import { truncate } from './format.js';
import { statusText } from './status-text.js';
import { connectionColor, toneColor, type Theme } from './theme.js';

export interface StatusBarProps {
  snapshot: MarketSnapshot;
  columns: number;
  showNotice: boolean;
  /** Loop-lag p99 above this is highlighted (yellow; red above twice it). */
  lagWarnMs: number;
  theme: Theme;
}

/** Connection state, throughput and freshness on one line; the notice, if any, below it. */
export function StatusBar({ snapshot, columns, showNotice, lagWarnMs, theme }: StatusBarProps) {
  // Without colour (`none`), urgency is marked in the text instead.
  const { lead, connection, rest } = statusText(snapshot, { lagWarnMs, markers: theme.warn === undefined });
  const color = connectionColor(theme, snapshot.connection, snapshot.silent);
  return (
    <>
      <Text wrap="truncate-end">
        {lead !== '' && (theme.attributes ? <Text bold>{lead}</Text> : lead)}
        {color === undefined ? connection : <Text color={color}>{connection}</Text>}
        {rest.map((run, i) => {
          const runColor = toneColor(theme, run.tone);
          return runColor === undefined ? (
            run.text
          ) : (
            <Text key={i} color={runColor}>
              {run.text}
            </Text>
          );
        })}
      </Text>
      {showNotice && snapshot.notice !== null && (
        <Text wrap="truncate-end" color={theme.warn}>
          {truncate(snapshot.notice, columns)}
        </Text>
      )}
    </>
  );
}
