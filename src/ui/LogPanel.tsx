import { memo, useMemo, useSyncExternalStore } from 'react';
import type { ExternalStore } from '../trading/session/index.js';
import { logLines, type LogSnapshot } from './log-text.js';
import { PaneLines } from './PaneLines.js';
import type { Theme } from './theme.js';

export interface LogPanelProps {
  /** The audit trail (src/app/audit-log.ts's `AuditLog`). */
  log: ExternalStore<LogSnapshot>;
  width: number;
  height: number;
  /** Entries scrolled past at the bottom: 0 follows the newest. */
  offset: number;
  theme: Theme;
}

/** This run's audit trail, newest at the bottom, one `<Text>` per line. */
export const LogPanel = memo(function LogPanel({ log, width, height, offset, theme }: LogPanelProps) {
  const snapshot = useSyncExternalStore(log.subscribe, log.getSnapshot);
  const { lines } = useMemo(() => logLines(snapshot, { width, height, offset, theme }), [snapshot, width, height, offset, theme]);
  return <PaneLines lines={lines} />;
});
