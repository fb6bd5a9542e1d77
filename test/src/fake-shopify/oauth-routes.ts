import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeContext } from './context.ts';
import { readBody, send } from './http.ts';
import { oauthQueryHmac, type OAuthServer } from './oauth.ts';

/** The two OAuth routes of a shop; token logic itself is in oauth.ts. */
export interface OAuthRoutes {
  /** `POST /admin/oauth/access_token` (JSON or form body); the caller has applied faults already. */
  accessToken(req: IncomingMessage, res: ServerResponse, shop: string): Promise<void>;
  /** `GET /admin/oauth/authorize`: installs the app and 302s back with a signed authorization code. */
  authorize(res: ServerResponse, shop: string, url: URL): void;
}

export function createOAuthRoutes(ctx: FakeContext, oauth: OAuthServer): OAuthRoutes {
  const { stores, options, clock } = ctx;
  return {
    async accessToken(req, res, shop) {
      const raw = await readBody(req);
      let body: Record<string, unknown>;
      try {
        const ct = req.headers['content-type'] ?? '';
        body = ct.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        return send(res, 400, { error: 'invalid_request', error_description: 'The request body is not valid JSON.' });
      }
      if (!stores.has(shop)) return send(res, 404, { errors: 'Not Found' });
      const r = oauth.handle(shop, body);
      return send(res, r.status, r.body);
    },
    authorize(res, shop, url) {
      const s = stores.get(shop);
      if (s === undefined) return send(res, 404, { errors: 'Not Found' });
      if (url.searchParams.get('client_id') !== options.appApiKey) return send(res, 400, { errors: 'Invalid client_id' });
      const redirect = url.searchParams.get('redirect_uri');
      if (redirect === null) return send(res, 400, { errors: 'Missing redirect_uri' });
      s.installed = true;
      const online = url.searchParams.getAll('grant_options[]').includes('per-user');
      const params: Record<string, string> = {
        code: oauth.issueAuthorizationCode(shop, online),
        host: Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, '')}`)
          .toString('base64')
          .replace(/=+$/, ''),
        shop,
        state: url.searchParams.get('state') ?? '',
        timestamp: String(Math.floor(clock.nowMs() / 1000)),
      };
      params['hmac'] = oauthQueryHmac(params, options.appSecret);
      const target = new URL(redirect);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      res.writeHead(302, { Location: target.toString() });
      res.end();
    },
  };
}
