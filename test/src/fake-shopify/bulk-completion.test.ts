import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSimpleShop } from '../contract/simple-shop.ts';
import { createFakeShopify, type FakeShopify } from './server.ts';

/**
 * Shopify publishes a COMPLETED bulk operation together with its result: `url` is null only when the operation found
 * nothing (objectCount 0). The fake once set `status = COMPLETED` before the file's size and path (an await apart), so
 * a poll landing in between saw "completed, no results" for a shop full of orders and the app marked it live with 0
 * orders. This polls back to back while operations finish and checks every COMPLETED answer it gets.
 */

const SHOP = 'bulk-completion.myshopify.com';
const API_VERSION = '2026-07';
let fake: FakeShopify;
let token = '';

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${fake.url}/admin/api/${API_VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-host': SHOP, 'x-shopify-access-token': token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.data === undefined) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

type Op = { id: string; status: string; objectCount: string; url: string | null };

beforeAll(async () => {
  fake = await createFakeShopify({ appApiKey: 'k', appSecret: 's' });
  fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 300, customers: 80 }));
  token = fake.control.issueOfflineToken(SHOP);
});
afterAll(async () => {
  await fake.stop();
});

describe('bulk operation completion', () => {
  it('never reports COMPLETED without the url of a non-empty result', async () => {
    const seen: Op[] = [];
    for (let run = 0; run < 25; run++) {
      const started = await gql<{ bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: unknown[] } }>(
        `mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
        { q: '{ orders { edges { node { id } } } }' },
      );
      const id = started.bulkOperationRunQuery.bulkOperation?.id;
      expect(started.bulkOperationRunQuery.userErrors).toEqual([]);
      // Several polls in flight at once, as an app's poller and its finish-webhook job would be.
      const poll = async (): Promise<Op> => {
        for (;;) {
          const { bulkOperation } = await gql<{ bulkOperation: Op }>(`query S($id: ID!) { bulkOperation(id: $id) { id status objectCount url } }`, { id });
          if (bulkOperation.status !== 'CREATED' && bulkOperation.status !== 'RUNNING') return bulkOperation;
        }
      };
      seen.push(...(await Promise.all([poll(), poll(), poll(), poll()])));
    }
    for (const op of seen) {
      expect(op.status).toBe('COMPLETED');
      expect(op.objectCount).toBe('300');
      expect(op.url).not.toBeNull();
    }
    const res = await fetch(seen[0]?.url ?? '');
    expect((await res.text()).trim().split('\n')).toHaveLength(300);
  }, 120_000);
});
