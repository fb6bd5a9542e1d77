import { describe, expect, it } from 'vitest';
import { ExtensionError, ExtensionErrorCode } from '../errors.ts';
import type { SyncResult } from '../sync/sync.ts';
import { createFreshness, DEFAULT_FRESHNESS } from './freshness.ts';

const SHOP = 'demo.myshopify.com';

function result(changed: string[] | null): SyncResult {
  return { shopDomain: SHOP, pages: 1, customersReceived: changed?.length ?? 0, customersDeleted: 0, evictedShops: [], changedCustomerIds: changed };
}

/** A controllable clock and delta sync: each call waits until the test settles it. */
function setup(config = DEFAULT_FRESHNESS) {
  let now = 10_000;
  const calls: { settle: (r: SyncResult | Error) => void }[] = [];
  const f = createFreshness({
    config,
    nowMs: () => now,
    deltaSync: () =>
      new Promise<SyncResult>((resolve, reject) => {
        calls.push({ settle: (r) => (r instanceof Error ? reject(r) : (f.record(SHOP, r.changedCustomerIds), resolve(r))) });
      }),
  });
  return {
    f,
    calls,
    advance: (ms: number) => void (now += ms),
    now: () => now,
  };
}

describe('createFreshness', () => {
  it('runs one delta sync per interval per shop, shared by every polling page (throttled, single flight)', async () => {
    const { f, calls, advance } = setup();
    const a = f.poll(SHOP, 10_000, { skipSync: false });
    const b = f.poll(SHOP, 10_000, { skipSync: false });
    expect(calls).toHaveLength(1);
    advance(100);
    calls[0]!.settle(result(['7']));
    expect((await a).changedCustomerIds).toEqual(['7']);
    expect((await b).changedCustomerIds).toEqual(['7']);
    // A third tab polling 1 s later gets the answer without a new sync.
    advance(1000);
    const c = await f.poll(SHOP, 10_000, { skipSync: false });
    expect(calls).toHaveLength(1);
    expect(c).toMatchObject({ connected: true, changedCustomerIds: ['7'], reset: false, nextPollMs: 3000 });
    // One interval later (minus timer jitter) the next poll syncs again.
    advance(1700);
    const d = f.poll(SHOP, c.nowMs, { skipSync: false });
    expect(calls).toHaveLength(2);
    calls[1]!.settle(result([]));
    expect((await d).changedCustomerIds).toEqual([]);
  });

  it('lists only the ids changed since the page last polled, and tells a page that is too far behind to re-read all', async () => {
    const { f, calls, advance, now } = setup({ ...DEFAULT_FRESHNESS, logEntries: 2 });
    const start = now();
    const first = f.poll(SHOP, start, { skipSync: false });
    advance(100);
    calls[0]!.settle(result(['1', '2']));
    const a = await first;
    expect(a.changedCustomerIds).toEqual(['1', '2']);
    advance(3000);
    const second = f.poll(SHOP, a.nowMs, { skipSync: false });
    advance(100);
    calls[1]!.settle(result(['2', '3']));
    expect((await second).changedCustomerIds).toEqual(['2', '3']);
    // A page still at `start` gets the union.
    expect((await f.poll(SHOP, start, { skipSync: true })).changedCustomerIds).toEqual(['1', '2', '3']);
    advance(3000);
    const third = f.poll(SHOP, a.nowMs, { skipSync: false });
    advance(100);
    calls[2]!.settle(result(['4']));
    await third;
    // Only two entries are kept: the page at `start` missed the first one, so it must re-read what it shows.
    expect(await f.poll(SHOP, start, { skipSync: true })).toMatchObject({ reset: true, changedCustomerIds: [] });
    // Too much changed to list (an initial sync): everyone re-reads.
    advance(100);
    f.record(SHOP, null);
    expect((await f.poll(SHOP, a.nowMs + 1, { skipSync: true })).reset).toBe(true);
  });

  it('hands out tokens so that a change is listed exactly once, even within one millisecond', async () => {
    const { f } = setup();
    const t1 = (await f.poll(SHOP, 10_000, { skipSync: true })).nowMs;
    f.record(SHOP, ['1']);
    const a = await f.poll(SHOP, t1, { skipSync: true });
    expect(a.changedCustomerIds).toEqual(['1']);
    f.record(SHOP, ['2']);
    expect((await f.poll(SHOP, a.nowMs, { skipSync: true })).changedCustomerIds).toEqual(['2']);
  });

  it('tells a page that polled before the worker started to re-read all (the log died with the old worker)', async () => {
    const { f, now } = setup();
    expect(await f.poll(SHOP, now() - 1, { skipSync: true })).toMatchObject({ reset: true });
    expect(await f.poll(SHOP, now(), { skipSync: true })).toMatchObject({ reset: false });
  });

  it('backs off exponentially after errors, up to the maximum, and recovers after a success', async () => {
    const { f, calls, advance } = setup({ ...DEFAULT_FRESHNESS, intervalMs: 3000, maxBackoffMs: 20_000 });
    // Each failure waits intervalMs * 2^failures, capped.
    const unreachable = () => new ExtensionError(ExtensionErrorCode.appUnreachable, 'down');
    let p = f.poll(SHOP, 10_000, { skipSync: false });
    calls[0]!.settle(unreachable());
    expect((await p).nextPollMs).toBe(6000);
    // During the backoff no poll starts a sync.
    advance(5000);
    await f.poll(SHOP, 10_000, { skipSync: false });
    expect(calls).toHaveLength(1);
    advance(1000);
    p = f.poll(SHOP, 10_000, { skipSync: false });
    expect(calls).toHaveLength(2);
    calls[1]!.settle(unreachable());
    expect((await p).nextPollMs).toBe(12_000);
    advance(12_000);
    p = f.poll(SHOP, 10_000, { skipSync: false });
    calls[2]!.settle(unreachable());
    expect((await p).nextPollMs).toBe(20_000);
    advance(20_000);
    p = f.poll(SHOP, 10_000, { skipSync: false });
    calls[3]!.settle(result([]));
    expect((await p).nextPollMs).toBe(3000);
    // A rejected token waits the longest at once.
    advance(3000);
    p = f.poll(SHOP, 10_000, { skipSync: false });
    calls[4]!.settle(new ExtensionError(ExtensionErrorCode.unauthorized, 'revoked'));
    expect((await p).nextPollMs).toBe(20_000);
  });

  it('asks pages of a store that is not connected to poll slowly', () => {
    const { f } = setup();
    expect(f.notConnected()).toMatchObject({ connected: false, changedCustomerIds: [], nextPollMs: DEFAULT_FRESHNESS.idlePollMs });
  });
});
