import { onTestFinished, vi } from 'vitest';
import { Kernel, memoryLogger } from '../../src/runtime/index.js';
import type { KernelOptions } from '../../src/runtime/index.js';

/**
 * Resolve once `condition()` holds, checking after every turn of the event loop; fail with
 * `what` after `timeoutMs` of real time. `setImmediate` and `performance` stay real under the
 * project's fake-timer config, so this works with fake timers too.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A kernel whose exit and fatal report are recorded instead of ending the test process. */
export function testKernel(opts: KernelOptions = {}) {
  const events: string[] = [];
  const exit = vi.fn((code: number) => {
    events.push(`exit ${code}`);
  });
  const reportFatal = vi.fn((text: string) => {
    events.push(`fatal: ${text.split('\n')[0] ?? ''}`);
  });
  const logger = memoryLogger();
  const kernel = new Kernel({ exit, reportFatal, logger, stepDeadlineMs: 500, ...opts });
  onTestFinished(() => {
    kernel.loop.stop();
    // Halts whatever the test left running; nothing awaits it (its timers may be fake).
    void kernel.shutdown({ kind: 'user' });
  });
  return { kernel, exit, reportFatal, logger, events };
}
