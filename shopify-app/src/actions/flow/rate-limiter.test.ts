import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
    advance: (ms: number) => (now += ms),
  };
}

describe('createRateLimiter', () => {
  it('lets a burst through, then spaces calls at the rate', async () => {
    const t = fakeTime();
    const limiter = createRateLimiter({ ratePerSecond: 5, burst: 3, clock: t.clock, sleep: t.sleep });
    for (let i = 0; i < 6; i++) await limiter.take('a.myshopify.com');
    expect(t.slept).toEqual([200, 200, 200]);
    expect(t.clock.now()).toBe(600);
  });

  it('keeps one bucket per shop and refills while idle', async () => {
    const t = fakeTime();
    const limiter = createRateLimiter({ ratePerSecond: 2, burst: 1, clock: t.clock, sleep: t.sleep });
    await limiter.take('a');
    await limiter.take('b');
    expect(t.slept).toEqual([]);
    t.advance(500);
    await limiter.take('a');
    expect(t.slept).toEqual([]);
    await limiter.take('a');
    expect(t.slept).toEqual([500]);
  });

  it('serves concurrent calls of one shop in order, never faster than the rate', async () => {
    const t = fakeTime();
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 1, clock: t.clock, sleep: t.sleep });
    const done: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => limiter.take('a').then(() => done.push(i))));
    expect(done).toEqual([0, 1, 2, 3]);
    expect(t.clock.now()).toBe(300);
  });

  it('rejects a rate or burst that cannot work', () => {
    const t = fakeTime();
    expect(() => createRateLimiter({ ratePerSecond: 0, burst: 1, ...t })).toThrow(RangeError);
    expect(() => createRateLimiter({ ratePerSecond: 1, burst: 0, ...t })).toThrow(RangeError);
  });
});
