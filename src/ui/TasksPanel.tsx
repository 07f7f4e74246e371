import { Text } from 'ink';
import { moreText } from './table-text.js';
import type { TaskRow } from './task-source.js';
import { taskHeaderText, taskRowText, type TaskColumns } from './task-text.js';
import { taskStateColor, type Theme } from './theme.js';

export interface TasksPanelProps {
  /** The rows to draw, already ordered and cut to fit. */
  tasks: readonly TaskRow[];
  cols: TaskColumns;
  /** Width of the terminal, for the "+N more" line. */
  columns: number;
  showHeader: boolean;
  /** Tasks left out for lack of rows; shown as "+N more" when showMore. */
  hiddenRows: number;
  showMore: boolean;
  /** "Now" on the tasks' clock, for their age. */
  now: number;
  theme: Theme;
}

/** The kernel's tasks in place of the ticker table: one `<Text>` per line, like the table. */
export function TasksPanel({ tasks, cols, columns, showHeader, hiddenRows, showMore, now, theme }: TasksPanelProps) {
  return (
    <>
      {showHeader && (
        <Text wrap="truncate-end" bold={theme.attributes}>
          {taskHeaderText(cols)}
        </Text>
      )}
      {tasks.map((task) => {
        const color = taskStateColor(theme, task.state);
        return (
          <Text key={task.id} wrap="truncate-end" dimColor={task.state === 'done' && theme.attributes}>
            {taskRowText(task, cols, now).map((s, i) =>
              s.tinted && color !== undefined ? (
                <Text key={i} color={color}>
                  {s.text}
                </Text>
              ) : (
                s.text
              ),
            )}
          </Text>
        );
      })}
      {showMore && <Text wrap="truncate-end">{moreText(hiddenRows, columns)}</Text>}
    </>
  );
}
