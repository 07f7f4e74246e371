import { Text } from 'ink';
import { memo } from 'react';
import type { MarketSnapshot } from '../trading/market-store.js';
import type { PriceSource } from './AccountSummary.js';
import { truncate } from './format.js';
import { statusText, type StatusRun } from './status-text.js';
import { connectionColor, toneColor, type Theme } from './theme.js';
import type { TradingSource } from './trading-source.js';
import { TradingAccount, TradingBadge, useLinkText } from './TradingStatus.js';

/** Their props are stable: the bar's own re-renders (every ticker flush) pass them by. */
const MemoTradingBadge = memo(TradingBadge);
const MemoTradingAccount = memo(TradingAccount);

export interface StatusBarProps {
  snapshot: MarketSnapshot;
  columns: number;
  showNotice: boolean;
  /** Loop-lag p99 above this is highlighted (yellow; red above twice it). */
  lagWarnMs: number;
  theme: Theme;
  /**
   * The trading session (mode badge, account summary) and the ticker store it prices the
   * account at. Both stable. @default none: no trading part on the line
   */
  trading?: { source: TradingSource; prices: PriceSource };
}

/**
 * Connection state, throughput and freshness on one line; the notice, if any, below it. The
 * line is cut at its end on a narrow terminal, so it goes most important first: the mode (LIVE
 * is never cut, not even by the shutdown notice after it), the quotation state, a private stream or order budget that needs attention, the age and why
 * the link is down, the account, the private stream and budget when they are fine, throughput.
 */
export function StatusBar({ snapshot, columns, showNotice, lagWarnMs, theme, trading }: StatusBarProps) {
  // Without colour (`none`), urgency is marked in the text instead.
  const markers = theme.warn === undefined;
  const { lead, connection, rest, tail } = statusText(snapshot, { lagWarnMs, markers, split: trading !== undefined });
  const links = useLinkText(trading?.source, snapshot.publishedAt, markers);
  const color = connectionColor(theme, snapshot.connection, snapshot.silent);
  return (
    <>
      <Text wrap="truncate-end">
        {trading !== undefined && <MemoTradingBadge trading={trading.source} theme={theme} />}
        {lead !== '' && (theme.attributes ? <Text bold>{lead}</Text> : lead)}
        {color === undefined ? connection : <Text color={color}>{connection}</Text>}
        <Runs runs={links.urgent} theme={theme} />
        <Runs runs={rest} theme={theme} />
        {trading !== undefined && <MemoTradingAccount trading={trading.source} prices={trading.prices} />}
        <Runs runs={links.calm} theme={theme} />
        <Runs runs={tail} theme={theme} />
      </Text>
      {showNotice && snapshot.notice !== null && (
        <Text wrap="truncate-end" color={theme.warn}>
          {truncate(snapshot.notice, columns)}
        </Text>
      )}
    </>
  );
}

function Runs({ runs, theme }: { runs: readonly StatusRun[]; theme: Theme }) {
  return runs.map((run, i) => {
    const runColor = toneColor(theme, run.tone);
    return runColor === undefined ? (
      run.text
    ) : (
      <Text key={i} color={runColor}>
        {run.text}
      </Text>
    );
  });
}
