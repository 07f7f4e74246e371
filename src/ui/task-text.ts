/**
 * The tasks panel as pre-padded strings, like the ticker table (table-text.ts). Pure, so widths
 * and order are tested without rendering.
 */
import { formatDuration } from './format.js';
import { GAP } from './layout.js';
import { joinCells, type Segment } from './table-text.js';
import type { TaskRow, TaskRowState } from './task-source.js';

/** Column widths in cells; 0 means the column is hidden. */
export interface TaskColumns {
  name: number;
  owner: number;
  state: number;
  restarts: number;
  age: number;
  error: number;
}

const HEADINGS = { name: 'TASK', owner: 'OWNER', state: 'STATE', restarts: 'RESTARTS', age: 'AGE', error: 'LAST ERROR' } as const;
const NAME_MAX = 24;
const OWNER_MAX = 16;
/** `stopping`, the longest state. */
const STATE_WIDTH = 8;
/** formatDuration's widest: `9.9s`, `100h`. */
const AGE_WIDTH = 4;
/** Below this the error column is worth more than restarts, owner and age, dropped in that order. */
const ERROR_MIN = 20;
/** Owner of a top-level task (owned by the kernel itself). */
export const NO_OWNER = '-';

// eslint-disable-next-line no-control-regex -- control bytes are what must not reach the terminal
const NOT_ONE_LINE = /[\s\u0000-\u001F\u007F-\u009F]+/g;

/** A line break in an error would add a row the layout did not budget for; escapes would restyle it. */
function oneLine(text: string): string {
  return text.replace(NOT_ONE_LINE, ' ').trim();
}

function widest(texts: readonly string[], heading: string, max: number): number {
  return Math.min(max, texts.reduce((w, t) => Math.max(w, t.length), heading.length));
}

/**
 * Widths for a terminal `columns` wide: name and owner as wide as their longest entry (capped),
 * the last error gets the rest.
 */
export function taskColumns(tasks: readonly TaskRow[], columns: number): TaskColumns {
  const cols: TaskColumns = {
    name: widest(tasks.map((t) => oneLine(t.name)), HEADINGS.name, NAME_MAX),
    owner: widest(tasks.map((t) => oneLine(t.owner ?? NO_OWNER)), HEADINGS.owner, OWNER_MAX),
    state: STATE_WIDTH,
    restarts: HEADINGS.restarts.length,
    age: AGE_WIDTH,
    error: 0,
  };
  const rest = (): number => {
    const shown = [cols.name, cols.owner, cols.state, cols.restarts, cols.age].filter((w) => w > 0);
    return columns - shown.reduce((sum, w) => sum + w + GAP, 0);
  };
  for (const drop of ['restarts', 'owner', 'age'] as const) {
    if (rest() >= ERROR_MIN) break;
    cols[drop] = 0;
  }
  cols.error = Math.max(0, rest());
  return cols;
}

const STATE_RANK: Readonly<Record<TaskRowState, number>> = { failed: 0, stopping: 1, running: 2, done: 3 };

/** Trouble first: failed, stopping, running, then done; by id (start order) within each. */
export function orderTasks(tasks: readonly TaskRow[]): TaskRow[] {
  return [...tasks].sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || a.id - b.id);
}

export function taskHeaderText(cols: TaskColumns): string {
  return joinCells([
    { text: HEADINGS.name, width: cols.name, align: 'left', tinted: false },
    { text: HEADINGS.owner, width: cols.owner, align: 'left', tinted: false },
    { text: HEADINGS.state, width: cols.state, align: 'left', tinted: false },
    { text: HEADINGS.restarts, width: cols.restarts, align: 'right', tinted: false },
    { text: HEADINGS.age, width: cols.age, align: 'right', tinted: false },
    { text: HEADINGS.error, width: cols.error, align: 'left', tinted: false },
  ])
    .map((s) => s.text)
    .join('');
}

/** One task; the state cell is the `tinted` segment. `now` is on the tasks' clock. */
export function taskRowText(task: TaskRow, cols: TaskColumns, now: number): readonly Segment[] {
  return joinCells([
    { text: oneLine(task.name), width: cols.name, align: 'left', tinted: false },
    { text: oneLine(task.owner ?? NO_OWNER), width: cols.owner, align: 'left', tinted: false },
    { text: task.state, width: cols.state, align: 'left', tinted: true },
    { text: String(task.restarts), width: cols.restarts, align: 'right', tinted: false },
    { text: formatDuration(now - task.startedAt), width: cols.age, align: 'right', tinted: false },
    { text: oneLine(task.lastError ?? ''), width: cols.error, align: 'left', tinted: false },
  ]);
}
