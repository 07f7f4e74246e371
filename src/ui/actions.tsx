import { createContext, useContext, type ReactNode } from 'react';
import type { MarketCode } from '../upbit/types.js';
import type { LogKind } from './log-text.js';

/** What the UI can ask of the application. Implemented outside the component tree. */
export interface UiActions {
  /** `q`: ask the kernel to shut down. */
  quit(): void;
  /** Ctrl+C: the kernel's interrupt; a second one forces exit, so it is called every time. */
  interrupt(): void;
  /**
   * Add a market to the watchlist: subscribed at once on the open connection (no reconnect),
   * and saved for the next run when the watchlist is persisted. @default none: `/` only searches
   */
  addMarket?(market: MarketCode): void;
  /** Remove a market from the watchlist (its subscription goes with it). */
  removeMarket?(market: MarketCode): void;
  /** Put a line in this run's audit trail (the `l` pane and its file): an outcome the UI saw. @default none */
  record?: (entry: { kind: LogKind; text: string; market?: string }) => void;
}

const ActionsContext = createContext<UiActions | null>(null);

export function ActionsProvider({ actions, children }: { actions: UiActions; children: ReactNode }) {
  return <ActionsContext.Provider value={actions}>{children}</ActionsContext.Provider>;
}

/** The application's actions. Throws when rendered outside {@link ActionsProvider}. */
export function useActions(): UiActions {
  const actions = useContext(ActionsContext);
  if (actions === null) {
    throw new Error('useActions() was called outside <ActionsProvider>; render the UI through <App>.');
  }
  return actions;
}
