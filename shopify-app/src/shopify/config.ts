import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';

/**
 * Scopes the app asks for; kept equal to `shopify.app.toml`. `write_customers` is for writing the app's predictions
 * to customer metafields (metafieldsSet and metafield definitions on customers need the owner's write scope); the app
 * never changes a customer's own fields. `read_marketing_events` is for the ad spend of the shop's marketing
 * activities (LTV:CAC where the merchant uploaded no spend).
 */
export const APP_SCOPES = ['read_orders', 'read_all_orders', 'read_customers', 'write_customers', 'read_marketing_events'] as const;

/** The Admin API version every request and webhook uses; kept equal to `shopify.app.toml`. */
export const API_VERSION = ApiVersion.July26;

/** Options of {@link createShopifyApi}. */
export interface ShopifyApiOptions {
  apiKey: string;
  apiSecretKey: string;
  /** Public URL of the app, e.g. `https://clvlens.example.com`. */
  appUrl: string;
}

/**
 * The `@shopify/shopify-api` object for this app: embedded, expiring offline tokens via token exchange. The library's
 * own logger is silenced below warnings; it never logs tokens in v15.
 */
export function createShopifyApi(options: ShopifyApiOptions): Shopify {
  const url = new URL(options.appUrl);
  return shopifyApi({
    apiKey: options.apiKey,
    apiSecretKey: options.apiSecretKey,
    scopes: [...APP_SCOPES],
    hostName: url.host,
    hostScheme: url.protocol === 'http:' ? 'http' : 'https',
    apiVersion: API_VERSION,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error, httpRequests: false, timestamps: false, log: async () => {} },
  });
}
