/**
 * Routing the real `@shopify/shopify-api` to the fake. The library hard-codes `https://{shop}/...` and rejects ports,
 * so the fetch it uses is replaced: requests to `*.myshopify.com` go to the fake's origin with the shop in
 * `X-Forwarded-Host`; every other URL (the app's own, bulk result files) goes out unchanged.
 */

type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that sends `https://<shop>.myshopify.com/<path>` to `<fake url>/<path>` with `X-Forwarded-Host: <shop>`.
 *
 * @example
 * import '@shopify/shopify-api/adapters/node';
 * import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
 * setAbstractFetchFunc(fakeShopifyFetch(fake));
 */
export function fakeShopifyFetch(fake: { url: string } | string, base: FetchFn = globalThis.fetch): FetchFn {
  const origin = (typeof fake === 'string' ? fake : fake.url).replace(/\/+$/, '');
  return async (input, init) => {
    const req = input instanceof Request ? input : null;
    const u = new URL(req !== null ? req.url : String(input));
    if (!u.hostname.endsWith('.myshopify.com')) return base(input, init);
    const headers = new Headers(init?.headers ?? req?.headers);
    headers.set('x-forwarded-host', u.host);
    const target = `${origin}${u.pathname}${u.search}`;
    if (req !== null) {
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer();
      return base(target, { method: req.method, redirect: req.redirect, ...(body !== undefined ? { body } : {}), ...init, headers });
    }
    return base(target, { ...init, headers });
  };
}

/**
 * Points the `@shopify/shopify-api` in this process at the fake (`setAbstractFetchFunc`, after the Node adapter
 * import). Returns a function that restores the global fetch.
 */
export async function installFakeShopifyFetch(fake: { url: string } | string): Promise<() => void> {
  await import('@shopify/shopify-api/adapters/node');
  const runtime = await import('@shopify/shopify-api/runtime');
  runtime.setAbstractFetchFunc(fakeShopifyFetch(fake) as typeof runtime.abstractFetch);
  return () => runtime.setAbstractFetchFunc(globalThis.fetch as typeof runtime.abstractFetch);
}
