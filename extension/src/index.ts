// Public entry of @clvlens/extension: the pieces other packages (tests, benchmarks) may use, listed by name.
export { parseAdminLink, parseAdminPage, customerAdminUrl } from './utils/admin-urls.ts';
export type { AdminLink, AdminPage } from './utils/admin-urls.ts';
export { ExtensionError, ExtensionErrorCode, toPlainError } from './errors.ts';
export type { PlainError } from './errors.ts';
export { DEFAULT_BADGE_SETTINGS, parseRequest } from './messages/protocol.ts';
export type { BadgeSettings, Envelope, LookupResult, Request, RequestOf, RequestType, ResponseMap, ShopStatus } from './messages/protocol.ts';
export type { CachedCustomer, RetentionDB } from './db/schema.ts';
export { CHROMIUM_EXTENSION_ID } from './extension-id.ts';
