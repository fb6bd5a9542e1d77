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
 * The error class of the package's own failures (config, storage, sync, Shopify requests); `code` is stable, `message`
 * says what to do next. A failure answered over HTTP is an {@link ApiError}.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
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
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ApiErrorCodeV1;
  constructor(code: ApiErrorCodeV1, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
