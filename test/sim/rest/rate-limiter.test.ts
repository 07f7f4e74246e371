import { describe, expect, it } from 'vitest';

import { RateLimiter, REMAINING_REQ_MIN, UPBIT_RATE_RULES } from '../../../src/sim/rate-limit.js';

function limiter(opts: ConstructorParameters<typeof RateLimiter>[0] = {}): { rl: RateLimiter; advance: (ms: number) => void } {
  let t = 1_000;
  const rl = new RateLimiter({ ...opts, clock: () => t });
  return {
    rl,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('RateLimiter', () => {
  it("uses Upbit's limits and min= values", () => {
    expect(UPBIT_RATE_RULES.default).toEqual({ limit: 30, windowMs: 1_000 });
    expect(UPBIT_RATE_RULES.order.limit).toBe(12);
    expect(UPBIT_RATE_RULES['order-test'].limit).toBe(8);
    expect(UPBIT_RATE_RULES['order-cancel-all']).toEqual({ limit: 1, windowMs: 2_000 });
    for (const g of ['market', 'candles', 'crix-trades', 'ticker', 'orderbook'] as const) {
      expect(UPBIT_RATE_RULES[g].limit).toBe(10);
      expect(REMAINING_REQ_MIN[g]).toBe(600);
    }
    expect([REMAINING_REQ_MIN.default, REMAINING_REQ_MIN.order, REMAINING_REQ_MIN['order-test'], REMAINING_REQ_MIN['order-cancel-all']]).toEqual([1800, 480, 480, 30]);
  });

  it('counts down the window, refuses past the limit and refills after the window', () => {
    const { rl, advance } = limiter();
    const seen = Array.from({ length: 31 }, () => rl.admit('default', 'account:a'));
    expect(seen[0]).toEqual({ kind: 'ok', remaining: 29 });
    expect(seen[29]).toEqual({ kind: 'ok', remaining: 0 });
    expect(seen[30]).toEqual({ kind: 'limited' });
    advance(999);
    expect(rl.admit('default', 'account:a').kind).toBe('limited');
    advance(1);
    expect(rl.admit('default', 'account:a')).toEqual({ kind: 'ok', remaining: 29 });
  });

  it('keeps groups and clients apart', () => {
    const { rl } = limiter({ groups: { order: { limit: 1 } } });
    expect(rl.admit('order', 'account:a').kind).toBe('ok');
    expect(rl.admit('order', 'account:a').kind).toBe('limited');
    expect(rl.admit('order', 'account:b').kind).toBe('ok');
    expect(rl.admit('default', 'account:a').kind).toBe('ok');
  });

  it('allows one cancel-all per 2 s', () => {
    const { rl, advance } = limiter();
    expect(rl.admit('order-cancel-all', 'account:a')).toEqual({ kind: 'ok', remaining: 0 });
    advance(1_999);
    expect(rl.admit('order-cancel-all', 'account:a').kind).toBe('limited');
    advance(1);
    expect(rl.admit('order-cancel-all', 'account:a').kind).toBe('ok');
  });

  it('blocks with 418 after blockAfter consecutive 429s, for blockMs, then recovers', () => {
    const { rl, advance } = limiter({ groups: { ticker: { limit: 1 } }, blockAfter: 3, blockMs: 5_000 });
    expect(rl.admit('ticker', 'ip:x').kind).toBe('ok');
    expect([1, 2, 3].map(() => rl.admit('ticker', 'ip:x').kind)).toEqual(['limited', 'limited', 'limited']);
    expect(rl.admit('ticker', 'ip:x')).toEqual({ kind: 'blocked', remainingMs: 5_000 });
    // The block covers every group of that client, and outlasts the rate window.
    advance(1_000);
    expect(rl.admit('candles', 'ip:x')).toEqual({ kind: 'blocked', remainingMs: 4_000 });
    expect(rl.admit('ticker', 'ip:y').kind).toBe('ok');
    advance(4_000);
    expect(rl.admit('ticker', 'ip:x')).toEqual({ kind: 'ok', remaining: 0 });
  });

  it('resets the 429 streak on an admitted request', () => {
    const { rl, advance } = limiter({ groups: { ticker: { limit: 1 } }, blockAfter: 2 });
    rl.admit('ticker', 'ip:x');
    expect(rl.admit('ticker', 'ip:x').kind).toBe('limited');
    expect(rl.admit('ticker', 'ip:x').kind).toBe('limited');
    advance(1_000);
    expect(rl.admit('ticker', 'ip:x').kind).toBe('ok');
    expect(rl.admit('ticker', 'ip:x').kind).toBe('limited');
    expect(rl.admit('ticker', 'ip:x').kind).toBe('limited');
    expect(rl.admit('ticker', 'ip:x').kind).toBe('blocked');
  });

  it('limits WebSocket connects to 5/s per client', () => {
    const { rl, advance } = limiter();
    expect(Array.from({ length: 6 }, () => rl.admitConnection('ip:x'))).toEqual([true, true, true, true, true, false]);
    expect(rl.admitConnection('account:a')).toBe(true);
    advance(1_000);
    expect(rl.admitConnection('ip:x')).toBe(true);
  });
});
