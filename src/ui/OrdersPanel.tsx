import { memo, useMemo, useSyncExternalStore } from 'react';
import type { ExternalStore, OrdersSnapshot } from '../trading/session/index.js';
import { ordersLines } from './orders-text.js';
import { PaneLines } from './PaneLines.js';
import type { Theme } from './theme.js';

export interface OrdersPanelProps {
  /** The session's orders store (`TradingView.orders`). */
  orders: ExternalStore<OrdersSnapshot>;
  width: number;
  height: number;
  /** Index into `selectableOrders(snapshot)`; null: no highlight. */
  selected: number | null;
  /** For the orders' age; pass a clock that moves once a second to keep ages current. @default Date.now() when the store publishes */
  now?: number;
  theme: Theme;
}

/**
 * Open orders and recent fills, one `<Text>` per line. Reads only the orders store, so a
 * ticker flush does not render it (its props are plain values: memo keeps it still).
 */
export const OrdersPanel = memo(function OrdersPanel({ orders, width, height, selected, now, theme }: OrdersPanelProps) {
  const snapshot = useSyncExternalStore(orders.subscribe, orders.getSnapshot);
  const { lines } = useMemo(() => ordersLines(snapshot, { width, height, selected, now: now ?? Date.now(), theme }), [snapshot, width, height, selected, now, theme]);
  return <PaneLines lines={lines} />;
});
