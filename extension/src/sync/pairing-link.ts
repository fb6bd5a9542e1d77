/**
 * Reads the pairing link the CLV Lens dashboard shows (`<app>/pair?code=ABCD-1234`): the app address is everything
 * before `/pair`, the code is the `code` parameter. Returns null for anything else (the options page then says what a
 * link looks like). Whitespace around a pasted link is ignored.
 */
export function parsePairingLink(raw: string): { appUrl: string; code: string } | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const code = url.searchParams.get('code')?.trim() ?? '';
  const match = url.pathname.match(/^(.*)\/pair\/?$/);
  if (!match || code === '') return null;
  return { appUrl: `${url.origin}${match[1]}`, code };
}
