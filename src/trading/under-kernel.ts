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
export const TRADING_TASKS = { orders: 'order-service', paper: 'paper-fills', stream: 'private-stream', sync: 'account-sync' } as const;

/** A kernel task body with its name, for a composition root to spawn. */
export interface NamedTask {
  name: string;
  run: (signal: AbortSignal) => Promise<void>;
}

/** A release for a composition root to acquire (`kernel.acquire(name, release)`). */
export interface NamedRelease {
  name: string;
  release: () => void | Promise<void>;
}

/**
 * The venue's background work (the private stream, or paper fills) and the order service's
 * resolver, which stops taking orders the moment its signal aborts and drains on the way out.
 */
export function tradingTasks(t: Pick<KernelTrading, 'venue' | 'service' | 'drainDeadlineMs'>): NamedTask[] {
  const drainMs = t.drainDeadlineMs ?? 1500;
  return [
    { name: t.venue.kind === 'paper' ? TRADING_TASKS.paper : TRADING_TASKS.stream, run: (signal) => t.venue.run(signal) },
    {
      name: TRADING_TASKS.orders,
      run: async (signal) => {
        const stopTaking = (): void => t.service.beginShutdown();
        signal.addEventListener('abort', stopTaking, { once: true });
        try {
          await t.service.run(signal);
        } finally {
          signal.removeEventListener('abort', stopTaking);
          await t.service.drain(drainMs);
        }
      },
    },
  ];
}

export function runTradingUnder(kernel: Kernel, t: KernelTrading): void {
  // Acquired first, released last: the venue's final save and in-flight answers land in an open journal.
  kernel.acquire('order journal', () => t.journal.close());
  kernel.acquire(`${t.venue.kind} venue`, () => t.venue.close());
  for (const task of tradingTasks(t)) kernel.spawn(task.name, task.run);
}

/** Spawn `tasks` and acquire `releases` under `kernel` (releases first, so they outlive the tasks). */
export function startUnder(kernel: Kernel, work: { tasks: readonly NamedTask[]; releases: readonly NamedRelease[] }): void {
  for (const r of work.releases) kernel.acquire(r.name, r.release);
  for (const t of work.tasks) kernel.spawn(t.name, t.run);
}
