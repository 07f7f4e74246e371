import { useSyncExternalStore } from 'react';
import type { TaskRow, TaskSource } from './task-source.js';

const NO_ROWS: readonly TaskRow[] = [];
const noRows = (): readonly TaskRow[] => NO_ROWS;
const subscribeNothing = (): (() => void) => () => undefined;

/**
 * The source's rows while `active` (the tasks panel is open), else an empty list: a closed
 * panel holds no subscription, so task changes do not re-render the ticker table.
 */
export function useTaskRows(source: TaskSource | undefined, active: boolean): readonly TaskRow[] {
  const live = active && source !== undefined;
  return useSyncExternalStore(live ? source.subscribe : subscribeNothing, live ? source.getSnapshot : noRows);
}
