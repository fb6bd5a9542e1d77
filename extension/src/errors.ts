/**
 * Stable error codes of `@clvlens/extension`, listed in the package README. They travel across the message boundary
 * as plain `{ code, message }` objects ({@link PlainError}), because `instanceof` does not survive that trip.
 */
export const ExtensionErrorCode = {
  /** The app rejected the token (revoked or unknown): reconnect from the options page. */
  unauthorized: 'unauthorized',
  /** The one-time pairing code was wrong, used or expired. */
  pairingCodeInvalid: 'pairing-code-invalid',
  /** The app could not be reached (network down, wrong URL, app stopped). */
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

/** An error as it crosses the message boundary. */
export interface PlainError {
  code: ExtensionErrorCode;
  message: string;
}

/** The one error class of the extension; `code` is stable, `message` says what to do next. */
export class ExtensionError extends Error {
  override name = 'ExtensionError';
  readonly code: ExtensionErrorCode;
  constructor(code: ExtensionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Turns anything thrown into a {@link PlainError}; non-ExtensionErrors become `internal`. */
export function toPlainError(error: unknown): PlainError {
  if (error instanceof ExtensionError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: ExtensionErrorCode.internal, message: `Unexpected error in CLV Lens: ${message}` };
}

/** True for IndexedDB's "storage full" error, under its Chromium and Firefox names. */
export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}
