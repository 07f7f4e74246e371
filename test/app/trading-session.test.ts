/**
 * The adapter from today's composition: a session built from a TradingContext (the CLI's
 * `--sim` parts: the built-in exchange over REST, no private stream) reads the account and
 * places through the context's one order service, under a kernel.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openTradingContext, EMBEDDED_SIM_KRW, type TradingContext } from '../../src/app/trading-context.js';
import { sessionOf } from '../../src/app/trading-session.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { Money } from '../../src/trading/money.js';
import { selectKrw, selectOpenOrders } from '../../src/trading/session/index.js';
import { startUnder } from '../../src/trading/under-kernel.js';
import { waitFor } from '../helpers/wait-for.js';
import { testKernel } from '../runtime/helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('sessionOf(TradingContext)', () => {
  it('runs the session on the context’s venue, journal and service', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'upbit-session-ctx-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { kernel: contextKernel } = testKernel({ stepDeadlineMs: 3_000 });
    const ctx: TradingContext = await openTradingContext(
      contextKernel,
      { sim: true, paper: false, live: false, apiUrl: undefined, dataDir, keyFile: undefined },
      { env: {}, logger: silentLogger, notice: () => undefined },
    );
    cleanups.push(async () => void (await contextKernel.shutdown({ kind: 'user' })));
    const built = sessionOf(ctx, { pollMs: 100 });
    expect(built.session.mode).toBe('sim');
    const { kernel } = testKernel({ stepDeadlineMs: 3_000 });
    startUnder(kernel, built);
    cleanups.push(async () => void (await kernel.shutdown({ kind: 'user' })));

    await waitFor(() => built.session.account.getSnapshot().loaded, 'the account read');
    expect(selectKrw(built.session.account.getSnapshot()).available.toFixed()).toBe(EMBEDDED_SIM_KRW);
    const placed = await built.session.place({ market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: new Money('10000000'), volume: new Money('0.001') });
    if (placed.status !== 'acked') throw new Error('not acked');
    await waitFor(() => selectOpenOrders(built.session.orders.getSnapshot()).some((o) => o.uuid === placed.order.uuid), 'the order in the store');
    await waitFor(() => selectKrw(built.session.account.getSnapshot()).locked.gt(0), 'the locked KRW, read over REST after the placement');
    expect(ctx.journal.attemptByIdentifier(placed.identifier)?.state).toBe('acked');
  });
});
