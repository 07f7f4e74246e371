import { describe, expect, it } from 'vitest';

import { RateLimitError } from '../../../src/upbit/rest/errors.js';
import { parseBlockDuration, parseRemainingReq, RateLimiter } from '../../../src/upbit/rest/rate-limiter.js';

/** A clock that only moves when the limiter sleeps: waits are measured exactly. */
function fakeTime(start = Date.UTC(2026, 10, 20, 5, 0, 0)) {
  const clock = { t: start, slept: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: (ms: number): Promise<void> => {
      clock.slept.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
  };
}

describe('parseRemainingReq', () => {
  it.each([
    ['group=default; min=1800; sec=29', { group: 'default', sec: 29 }],
    ['group=order-cancel-all; min=30; sec=0', { group: 'order-cancel-all', sec: 0 }],
    ['sec=3;group=crix-trades', { group: 'crix-trades', sec: 3 }],
    ['  Group = Ticker ,  SEC = 7 , min=600 ', { group: 'ticker', sec: 7 }],
    ['group=market; sec=9; extra', { group: 'market', sec: 9 }],
  ])('reads %j', (header, expected) => {
    expect(parseRemainingReq(header)).toEqual(expected);
  });

  it.each([undefined, '', 'group=default; min=1800', 'sec=3', 'group=; sec=1', 'group=default; sec=-1', 'group=default; sec=abc'])('ignores %j', (header) => {
    expect(parseRemainingReq(header)).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(parseRemainingReq(['group=order; min=480; sec=5', 'group=default; sec=1'])).toEqual({ group: 'order', sec: 5 });
  });
});

describe('parseBlockDuration', () => {
  it.each([
    ['{"error":{"name":418,"message":"Too many API requests after repeated 429 responses: blocked for 57 seconds."}}', 57_000],
    ['blocked for 10 seconds. Retry after that.', 10_000],
    ['retry after 2 minutes 5 s', 125_000],
    ['차단 시간: 60초', 60_000],
    ['blocked for 500 ms', 500],
  ])('reads %j', (body, ms) => {
    expect(parseBlockDuration(body)).toBe(ms);
  });

  it('prefers Retry-After and gives up on bodies without a duration', () => {
    expect(parseBlockDuration('blocked for 57 seconds', '12')).toBe(12_000);
    expect(parseBlockDuration('Too many API requests.')).toBeUndefined();
    expect(parseBlockDuration('<html>418</html>')).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('sends freely within the documented budget', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    for (let i = 0; i < 30; i++) (await limiter.acquire('default')).done();
    expect(time.clock.slept).toEqual([]);
  });

  it('paces past the documented budget with a sliding window', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    const start = time.clock.t;
    for (let i = 0; i < 10; i++) (await limiter.acquire('ticker')).done();
    (await limiter.acquire('ticker')).done();
    expect(time.clock.t - start).toBe(1_000);
  });

  it('waits until one window after a response that said sec=0, instead of drawing a 429', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    const permit = await limiter.acquire('default');
    time.clock.t += 120; // the answer takes 120 ms
    permit.done({ remainingReq: 'group=default; min=1800; sec=0', status: 200 });
    const answeredAt = time.clock.t;
    await limiter.acquire('default');
    expect(time.clock.t).toBe(answeredAt + 1_000);
  });

  it('spends the budget the server reports, minus requests still in flight', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    const first = await limiter.acquire('default');
    const inFlight = await limiter.acquire('default');
    first.done({ remainingReq: 'group=default; min=1800; sec=2', status: 200 });
    (await limiter.acquire('default')).done(); // 2 left − 1 in flight = 1
    expect(time.clock.slept).toEqual([]);
    const before = time.clock.t;
    await limiter.acquire('default');
    expect(time.clock.t).toBe(before + 1_000);
    inFlight.done();
  });

  it('an older answer does not overwrite what a newer one said', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    const older = await limiter.acquire('default');
    time.clock.t += 10;
    const newer = await limiter.acquire('default');
    newer.done({ remainingReq: 'group=default; sec=0', status: 200 });
    older.done({ remainingReq: 'group=default; sec=25', status: 200 });
    const before = time.clock.t;
    await limiter.acquire('default');
    expect(time.clock.t).toBe(before + 1_000);
  });

  it('a 429 holds the group back for a window', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    const permit = await limiter.acquire('default');
    permit.done({ remainingReq: undefined, status: 429, body: 'Too many API requests.' });
    const before = time.clock.t;
    await limiter.acquire('default');
    expect(time.clock.t).toBe(before + 1_000);
  });

  it('caps the order group at 8/s whatever the headers say', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ ...time, rules: { order: { limit: 12, windowMs: 1_000 } } });
    const start = time.clock.t;
    for (let i = 0; i < 8; i++) (await limiter.acquire('order')).done({ remainingReq: 'group=order; min=480; sec=11', status: 201 });
    expect(time.clock.t).toBe(start);
    await limiter.acquire('order');
    expect(time.clock.t).toBe(start + 1_000);
  });

  it('cancel-all allows one call per 2 s', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    const start = time.clock.t;
    (await limiter.acquire('order-cancel-all')).done();
    await limiter.acquire('order-cancel-all');
    expect(time.clock.t).toBe(start + 2_000);
  });

  it('a 418 halts only its group, fails fast with the wait, and lifts when the block ends', async () => {
    const time = fakeTime(new Date(2026, 10, 20, 14, 2, 15).getTime());
    const limiter = new RateLimiter(time);
    const permit = await limiter.acquire('order');
    permit.done({ remainingReq: 'group=order; min=480; sec=0', status: 418, body: '{"error":{"name":418,"message":"blocked for 57 seconds"}}' });

    const error = await limiter.acquire('order').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toBe('Upbit blocked order requests for 57 s after too many requests; wait until 14:03:12.');
    expect((error as RateLimitError).blocked).toBe(true);
    expect((error as RateLimitError).retryAt).toBe(time.clock.t + 57_000);
    expect(time.clock.slept).toEqual([]);

    (await limiter.acquire('default')).done();
    time.clock.t += 57_000;
    await expect(limiter.acquire('order')).resolves.toBeDefined();
  });

  it('a 418 without a duration halts for the conservative default', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ ...time, defaultBlockMs: 60_000 });
    (await limiter.acquire('default')).done({ remainingReq: undefined, status: 418, body: 'I am a teapot' });
    expect(limiter.haltedError('default')?.retryAt).toBe(time.clock.t + 60_000);
    expect(limiter.haltedError('default')?.message).toMatch(/blocked account and order-query requests for 60 s/);
  });

  it("reports a group's budget for a status line: whole before anything was sent, spent by the window and the server's word, halted by a 418", async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(time);
    expect(limiter.group('order')).toEqual({ group: 'order', limit: 8, windowMs: 1_000, remaining: 8, inFlight: 0, haltedUntil: null });
    expect(limiter.status()).toEqual([]);

    (await limiter.acquire('order')).done({ remainingReq: 'group=order; sec=11', status: 201 });
    const inFlight = await limiter.acquire('order');
    expect(limiter.group('order')).toEqual({ group: 'order', limit: 8, windowMs: 1_000, remaining: 6, inFlight: 1, haltedUntil: null });
    // The server says fewer are left than the window would allow: its word counts.
    inFlight.done({ remainingReq: 'group=order; sec=3', status: 201 });
    expect(limiter.group('order').remaining).toBe(3);
    expect(limiter.status()).toEqual([limiter.group('order')]);

    // A window later, all of it again.
    time.clock.t += 1_000;
    expect(limiter.group('order').remaining).toBe(8);

    (await limiter.acquire('order')).done({ remainingReq: undefined, status: 418, body: 'blocked for 10 seconds' });
    expect(limiter.group('order').haltedUntil).toBe(time.clock.t + 10_000);
    expect(limiter.group('order-cancel-all')).toMatchObject({ limit: 1, windowMs: 2_000, remaining: 1 });
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = new RateLimiter();
    (await limiter.acquire('order-cancel-all')).done();
    const controller = new AbortController();
    const waiting = limiter.acquire('order-cancel-all', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
