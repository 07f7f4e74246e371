/**
 * What the screen shows of a market snapshot, selected so that a publish that changes nothing
 * visible returns the previous view itself (and so costs no React commit, no Ink frame:
 * docs/terminal-rendering.md#cost-per-frame). Pure; the selector keeps a small cache of the
 * rows it drew.
 *
 * - Only rows on screen are looked at: ticks of the markets behind "+N more" change nothing.
 * - A row is its finished text (colour runs included, table-text.ts): a tick that leaves the
 *   text as it was (same price, same sparkline, same value) keeps the row.
 * - Stale ages are counted against the snapshot time cut to whole seconds, so all stale rows
 *   tick over together, once a second, not each at its own moment of every flush.
 * - The status line and the tasks panel are slow panels: a change of the status numbers only
 *   (throughput, the age of the last tick, lag within the same tone) and the tasks' ages show
 *   at most once a second; a change of state, tone or notice shows at the next flush.
 */
import type { MarketFlags } from '../upbit/market-event.js';
import type { MarketCode } from '../upbit/types.js';
import type { MarketRow, MarketSnapshot } from '../trading/market-store.js';
import { planFrame, type FrameLayout, type TableColumns } from './layout.js';
import { statusText, type StatusOptions } from './status-text.js';
import { rowText, staleFor } from './table-text.js';
import { changeColor, connectionColor, paint, toneColor, type Theme } from './theme.js';
import type { Selector } from './use-store-selection.js';

/** A row as drawn: one string, its colour runs already in it, dim when stale. */
export interface RowLine {
  key: MarketCode;
  text: string;
  dim: boolean;
}

export interface ScreenView {
  plan: FrameLayout;
  /** The table rows on screen (none while the tasks panel is open). */
  lines: readonly RowLine[];
  /** The snapshot the status line shows: held back while only its numbers change (see above). */
  status: MarketSnapshot;
  /** "Now" for the tasks panel's ages while it is open (a slow part: once a second), else 0. */
  now: number;
}

export interface ScreenInput {
  /** Terminal rows. */
  rows: number;
  cols: TableColumns;
  theme: Theme;
  /**
   * What the body shows: the market table from row `offset` (scrolled to the selection), the
   * tasks panel with this many tasks, or another panel that sizes itself in {@link bodyRows}.
   */
  body: ScreenBody;
  status: StatusOptions;
  /** Korean names by market, shown when `cols.name` leaves room. @default none */
  names?: ReadonlyMap<MarketCode, string> | undefined;
  /**
   * Upbit's market alerts by market, a badge in the market cell (`flagsByMarket` in
   * src/upbit/market-list.ts; docs/upbit-protocol.md#market-alerts). @default none
   */
  flags?: ReadonlyMap<MarketCode, MarketFlags> | undefined;
}

export type ScreenBody = { kind: 'table'; offset: number } | { kind: 'tasks'; count: number } | { kind: 'panel' };

/** A panel's item count for the plan: more than any terminal has rows, so it gets them all. */
const FILL = 100_000;

/** Lines the plan leaves for the body (header, rows, "+N more"): what a panel may draw. */
export function bodyRows(plan: FrameLayout): number {
  return plan.visibleRows + (plan.showHeader ? 1 : 0) + (plan.showMore ? 1 : 0);
}

/** The first row to draw so that `selected` is on screen, moving as little as possible from `offset`. */
export function scrollTo(offset: number, selected: number, visible: number): number {
  if (visible <= 0) return 0;
  if (selected < offset) return selected;
  if (selected >= offset + visible) return selected - visible + 1;
  return offset;
}

const NO_LINES: readonly RowLine[] = [];

/** The slow parts of the screen (status line numbers, task ages) change at most this often. */
export const SLOW_MS = 1000;

/** The parts of the status line that must show at once: state, colour, tones, shutdown, notice. */
function statusUrgency(s: MarketSnapshot, theme: Theme, opts: StatusOptions): { urgent: string; text: string } {
  const t = statusText(s, opts);
  const runs = [...t.rest, ...t.tail];
  const urgent = [t.lead, t.connection, connectionColor(theme, s.connection, s.silent) ?? '', runs.map((r) => r.tone).join(','), s.notice ?? ''].join('\u0000');
  return { urgent, text: runs.map((r) => r.text).join('') };
}

function samePlan(a: FrameLayout, b: FrameLayout): boolean {
  return (
    a.showHeader === b.showHeader &&
    a.visibleRows === b.visibleRows &&
    a.hiddenRows === b.hiddenRows &&
    a.showMore === b.showMore &&
    a.showStatus === b.showStatus &&
    a.showNotice === b.showNotice &&
    a.showKeys === b.showKeys
  );
}

function sameLines(a: readonly RowLine[], b: readonly RowLine[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** The row's text, colour runs painted in (the same escapes as nested `<Text color>` runs). */
export function rowLine(row: MarketRow, cols: TableColumns, staleMs: number | null, theme: Theme, name = '', flags?: MarketFlags): RowLine {
  const { segments, change, stale } = rowText(row, cols, staleMs, name, flags);
  const color = changeColor(theme, change);
  let text = '';
  for (const s of segments) {
    const own = s.tone === undefined ? undefined : toneColor(theme, s.tone);
    const c = own ?? (s.tinted ? color : undefined);
    text += c !== undefined ? paint(s.text, c) : s.text;
  }
  return { key: row.market, text, dim: stale && theme.attributes };
}

/**
 * A selector for {@link useStoreSelection}, for one terminal size, mode and theme (a new input
 * makes a new selector, which starts its cache afresh).
 */
export function screenSelector(input: ScreenInput): Selector<MarketSnapshot, ScreenView> {
  let drawn = new Map<MarketCode, { row: MarketRow; staleMs: number | null; line: RowLine }>();
  let statusKey: { urgent: string; text: string } | null = null;
  /** When the slow parts were last brought up to date. */
  let slowAt = -Infinity;

  const lineFor = (row: MarketRow, staleMs: number | null, next: typeof drawn): RowLine => {
    const last = drawn.get(row.market);
    let line: RowLine;
    if (last !== undefined && last.row === row && last.staleMs === staleMs) line = last.line;
    else {
      const fresh = rowLine(row, input.cols, staleMs, input.theme, input.names?.get(row.market), input.flags?.get(row.market));
      line = last !== undefined && last.line.text === fresh.text && last.line.dim === fresh.dim ? last.line : fresh;
    }
    next.set(row.market, { row, staleMs, line });
    return line;
  };

  return (s, prev) => {
    const body = input.body;
    const itemCount = body.kind === 'table' ? s.markets.length : body.kind === 'tasks' ? body.count : FILL;
    const fullPlan = planFrame({ rows: input.rows, itemCount, hasNotice: s.notice !== null });
    const plan = prev !== null && samePlan(prev.plan, fullPlan) ? prev.plan : fullPlan;

    let lines: readonly RowLine[] = NO_LINES;
    if (body.kind === 'table') {
      // Whole seconds of the clock: every stale age ticks over at the same publish.
      const ageNow = Math.floor(s.publishedAt / 1000) * 1000;
      const next: typeof drawn = new Map();
      const out: RowLine[] = [];
      for (let i = 0; i < plan.visibleRows; i += 1) {
        const row = s.rows.get(s.markets[body.offset + i] ?? '');
        if (row !== undefined) out.push(lineFor(row, staleFor(row, ageNow), next));
      }
      drawn = next;
      lines = prev !== null && sameLines(prev.lines, out) ? prev.lines : out;
    }

    // The slow parts (the status line's numbers, the tasks' ages) move together, once a second.
    const slowDue = s.publishedAt - slowAt >= SLOW_MS || s.publishedAt < slowAt;
    if (slowDue) slowAt = s.publishedAt;
    let status = s;
    const key = statusUrgency(s, input.theme, input.status);
    // Held while nothing urgent changed and either the text is the same or a second has not passed.
    if (prev !== null && statusKey !== null && key.urgent === statusKey.urgent && (key.text === statusKey.text || !slowDue)) status = prev.status;
    if (status === s) statusKey = key;

    const now = body.kind !== 'tasks' ? 0 : prev === null || slowDue ? s.publishedAt : prev.now;
    if (prev !== null && prev.plan === plan && prev.lines === lines && prev.status === status && prev.now === now) return prev;
    return { plan, lines, status, now };
  };
}
