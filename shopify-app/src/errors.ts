import type { ApiErrorCodeV1 } from '@clvlens/core';

/** Stable error codes of `@clvlens/shopify-app` (listed in the package README). */
export const APP_ERROR_CODES = {
  config: 'config',
  dataDirLocked: 'data-dir-locked',
  migrationFailed: 'migration-failed',
  tokenDecrypt: 'token-decrypt',
  sync: 'sync',
  shopifyRequest: 'shopify-request',
  badPayload: 'bad-payload',
  /** A job's work ended at a checkpoint because the job was handed back (its process is stopping); its retry redoes it. */
  handedBack: 'handed-back',
} as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[keyof typeof APP_ERROR_CODES];

/**
 * The one base error class of the package; `code` is stable, `message` says what to do next. Thrown as is for the
 * package's own failures (config, storage, sync, Shopify requests: {@link AppErrorCode}); a failure answered over HTTP
 * is its subclass {@link ApiError}, whose codes are the public API's.
 */
export class AppError<Code extends AppErrorCode | ApiErrorCodeV1 = AppErrorCode> extends Error {
  override name = 'AppError';
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** HTTP status of each stable API error code (listed in the README). */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorCodeV1, number>> = {
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'guest-order': 404,
  'bad-request': 400,
  'pairing-code-invalid': 400,
  'rate-limited': 429,
  internal: 500,
};

/**
 * An expected failure of an HTTP request (the extension's API, the dashboard's, installs, imports): becomes
 * `{ error: { code, message } }` with the code's status. Its codes are the public API's (`ApiErrorCodeV1` in core).
 */
export class ApiError extends AppError<ApiErrorCodeV1> {
  override name = 'ApiError';
}
