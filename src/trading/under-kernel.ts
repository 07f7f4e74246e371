/**
 * The trading core under the runtime kernel, for every long-running front end (the TUI, and
 * the headless monitor to come): the venue's background work (the private `myOrder`/`myAsset`
 * stream for Upbit and the simulator, the fill poller for paper) and the order service's
 * resolver are named kernel tasks, and the venue and journal are releases.
 *
 * Shutdown order, which the kernel's (abort tasks, then release in reverse) gives us:
 * 1. the service stops taking orders the moment the kernel's signal aborts (before any
 *    release runs), 2. orders already sent are awaited up to `drainDeadlineMs` and journalled
 *    (`unknown` past it, resolved on the next start), 3. the stream ends, 4. the venue closes
 *    (the paper wallet's last save), 5. the journal closes.
 */
import type { Kernel } from '../runtime/kernel.js';
import type { OrderJournal } from './journal/index.js';
import type { OrderService } from './order-service.js';
import type { Venue } from './venue.js';

export interface KernelTrading {
  venue: Venue;
  journal: OrderJournal;
  service: OrderService;
  /** How long shutdown waits for orders already sent. Keep it under the kernel's step deadline. @default 1500 */
  drainDeadlineMs?: number;
}

/** Task names, as the tasks panel shows them. */
export const TRADING_TASKS = { orders: 'order-service', paper: 'paper-fills', stream: 'private-stream' } as const;

export function runTradingUnder(kernel: Kernel, t: KernelTrading): void {
  const drainMs = t.drainDeadlineMs ?? 1500;
  // Acquired first, released last: the venue's final save and in-flight answers land in an open journal.
  kernel.acquire('order journal', () => t.journal.close());
  kernel.acquire(`${t.venue.kind} venue`, () => t.venue.close());
  kernel.spawn(t.venue.kind === 'paper' ? TRADING_TASKS.paper : TRADING_TASKS.stream, (signal) => t.venue.run(signal));
  kernel.spawn(TRADING_TASKS.orders, async (signal) => {
    const stopTaking = (): void => t.service.beginShutdown();
    signal.addEventListener('abort', stopTaking, { once: true });
    try {
      await t.service.run(signal);
    } finally {
      signal.removeEventListener('abort', stopTaking);
      await t.service.drain(drainMs);
    }
  });
}
