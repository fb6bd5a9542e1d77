import { browser } from 'wxt/browser';
import { ExtensionError, ExtensionErrorCode } from '../errors.ts';
import type { Envelope, RequestOf, RequestType, ResponseMap } from './protocol.ts';

/**
 * Sends one request to the background service worker and unwraps the envelope; throws {@link ExtensionError} with
 * the background's code when it answered with an error.
 */
export async function sendRequest<T extends RequestType>(request: RequestOf<T>): Promise<ResponseMap[T]> {
  const envelope = (await browser.runtime.sendMessage(request)) as Envelope<ResponseMap[T]> | undefined;
  if (!envelope || typeof envelope !== 'object' || !('ok' in envelope)) {
    throw new ExtensionError(ExtensionErrorCode.internal, `No answer from the CLV Lens background for ${request.type}.`);
  }
  if (!envelope.ok) {
    const { code, message, params } = envelope.error;
    throw new ExtensionError(code, message, params ? { params } : undefined);
  }
  return envelope.value;
}
