import { describe, expect, it } from 'vitest';
import type { FreshnessAnswer } from '../messages/protocol.ts';
import { createFreshnessClient } from './freshness-client.ts';

/** A hand-driven timer queue and a scripted background that takes `pollTakesMs` to answer each poll. */
function setup(answers: ((store: string, sinceMs: number | null) => FreshnessAnswer | Error)[], pollTakesMs = 0) {
  let now = 50_000;
  const timers: { fn: () => void; ms: number; id: number }[] = [];
  let nextId = 1;
  const polls: { store: string; sinceMs: number | null }[] = [];
  const changed: (string[] | 'all')[] = [];
  const page = { visible: true, store: 'demo' as string | null };
  const errors: unknown[] = [];
  const client = createFreshnessClient({
    async poll(store, sinceMs) {
      polls.push({ store, sinceMs });
      now += pollTakesMs;
      const next = answers.shift();
      if (!next) throw new Error('no scripted answer');
      const a = next(store, sinceMs);
      if (a instanceof Error) throw a;
      return a;
    },
    shownStore: () => page.store,
    visible: () => page.visible,
    async onChanged(_store, ids) {
      changed.push(ids);
    },
    nowMs: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ fn, ms, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    idleCheckMs: 3000,
    maxBackoffMs: 20_000,
    onError: (e) => errors.push(e),
  });
  /** Fires the one pending timer (asserting its delay) and lets the poll settle. */
  async function fire(expectMs: number): Promise<void> {
    expect(timers.map((t) => t.ms)).toEqual([expectMs]);
    const t = timers.shift()!;
    now += t.ms;
    t.fn();
    await new Promise((r) => setTimeout(r, 0));
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { client, polls, changed, page, timers, fire, settle, errors, now: () => now };
}

const answer = (over: Partial<FreshnessAnswer> & { nowMs: number }): FreshnessAnswer => ({
  connected: true,
  shopDomain: 'demo.myshopify.com',
  changedCustomerIds: [],
  reset: false,
  nextPollMs: 3000,
  ...over,
});

describe('createFreshnessClient', () => {
  it('polls at the cadence the background asks, passing back its token, and re-renders only the changed ids', async () => {
    const t = setup([
      () => answer({ nowMs: 100 }),
      () => answer({ nowMs: 200, changedCustomerIds: ['7', '9'] }),
      () => answer({ nowMs: 300, reset: true, nextPollMs: 4000 }),
      () => answer({ nowMs: 400 }),
    ]);
    t.client.start();
    await t.settle();
    // The first poll asks for changes since just before the page started, before any badge looked anything up.
    expect(t.polls[0]).toEqual({ store: 'demo', sinceMs: 49_999 });
    expect(t.changed).toEqual([]);
    await t.fire(3000);
    expect(t.polls[1]).toEqual({ store: 'demo', sinceMs: 100 });
    expect(t.changed).toEqual([['7', '9']]);
    await t.fire(3000);
    expect(t.changed).toEqual([['7', '9'], 'all']);
    await t.fire(4000);
    expect(t.polls.map((p) => p.sinceMs)).toEqual([49_999, 100, 200, 300]);
    expect(t.timers).toHaveLength(1);
  });

  it('stops when the page is hidden and starts again, at once, when it is visible', async () => {
    const t = setup([() => answer({ nowMs: 1 }), () => answer({ nowMs: 2 })]);
    t.client.start();
    await t.settle();
    t.page.visible = false;
    // The pending tick sees the hidden page and does not poll or reschedule: the service worker may sleep.
    await t.fire(3000);
    expect(t.polls).toHaveLength(1);
    expect(t.timers).toEqual([]);
    t.page.visible = true;
    t.client.start();
    await t.settle();
    expect(t.polls).toHaveLength(2);
    expect(t.polls[1]?.sinceMs).toBe(1);
    t.client.stop();
    expect(t.timers).toEqual([]);
  });

  it('sends nothing while the page shows no badges, and starts once it does', async () => {
    const t = setup([() => answer({ nowMs: 5 })]);
    t.page.store = null;
    t.client.start();
    await t.settle();
    await t.fire(3000);
    expect(t.polls).toEqual([]);
    t.page.store = 'demo';
    await t.fire(3000);
    expect(t.polls).toHaveLength(1);
  });

  it('backs off when the background does not answer, and recovers', async () => {
    const down = () => new Error('Extension context invalidated.');
    const t = setup([down, down, down, down, () => answer({ nowMs: 9 })]);
    t.client.start();
    await t.settle();
    await t.fire(6000);
    await t.fire(12_000);
    await t.fire(20_000);
    await t.fire(20_000);
    expect(t.timers.map((x) => x.ms)).toEqual([3000]);
    expect(t.errors).toHaveLength(4);
  });

  it('re-reads every badge when the store was disconnected meanwhile', async () => {
    const t = setup([
      () => answer({ nowMs: 1 }),
      () => ({ ...answer({ nowMs: 2, nextPollMs: 30_000 }), connected: false, shopDomain: null }),
      () => ({ ...answer({ nowMs: 3, nextPollMs: 30_000 }), connected: false, shopDomain: null }),
    ]);
    t.client.start();
    await t.settle();
    await t.fire(3000);
    expect(t.changed).toEqual(['all']);
    await t.fire(30_000);
    expect(t.changed).toEqual(['all']);
  });

  it('keeps the period at the interval, however long the delta sync behind a poll took', async () => {
    const t = setup([() => answer({ nowMs: 1 }), () => answer({ nowMs: 2 })], 400);
    t.client.start();
    await t.settle();
    expect(t.timers.map((x) => x.ms)).toEqual([2600]);
  });
});
