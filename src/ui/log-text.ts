/**
 * The log pane as pre-built lines (./pane-lines.ts): this run's audit trail, newest at the
 * bottom as in a log, each entry on one line cut to the width. The entry types are the UI's
 * own (as ./trading-source.ts's are); src/app/audit-log.ts fills a store of them. Pure, so
 * widths, colours and scrolling are tested without rendering.
 */
import { marketLabel } from './format.js';
import { cellsLine, oneLine, textLine, type PaneLine } from './pane-lines.js';
import { clockText } from './panel-text.js';
import type { Theme } from './theme.js';

/** `rule`: the monitor's rules (armed, triggered, ordered, filled, failed, disarmed, waiting). */
export type LogKind = 'order' | 'fill' | 'refusal' | 'cancel' | 'connection' | 'notice' | 'error' | 'rule';

export interface LogEntry {
  /** ms */
  at: number;
  kind: LogKind;
  market?: string;
  /** One sentence for a person. */
  text: string;
  /** A few fields for a program reading the file (uuids, amounts as decimal strings). */
  data?: Readonly<Record<string, unknown>>;
}

export interface LogSnapshot {
  version: number;
  /** Oldest first. */
  entries: readonly LogEntry[];
  /** The file the entries are appended to, or null once writing to it stopped. */
  file: string | null;
}

export function logKindColor(theme: Theme, kind: LogKind): string | undefined {
  switch (kind) {
    case 'refusal':
    case 'error':
      return theme.bad;
    case 'fill':
      return theme.good;
    case 'connection':
    case 'rule':
      return theme.warn;
    default:
      return undefined;
  }
}

export interface LogView {
  width: number;
  height: number;
  /** Entries scrolled past at the bottom: 0 follows the newest; clamped. */
  offset: number;
  theme: Theme;
}

export interface LogLines {
  lines: readonly PaneLine[];
  /** The offset as drawn (clamped), for the App to keep. */
  offset: number;
}

const TIME = 8;
/** `connection`, the longest kind. */
const KIND = 10;
const MARKET = 9;

function entryLine(e: LogEntry, index: number, width: number, theme: Theme): PaneLine {
  const cells = [
    { text: clockText(e.at), width: TIME },
    { text: e.kind, width: KIND, color: logKindColor(theme, e.kind) },
    { text: e.market === undefined ? '' : marketLabel(e.market), width: MARKET },
    { text: oneLine(e.text), width: Math.max(1, width - TIME - KIND - MARKET - 6) },
  ];
  return { key: `entry-${index}`, runs: cellsLine(cells, width), inverse: false, bold: false };
}

/**
 * The pane: a title, then the entries that fit, newest at the bottom, `offset` entries up from
 * the newest; a line says how many are above and below the window. Every line exactly `width`
 * cells, at most `height` lines.
 */
export function logLines(snapshot: LogSnapshot, view: LogView): LogLines {
  const { width, height, theme } = view;
  const entries = snapshot.entries;
  const count = entries.length;
  if (height <= 0) return { lines: [], offset: 0 };
  const where = snapshot.file === null ? 'not written to a file (see the error)' : `also in ${snapshot.file}`;
  const lines: PaneLine[] = [textLine('title', `LOG ${count} · ${where}`, width, { bold: theme.attributes })];
  const rows = height - 1;
  if (rows <= 0) return { lines, offset: 0 };
  if (count === 0) {
    lines.push(textLine('none', 'nothing yet', width));
    return { lines, offset: 0 };
  }
  if (count <= rows) {
    entries.forEach((e, i) => lines.push(entryLine(e, i, width, theme)));
    return { lines, offset: 0 };
  }
  // Scrolled up at most until the oldest entry is at the top of a full window (its "↓ newer" line included).
  const maxOffset = Math.max(0, count - Math.max(1, rows - 1));
  const offset = Math.min(Math.max(0, Math.trunc(view.offset)), maxOffset);
  const end = count - offset;
  let avail = rows - (offset > 0 ? 1 : 0);
  let start = Math.max(0, end - avail);
  if (start > 0) {
    avail -= 1;
    start = Math.max(0, end - avail);
  }
  if (start > 0) lines.push(textLine('earlier', `↑ ${start} earlier`, width));
  for (let i = start; i < end; i++) {
    const e = entries[i];
    if (e !== undefined) lines.push(entryLine(e, i, width, theme));
  }
  if (offset > 0) lines.push(textLine('newer', `↓ ${offset} newer`, width));
  return { lines: lines.slice(0, height), offset };
}
