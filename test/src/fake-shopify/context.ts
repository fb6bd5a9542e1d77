import { buildSchema, type GraphQLSchema } from 'graphql';
import { createClock, type FakeClock } from './clock.ts';
import { FakeShopifyError } from './errors.ts';
import { normalizeDomain } from './http.ts';
import type { CreateFakeShopifyOptions } from './public-types.ts';
import { attachResolvers } from './resolvers.ts';
import { FULL_SDL } from './schema-sdl.ts';
import type { ShopStore } from './shop-store.ts';

/**
 * What every part of the fake shares: its options, its clock, the shops and the GraphQL schema. Each concern
 * (webhooks, throttling, bulk operations, Admin GraphQL, OAuth routes, control API) is a small factory taking this
 * context, as `@shopify/shopify-api` builds one factory per concern over its validated config.
 */
export interface FakeContext {
  readonly options: CreateFakeShopifyOptions;
  readonly clock: FakeClock;
  /** Scopes granted on install. */
  readonly scopes: readonly string[];
  /** Shop domain (`<handle>.myshopify.com`) -> its data. */
  readonly stores: Map<string, ShopStore>;
  /** The Admin API schema with the fake's resolvers attached. */
  readonly schema: GraphQLSchema;
  /** `http://host:port` once the server listens; bulk result URLs are built from it. */
  baseUrl: string;
  /** The shop's store; throws `UNKNOWN_SHOP` when the fake has no such shop. */
  store(domain: string): ShopStore;
}

const DEFAULT_SCOPES = ['read_orders', 'read_customers', 'read_all_orders', 'write_customers'] as const;

export function createFakeContext(options: CreateFakeShopifyOptions): FakeContext {
  const stores = new Map<string, ShopStore>();
  const schema = buildSchema(FULL_SDL);
  attachResolvers(schema);
  return {
    options,
    clock: createClock(options.now),
    scopes: options.scopes ?? DEFAULT_SCOPES,
    stores,
    schema,
    baseUrl: '',
    store(domain) {
      const s = stores.get(normalizeDomain(domain));
      if (s === undefined) throw new FakeShopifyError('UNKNOWN_SHOP', `no shop ${domain} in the fake; create it with control.createShop`);
      return s;
    },
  };
}
