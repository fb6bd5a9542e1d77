/**
 * `pnpm --filter @clvlens/test fake-shopify`: runs the fake Shopify until Ctrl-C.
 * Env: FAKE_SHOPIFY_API_KEY, FAKE_SHOPIFY_API_SECRET (required unless defaults are fine for a demo),
 * FAKE_SHOPIFY_PORT (default 0 = ephemeral), FAKE_SHOPIFY_HOST (default 127.0.0.1),
 * FAKE_SHOPIFY_SHOPS (comma-separated handles to create empty, default none),
 * FAKE_SHOPIFY_WEBHOOK_URI (app-wide subscription to every topic), FAKE_SHOPIFY_COMPLIANCE_URI,
 * FAKE_SHOPIFY_DEMO_SHOP (a shop name: generate it with the shop generator and load it),
 * FAKE_SHOPIFY_DEMO_CUSTOMERS (default 2000), FAKE_SHOPIFY_DEMO_SEED (default 1),
 * FAKE_SHOPIFY_LIVE_PER_MINUTE (keep placing and changing orders in the demo shop at this rate; default off).
 * Prints one JSON line `{"url":..,"apiKey":..}` on stdout once listening.
 */
import { generateShop } from '../generator/generate.ts';
import { startLiveShop } from '../generator/live.ts';
import { createFakeShopify } from './server.ts';
import { WEBHOOK_TOPICS } from './topics.ts';

const env = process.env;
const webhookUri = env['FAKE_SHOPIFY_WEBHOOK_URI'];
const fake = await createFakeShopify({
  appApiKey: env['FAKE_SHOPIFY_API_KEY'] ?? 'clvlens-dev-key',
  appSecret: env['FAKE_SHOPIFY_API_SECRET'] ?? 'clvlens-dev-secret',
  port: Number(env['FAKE_SHOPIFY_PORT'] ?? 0),
  host: env['FAKE_SHOPIFY_HOST'] ?? '127.0.0.1',
  appWebhooks: webhookUri === undefined ? [] : [{ topics: WEBHOOK_TOPICS, uri: webhookUri }],
  complianceWebhooksUri: env['FAKE_SHOPIFY_COMPLIANCE_URI'] ?? null,
});
for (const handle of (env['FAKE_SHOPIFY_SHOPS'] ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '')) {
  fake.control.createShop({ domain: handle });
}
const demoName = env['FAKE_SHOPIFY_DEMO_SHOP'];
let demoShop: string | null = null;
let live: { stop(): Promise<void> } | null = null;
if (demoName !== undefined && demoName.trim() !== '') {
  const data = generateShop({
    seed: env['FAKE_SHOPIFY_DEMO_SEED'] ?? 1,
    customers: Number(env['FAKE_SHOPIFY_DEMO_CUSTOMERS'] ?? 2000),
    endMs: fake.control.nowMs(),
    shopName: demoName,
  });
  fake.control.loadShop(data);
  demoShop = data.shop.domain;
  const perMinute = Number(env['FAKE_SHOPIFY_LIVE_PER_MINUTE'] ?? 0);
  if (perMinute > 0) {
    live = startLiveShop({ fake, shopDomain: demoShop, ordersPerMinute: perMinute, seed: env['FAKE_SHOPIFY_DEMO_SEED'] ?? 1 });
  }
}
const shutdown = (): void => {
  void (live?.stop() ?? Promise.resolve()).then(() => fake.stop()).then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Printed once the handlers are in place: a signal sent on this line must stop the fake cleanly.
process.stdout.write(`${JSON.stringify({ url: fake.url, apiKey: fake.app.apiKey, control: `${fake.url}/_control/`, demoShop })}\n`);
