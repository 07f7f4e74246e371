/**
 * Chaos: ≥ 100 placements against the embedded exchange with the private stream up, ≥ 30 % of
 * the POSTs hit by a fault picked by a seeded generator (one-shots on POST /v1/orders only).
 * Afterwards every exchange order has exactly one journal attempt, no intent has two orders,
 * and nothing is left pending or unknown. The loop lives in fixtures/trading/chaos-run.ts,
 * shared with bench/chaos.ts (which runs it at 1,000 placements).
 */
import { describe, expect, it } from 'vitest';

import { runChaos } from '../fixtures/trading/chaos-run.js';
import { CLEAN } from '../fixtures/trading/order-harness.js';

const PLACEMENTS = 120;
const FAULT_RATE = 0.45;
const SEED = 20_261_122;

describe('order chaos', () => {
  it(`${PLACEMENTS} placements with ${FAULT_RATE * 100} % faults: 0 duplicates, 0 untracked, all resolved`, { timeout: 180_000 }, async () => {
    const r = await runChaos({ placements: PLACEMENTS, faultRate: FAULT_RATE, seed: SEED });
    console.log(`chaos: ${r.faulted} faults; outcomes ${JSON.stringify(r.outcomes)}`);

    // Every one-shot hit its own placement's POST, not some later request.
    expect(r.strayFaults).toBe(0);
    expect(r.faulted / PLACEMENTS).toBeGreaterThanOrEqual(0.3);
    expect(r.settled, 'every attempt to be resolved').toBe(true);
    expect(r.audit).toMatchObject(CLEAN);
    expect(r.audit.orders).toBeGreaterThanOrEqual(r.outcomes['acked'] ?? 0);
    expect(r.journalIntents).toBe(PLACEMENTS);
  });
});
