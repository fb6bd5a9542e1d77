/**
 * Stable error codes of `@clvlens/extension`, listed in the package README. They travel across the message boundary
 * as plain `{ code, message }` objects ({@link PlainError}), because `instanceof` does not survive that trip.
 */
export const ExtensionErrorCode = {
  /** The app rejected the token (revoked or unknown): reconnect from the options page. */
  unauthorized: 'unauthorized',
  /** The one-time pairing code was wrong, used or expired. */
  pairingCodeInvalid: 'pairing-code-invalid',
  /** The browser is offline (no network at all): nothing is wrong with the app or the pairing. */
  offline: 'offline',
  /** The app could not be reached while the browser is online (wrong URL, app stopped, DNS). */
  appUnreachable: 'app-unreachable',
  /** The app answered with something that is not the v1 contract. */
  badResponse: 'bad-response',
  /** The app answered with an error other than the ones above. */
  appError: 'app-error',
  /** The app URL is not a valid http(s) URL. */
  invalidAppUrl: 'invalid-app-url',
  /** The user declined the host permission for the app URL. */
  permissionDenied: 'permission-denied',
  /** No shop with that domain or store handle is connected. */
  notConnected: 'not-connected',
  /** IndexedDB refused a write even after evicting other shops. */
  quotaExceeded: 'quota-exceeded',
  /** A message did not match the protocol. */
  badMessage: 'bad-message',
  /** A bug: an unexpected exception, reported rather than swallowed. */
  internal: 'internal',
} as const;

export type ExtensionErrorCode = (typeof ExtensionErrorCode)[keyof typeof ExtensionErrorCode];

/** Values a merchant-facing message about an error names (the app's origin, the shop, an HTTP status). */
export type ErrorParams = Readonly<Record<string, string | number>>;

/**
 * An error as it crosses the message boundary. `message` is English, for logs and developers; what a merchant reads
 * comes from the catalog by `code` and `params` (`errorText` in `i18n/error-text.ts`), in the browser's language.
 */
export interface PlainError {
  code: ExtensionErrorCode;
  message: string;
  params?: ErrorParams;
}

/** The one error class of the extension; `code` is stable, `message` says what to do next. */
export class ExtensionError extends Error {
  override name = 'ExtensionError';
  readonly code: ExtensionErrorCode;
  readonly params: ErrorParams | undefined;
  constructor(code: ExtensionErrorCode, message: string, options?: { cause?: unknown; params?: ErrorParams }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.params = options?.params;
  }
}

/** Turns anything thrown into a {@link PlainError}; non-ExtensionErrors become `internal`. */
export function toPlainError(error: unknown): PlainError {
  if (error instanceof ExtensionError) return { code: error.code, message: error.message, ...(error.params ? { params: error.params } : {}) };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: ExtensionErrorCode.internal, message: `Unexpected error in CLV Lens: ${message}` };
}

/** True for IndexedDB's "storage full" error, under its Chromium and Firefox names. */
export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}
