import { ApiError } from '../errors.ts';
import type { ShopGraphql } from './graphql.ts';

/** At most this many names per request: the dashboard asks for its at-risk list (10 to 20 customers). */
export const MAX_CUSTOMER_NAMES = 50;

const CUSTOMER_NAMES_QUERY = /* GraphQL */ `
  #graphql
  query CustomerNames($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        displayName
      }
    }
  }
`;

/**
 * Display names of the shop's customers with the numeric ids in `idsParam` (comma-separated), read live from the
 * Admin API (`nodes(ids:)`, scope read_customers) for the dashboard to show, and never stored: CLV Lens keeps no
 * names. Ids Shopify does not know (deleted customers) are left out of the answer.
 */
export async function readCustomerNames(graphql: ShopGraphql, idsParam: string): Promise<Record<string, string>> {
  const ids = idsParam
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (ids.length === 0) return {};
  if (ids.length > MAX_CUSTOMER_NAMES) throw new ApiError('bad-request', `ids: at most ${MAX_CUSTOMER_NAMES} customer ids per request.`);
  for (const id of ids)
    if (!/^[1-9]\d{0,18}$/.test(id)) throw new ApiError('bad-request', `ids: "${id}" is not a Shopify customer id (a positive whole number).`);
  const data = await graphql.request<{ nodes: ({ id?: string; displayName?: string } | null)[] }>(
    CUSTOMER_NAMES_QUERY,
    { ids: ids.map((id) => `gid://shopify/Customer/${id}`) },
    1 + ids.length,
  );
  const names: Record<string, string> = {};
  for (const node of data.nodes) {
    const id = node?.id?.match(/^gid:\/\/shopify\/Customer\/(\d+)$/)?.[1];
    if (id !== undefined && typeof node?.displayName === 'string') names[id] = node.displayName;
  }
  return names;
}
