import '@shopify/shopify-api/adapters/node';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';
import { createFakeShopify, type CreateFakeShopifyOptions, type FakeShopify } from '../fake-shopify/server.ts';
import { fakeShopifyFetch } from '../fake-shopify/fetch.ts';

export const API_KEY = 'clvlens-test-key';
export const API_SECRET = 'clvlens-test-secret';

/** Starts a fake on an ephemeral loopback port and a real shopifyApi() whose fetch is routed to it. */
export interface Harness {
  fake: FakeShopify;
  shopify: Shopify;
  /** Routes the process-wide library fetch to this harness's fake again (after another harness took it). */
  activate: () => void;
}

export async function startHarness(extra: Partial<CreateFakeShopifyOptions> = {}): Promise<Harness> {
  const fake = await createFakeShopify({ appApiKey: API_KEY, appSecret: API_SECRET, ...extra });
  const activate = (): void => setAbstractFetchFunc(fakeShopifyFetch(fake));
  activate();
  const shopify = shopifyApi({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    scopes: ['read_orders', 'read_customers', 'read_all_orders', 'write_customers'],
    hostName: 'clvlens.example',
    apiVersion: ApiVersion.July26,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error, log: () => undefined },
  });
  return { fake, shopify, activate };
}
