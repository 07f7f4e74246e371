/**
 * The UI's view of the trading session, which the TUI opens in the background (the first
 * frame of prices never waits for it): `null` while it opens, then the mode and the session's
 * stores. A UI-side interface, as ./task-source.ts is: src/app adapts the session to it.
 */
import type { MonitorRole, MonitorSnapshot } from '../trading/monitor/monitor.js';
import type { RuleBook } from '../trading/monitor/rule-book.js';
import type { AccountSnapshot, ExternalStore, OrdersSnapshot, TradingSession } from '../trading/session/index.js';
import type { VenueKind } from '../trading/venue.js';
import type { RateGroupStatus } from '../upbit/rest/index.js';
import type { ConnectionStatus } from '../upbit/socket/status.js';

export interface TradingView {
  readonly mode: VenueKind;
  readonly account: ExternalStore<AccountSnapshot>;
  readonly orders: ExternalStore<OrdersSnapshot>;
  /**
   * The private stream's connection (`myOrder`/`myAsset`, which keeps orders and balances
   * live), shown on the status line as it changes. @default none: the mode has none (paper)
   */
  readonly privateStream?: ExternalStore<ConnectionStatus>;
  /**
   * The `order` rate-limit group's budget now: read by the status line when it redraws, never
   * per request. @default none: orders are not rate-limited (paper)
   */
  readonly orderBudget?: () => RateGroupStatus;
  /**
   * What the keys act through: the pre-trade check, place, cancel, cancel-all-mine, the market
   * rules. The one order path of the UI, the CLI and the monitor. @default none: watch only
   */
  readonly session?: Pick<TradingSession, 'check' | 'place' | 'cancel' | 'cancelAllMine' | 'prepare' | 'rules' | 'stopNewOrders' | 'inFlight' | 'myOpenOrders'>;
  /**
   * The stop-loss / take-profit / trailing monitor: its rules and their states as a store, the
   * rule book the keys change them through, and whether this process fires them (or who does).
   * @default none: no monitor runs here
   */
  readonly monitor?: RulesView;
}

/** What the UI sees of the monitor (src/trading/monitor/monitor.ts's Monitor is one). */
export interface RulesView {
  readonly store: ExternalStore<MonitorSnapshot>;
  readonly book: RuleBook;
  readonly role: MonitorRole;
  /** The start-up changes were shown to the user and acknowledged. */
  acknowledgeChanges(): void;
}

/** Read with `useSyncExternalStore`: the same view until the session opens (once). Both functions stable. */
export interface TradingSource {
  readonly getSnapshot: () => TradingView | null;
  readonly subscribe: (listener: () => void) => () => void;
}

/** A source the owner fills once the session is open (`set`), for the UI to read. */
export function tradingSlot(): TradingSource & { set(view: TradingView): void } {
  let view: TradingView | null = null;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => view,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(next) {
      view = next;
      for (const listener of [...listeners]) listener();
    },
  };
}
