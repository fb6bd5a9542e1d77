import type { ApiErrorCodeV1 } from '@clvlens/core';

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

/** An expected API failure: becomes `{ error: { code, message } }` with the code's status. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ApiErrorCodeV1;
  constructor(code: ApiErrorCodeV1, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
