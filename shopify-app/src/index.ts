// Public entry of @clvlens/shopify-app: every export is listed by name.

export { createApp } from './app.ts';
export type { App, AppOptions } from './app.ts';
export { startAppServer } from './start.ts';
export type { AppServer, AppServerConfig } from './start.ts';
export { createDatabase } from './db/connect.ts';
export type { Database, DatabaseOptions } from './db/connect.ts';
export { migrateToLatest } from './db/migrate.ts';
export { createTestDatabase, createTestPostgresDatabase } from './db/test-database.ts';
export type { DB } from './db/schema.ts';
export { createShopifyApi, APP_SCOPES, API_VERSION } from './shopify/config.ts';
export type { ShopifyApiOptions } from './shopify/config.ts';
export { KyselySessionStorage } from './sessions/session-storage.ts';
export { createTokenCipher } from './sessions/token-cipher.ts';
export type { TokenCipher } from './sessions/token-cipher.ts';
export { checkEncryptionKey, reencryptSecrets } from './sessions/key-rotation.ts';
export { parseMoneyToMinor, currencyExponent } from './ingest/money.ts';
export { orderFromWebhook, orderFromGraphql } from './ingest/order.ts';
export type { StoredOrder, StoredRefund } from './ingest/order.ts';
export { loadOrderRecords } from './compute/load.ts';
export type { ComputeOptions, ComputeService } from './compute/service.ts';
export { QUEUES } from './jobs/jobs.ts';
export { WEBHOOK_HANDLERS } from './webhooks/router.ts';
export { AppError, APP_ERROR_CODES, API_ERROR_STATUS } from './errors.ts';
export type { AppErrorCode } from './errors.ts';
export { createJsonLogger, silentLogger, systemClock } from './log.ts';
export type { Clock, Logger } from './log.ts';
export { signedWebhook, orderPayload } from './testing/webhook-request.ts';
