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

/** The one error class of the package; `code` is stable, `message` says what to do next. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
