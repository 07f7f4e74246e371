import { createHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

import { expect, it } from 'vitest';

import { startSimServer } from '../../src/sim/index.js';
import { TestClient, isTicker } from './helpers.js';

/** Resource types that keep a process alive. */
const TRACKED = new Set(['Timeout', 'TCPSERVERWRAP', 'TCPWRAP']);

it('close() is idempotent, closes clients and leaves no timers or sockets behind', async () => {
  // Everything of these types created from here on must be destroyed once the server closes.
  const live = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (TRACKED.has(type)) live.set(id, type);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  try {
    const server = await startSimServer({ markets: ['KRW-BTC'], idleTimeoutMs: 60_000, faults: { latencyMs: 1 } });
    const client = await TestClient.connect(server.wsUrl);
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }]);
    await client.next(isTicker('KRW-BTC', 'SNAPSHOT'), 'the snapshot');
    expect([...live.values()]).toEqual(expect.arrayContaining(['TCPSERVERWRAP', 'TCPWRAP', 'Timeout']));

    await Promise.all([server.close(), server.close()]);
    await server.close();
    await client.closed();
    expect(client.closeCode).toBe(1006);
    expect(server.connectionCount()).toBe(0);

    // Destroy hooks run a loop turn or two after the close; wait for them, with a deadline.
    const deadline = performance.now() + 2_000;
    while (live.size > 0 && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect([...live.values()]).toEqual([]);
  } finally {
    hook.disable();
  }
});
