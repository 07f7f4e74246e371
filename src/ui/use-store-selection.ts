import { useCallback, useRef, useSyncExternalStore } from 'react';

/**
 * `select(snapshot, previous)` must return `previous` itself when nothing it selects changed.
 * Pure and cheap: it runs on every store publish, at the flush rate.
 */
export type Selector<S, T> = (snapshot: S, previous: T | null) => T;

/**
 * useSyncExternalStore through a selector that keeps its previous result when what it selects
 * is unchanged: a publish that changes nothing on screen schedules no render, so Ink draws no
 * frame. Every commit costs Ink a whole frame (layout and output of the whole tree,
 * docs/terminal-rendering.md#cost-per-frame), whatever changed.
 *
 * React's own `use-sync-external-store/with-selector` does this; it is not a dependency and the
 * part needed is these lines. `select` must be memoised by the caller: a new one re-selects.
 */
export function useStoreSelection<S, T>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => S, select: Selector<S, T>): T {
  const memo = useRef<{ snapshot: S; select: Selector<S, T>; value: T } | null>(null);
  const getSelection = useCallback((): T => {
    const snapshot = getSnapshot();
    const last = memo.current;
    if (last !== null && last.snapshot === snapshot && last.select === select) return last.value;
    const value = select(snapshot, last?.value ?? null);
    memo.current = { snapshot, select, value };
    return value;
  }, [getSnapshot, select]);
  return useSyncExternalStore(subscribe, getSelection);
}
