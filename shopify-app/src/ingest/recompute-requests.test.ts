import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { createRecomputeRequests } from './recompute-requests.ts';

/** A send that stays in flight until released, recording each call. */
function heldSends() {
  const calls: string[] = [];
  const releases: (() => void)[] = [];
  const send = (shop: string): Promise<void> => {
    calls.push(shop);
    return new Promise<void>((resolve) => releases.push(resolve));
  };
  return { calls, send, release: () => releases.shift()?.() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createRecomputeRequests', () => {
  it('sends once per shop while a send is in flight, then once more for every request that came meanwhile', async () => {
    const sends = heldSends();
    const requests = createRecomputeRequests(sends.send);
    const first = requests.request('a.myshopify.com');
    const later = [requests.request('a.myshopify.com'), requests.request('a.myshopify.com'), requests.request('a.myshopify.com')];
    const other = requests.request('b.myshopify.com');
    expect(sends.calls).toEqual(['a.myshopify.com', 'b.myshopify.com']);
    sends.release();
    await first;
    await tick();
    // The three later requests share one send, started after the first ended.
    expect(sends.calls).toEqual(['a.myshopify.com', 'b.myshopify.com', 'a.myshopify.com']);
    sends.release();
    sends.release();
    await Promise.all([...later, other]);
    expect(sends.calls).toHaveLength(3);
  });

  it('rejects a waiting request when its send fails, and retries a background request until a send succeeds', async () => {
    let failures = 2;
    const calls: string[] = [];
    const requests = createRecomputeRequests(
      async (shop) => {
        calls.push(shop);
        if (failures-- > 0) throw new Error('queue down');
      },
      { log: silentLogger, retryMs: 1 },
    );
    await expect(requests.request('a.myshopify.com')).rejects.toThrow('queue down');
    requests.requestInBackground('a.myshopify.com');
    await requests.settled();
    expect(calls).toEqual(['a.myshopify.com', 'a.myshopify.com', 'a.myshopify.com']);
  });

  it("with minIntervalMs, starts one shop's sends at least that far apart, the requests meanwhile sharing one", async () => {
    const starts: number[] = [];
    const requests = createRecomputeRequests(
      async () => {
        starts.push(performance.now());
      },
      { minIntervalMs: 60 },
    );
    await requests.request('a.myshopify.com');
    await Promise.all([requests.request('a.myshopify.com'), requests.request('a.myshopify.com'), requests.request('a.myshopify.com')]);
    expect(starts.length).toBe(2);
    // Timers may fire a millisecond early against performance.now().
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(58);
    // Another shop is not held up by the first one's interval.
    const t = performance.now();
    await requests.request('b.myshopify.com');
    expect(starts.length).toBe(3);
    expect(starts[2]! - t).toBeLessThan(30);
  });
});
