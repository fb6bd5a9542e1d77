import type { MessageKey, Translator } from '@clvlens/core/i18n/base';
import type { NoticeRecord } from '../db/schema.ts';
import { ExtensionErrorCode, type PlainError } from '../errors.ts';

/** The catalog message of each code (`ext.error.<suffix>`); protocol and programming errors read as "something went wrong". */
const SUFFIX: Readonly<Record<ExtensionErrorCode, string>> = {
  [ExtensionErrorCode.offline]: 'offline',
  [ExtensionErrorCode.appUnreachable]: 'app-unreachable',
  [ExtensionErrorCode.unauthorized]: 'unauthorized',
  [ExtensionErrorCode.pairingCodeInvalid]: 'pairing-code-invalid',
  [ExtensionErrorCode.notConnected]: 'not-connected',
  [ExtensionErrorCode.badResponse]: 'bad-response',
  [ExtensionErrorCode.appError]: 'app-error',
  [ExtensionErrorCode.invalidAppUrl]: 'invalid-app-url',
  [ExtensionErrorCode.permissionDenied]: 'permission-denied',
  [ExtensionErrorCode.quotaExceeded]: 'quota-exceeded',
  [ExtensionErrorCode.badMessage]: 'internal',
  [ExtensionErrorCode.internal]: 'internal',
};

/**
 * What a merchant reads about an error, in the UI language: the catalog message of its code, with the values it names.
 * An error stored by a version before messages had params (the shop's last sync error) lacks them: its English
 * message is shown rather than a sentence with a hole.
 */
export function errorText(t: Translator, error: PlainError): string {
  const suffix = SUFFIX[error.code] ?? 'internal';
  try {
    // The key is written out in the call, so the extension's catalog subset (make-messages) carries every `ext.error.*`.
    return t.t(`ext.error.${suffix}` as MessageKey, error.params);
  } catch (cause) {
    // A missing parameter (an old record); a key missing from the subset would be a bug, and the subset test catches it.
    if (cause instanceof TypeError) return error.message;
    throw cause;
  }
}

/** A popup notice in the UI language (the English `message` for notices stored before notices had their fields). */
export function noticeText(t: Translator, notice: NoticeRecord): string {
  if (notice.evicted) return t.t('ext.notice.evicted', notice.evicted);
  if (notice.error) return errorText(t, notice.error);
  return notice.message;
}
