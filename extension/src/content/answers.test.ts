import { describe, expect, it } from 'vitest';
import { toCachedCustomer } from '../db/cache.ts';
import type { LookupResult, ResponseMap } from '../messages/protocol.ts';
import { sampleInsight } from '../testing/fake-app-api.ts';
import { createAnswers, want, type IdsByStore } from './answers.ts';

const customer = (id: string) => toCachedCustomer('demo.myshopify.com', sampleInsight(id));
const ids = (store: string, ...list: string[]): IdsByStore => {
  const m: IdsByStore = new Map();
  for (const id of list) want(m, store, id);
  return m;
};

function setup(opts: { connected?: boolean; names?: (ids: string[]) => Promise<Record<string, string>> } = {}) {
  let now = Date.UTC(2026, 10, 23);
  const calls: string[] = [];
  const errors: unknown[] = [];
  const answers = createAnswers({
    nowMs: () => now,
    async lookupCustomers(store, list): Promise<LookupResult> {
      calls.push(`customers:${store}:${list.join(',')}`);
      return { connected: opts.connected ?? true, shopDomain: 'demo.myshopify.com', timeZone: 'Asia/Seoul', customers: { '101': customer('101') } };
    },
    async lookupOrders(store, list): Promise<ResponseMap['orders.lookup']> {
      calls.push(`orders:${store}:${list.join(',')}`);
      return {
        connected: opts.connected ?? true,
        shopDomain: 'demo.myshopify.com',
        orderCustomerIds: { '5001': '101', '5002': null, '5003': null },
        guestOrderIds: ['5002'],
        customers: { '101': customer('101') },
      };
    },
    ...(opts.names ? { customerNames: (_store: string, list: string[]) => opts.names!(list) } : {}),
    onError: (error) => errors.push(error),
  });
  return { answers, calls, errors, advance: (ms: number) => (now += ms) };
}

describe('createAnswers: the page memory of what the background said', () => {
  it('answers a customer from memory for 30 s, with the shop time zone, then asks again', async () => {
    const t = setup();
    expect(t.answers.viewFor('demo', '101')).toBeNull();
    await t.answers.fetch(ids('demo', '101', '999'), new Map());
    expect(t.answers.viewFor('demo', '101')).toMatchObject({ state: 'found', timeZone: 'Asia/Seoul', customer: { customerId: '101' } });
    expect(t.answers.viewFor('demo', '999')).toEqual({ state: 'missing' });
    t.advance(30_000);
    expect(t.answers.viewFor('demo', '101')).not.toBeNull();
    t.advance(1);
    expect(t.answers.viewFor('demo', '101')).toBeNull();
  });

  it("tells an order's customer, a guest checkout and an order without a customer apart", async () => {
    const t = setup();
    await t.answers.fetch(new Map(), ids('demo', '5001', '5002', '5003'));
    expect(t.calls).toEqual(['orders:demo:5001,5002,5003']);
    // The order's customer came with the order answer: no second lookup needed.
    expect(t.answers.viewForLink({ kind: 'order', storeHandle: 'demo', orderId: '5001' })).toMatchObject({ state: 'found' });
    expect(t.answers.viewForLink({ kind: 'order', storeHandle: 'demo', orderId: '5002' })).toEqual({ state: 'guest' });
    expect(t.answers.viewForLink({ kind: 'order', storeHandle: 'demo', orderId: '5003' })).toEqual({ state: 'missing' });
    expect(t.answers.customerOf({ kind: 'order', storeHandle: 'demo', orderId: '5001' })).toBe('101');
    expect(t.answers.viewForLink({ kind: 'order', storeHandle: 'other', orderId: '5001' })).toBeNull();
  });

  it('a customer or order without an answer reads "not ready yet" while the app has computed nothing for the shop', async () => {
    let pending = true;
    const answers = createAnswers({
      nowMs: () => Date.UTC(2026, 10, 23),
      lookupCustomers: async () => ({
        connected: true,
        shopDomain: 'demo.myshopify.com',
        ...(pending ? { metricsPending: true } : {}),
        customers: { '101': null },
      }),
      lookupOrders: async () => ({
        connected: true,
        shopDomain: 'demo.myshopify.com',
        ...(pending ? { metricsPending: true } : {}),
        orderCustomerIds: { '5003': null },
        customers: {},
      }),
    });
    await answers.fetch(ids('demo', '101'), ids('demo', '5003'));
    expect(answers.viewFor('demo', '101')).toEqual({ state: 'missing', pending: true });
    expect(answers.viewForLink({ kind: 'order', storeHandle: 'demo', orderId: '5003' })).toEqual({ state: 'missing', pending: true });
    pending = false;
    await answers.fetch(ids('demo', '101'), new Map());
    expect(answers.viewFor('demo', '101')).toEqual({ state: 'missing' });
  });

  it('a shop that is not connected reads as such, and clear() forgets every answer', async () => {
    const t = setup({ connected: false });
    await t.answers.fetch(ids('demo', '101'), ids('demo', '5001'));
    expect(t.answers.viewFor('demo', '101')).toEqual({ state: 'not-connected' });
    expect(t.answers.viewForLink({ kind: 'order', storeHandle: 'demo', orderId: '5001' })).toEqual({ state: 'not-connected' });
    t.answers.clear();
    expect(t.answers.viewFor('demo', '101')).toBeNull();
    expect(t.answers.orderAnswer('demo', '5001')).toBeUndefined();
  });

  it('reads names 50 at a time; a failed request is reported and its names kept as unknown, not asked again', async () => {
    const asked: number[] = [];
    const t = setup({
      async names(list) {
        asked.push(list.length);
        if (asked.length === 2) throw new Error('offline');
        return Object.fromEntries(list.map((id) => [id, `Name ${id}`]));
      },
    });
    const many = Array.from({ length: 120 }, (_, i) => String(1000 + i));
    await t.answers.fetchNames(ids('demo', ...many));
    expect(asked).toEqual([50, 50, 20]);
    expect(t.answers.nameOf('demo', '1000')).toBe('Name 1000');
    expect(t.answers.nameOf('demo', '1050')).toBeNull();
    expect(t.answers.nameOf('demo', '1119')).toBe('Name 1119');
    expect(t.answers.nameOf('demo', '5')).toBeUndefined();
    expect(t.errors).toHaveLength(1);
  });
});
