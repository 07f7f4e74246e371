/**
 * UI state that is not market data: which screen is open. A small pure reducer, so every
 * transition is tested without rendering (docs/architecture.md#high-rate-data-stays-out-of-react).
 */

/** What the body of the frame shows, and so which keys are live. */
export type UiMode = 'table' | 'tasks';

export interface UiState {
  readonly mode: UiMode;
}

/** Explicit open and close rather than a toggle: a key delivered twice cannot flip it back. */
export type UiEvent = { readonly type: 'open-tasks' } | { readonly type: 'close-tasks' };

export const INITIAL_UI_STATE: UiState = { mode: 'table' };

/** The next state; the same object when nothing changes, so React skips the render. */
export function uiReducer(state: UiState, event: UiEvent): UiState {
  switch (event.type) {
    case 'open-tasks':
      return state.mode === 'tasks' ? state : { ...state, mode: 'tasks' };
    case 'close-tasks':
      return state.mode === 'table' ? state : { ...state, mode: 'table' };
  }
}
