import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, execute, parse, validate, type DocumentNode } from 'graphql';
import type { BulkOperations } from './bulk-operations.ts';
import type { FakeContext } from './context.ts';
import { actualQueryCost, requestedQueryCost } from './cost.ts';
import type { FlowTriggerReceiver } from './flow-triggers.ts';
import { readBody, send } from './http.ts';
import type { OAuthServer } from './oauth.ts';
import type { GqlContext, GqlEnv } from './resolvers.ts';
import type { Throttle } from './throttle.ts';
import type { WebhookSubscriptions } from './webhook-subscriptions.ts';

const MAX_QUERY_COST = 1000;
const API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;
const INVALID_TOKEN_BODY = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

/** What the Admin GraphQL route needs from the other parts of the fake. */
export interface AdminGraphqlDeps {
  oauth: OAuthServer;
  throttle: Throttle;
  bulk: BulkOperations;
  webhooks: WebhookSubscriptions;
  flow: FlowTriggerReceiver;
}

/** `POST /admin/api/{version}/graphql.json` for one shop; the caller has applied faults already. */
export type AdminGraphqlRoute = (req: IncomingMessage, res: ServerResponse, shop: string, version: string) => Promise<void>;

/**
 * The GraphQL Admin API: access-token check, parse and validate (documents cached), the single-query cost limit,
 * the leaky bucket (requested cost reserved, the difference to the actual cost refunded) and execution with the
 * resolvers of resolvers.ts.
 */
export function createAdminGraphql(ctx: FakeContext, deps: AdminGraphqlDeps): AdminGraphqlRoute {
  const { schema, stores, clock } = ctx;
  const { oauth, throttle, bulk, webhooks, flow } = deps;
  const validDocuments = new Map<string, DocumentNode>();
  const env: GqlEnv = {
    nowMs: clock.nowMs,
    appId: ctx.options.appId ?? 4242,
    bulkResultUrl: bulk.bulkResultUrl,
    startBulkQuery: bulk.startBulkQuery,
    cancelBulkOperation: bulk.cancelBulkOperation,
    createSubscription: webhooks.createSubscription,
    deleteSubscription: webhooks.deleteSubscription,
    receiveFlowTrigger(s, args) {
      return flow.receive(s.shop.domain, args, clock.nowMs());
    },
  };

  return async function handleGraphql(req, res, shop, version) {
    const s = stores.get(shop);
    if (s === undefined) return send(res, 404, { errors: 'Not Found' });
    if (!API_VERSION.test(version)) return send(res, 404, { errors: 'Not Found' });
    const vh = { 'X-Shopify-API-Version': version };
    const tokHeader = req.headers['x-shopify-access-token'];
    const tok = oauth.authenticate(typeof tokHeader === 'string' ? tokHeader : null, shop);
    if (tok === null) return send(res, 401, INVALID_TOKEN_BODY, vh);
    const raw = await readBody(req);
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, vh);
    }
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, vh);
    }
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    let doc = validDocuments.get(body.query);
    if (doc === undefined) {
      try {
        doc = parse(body.query);
      } catch (e) {
        const ge = e as GraphQLError;
        return send(res, 200, { errors: [{ message: ge.message, locations: ge.locations ?? [] }] }, vh);
      }
      const vErrors = validate(schema, doc);
      if (vErrors.length > 0) return send(res, 200, { errors: vErrors.map((e) => e.toJSON()) }, vh);
      // An app sends the same few documents over and over (a sync: tens of thousands of times); parse them once.
      if (validDocuments.size >= 500) validDocuments.clear();
      validDocuments.set(body.query, doc);
    }
    const requested = requestedQueryCost(schema, doc, operationName, variables);
    if (requested > MAX_QUERY_COST) {
      return send(
        res,
        200,
        {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST, documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
        },
        vh,
      );
    }
    throttle.refresh(s);
    const usage = throttle.usageOf(s);
    usage.requests++;
    if (requested > s.bucketAvailable) {
      usage.throttled++;
      return send(
        res,
        200,
        {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttle.status(s) } },
        },
        vh,
      );
    }
    s.bucketAvailable -= requested;
    const gqlCtx: GqlContext = { env, store: s, scopes: tok.scopes, apiVersion: version, search: [], bulk: null };
    const result = await execute({ schema, document: doc, variableValues: variables, operationName, contextValue: gqlCtx });
    const actual = actualQueryCost(schema, doc, operationName, variables, result.data as Record<string, unknown> | null | undefined);
    // The requested cost is reserved up front; the difference to the actual cost is refunded.
    s.bucketAvailable = Math.min(s.shop.plan.bucketSize, s.bucketAvailable + Math.max(0, requested - actual));
    usage.actualCostPoints += actual;
    const extensions: Record<string, unknown> = {
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttle.status(s) },
    };
    if (gqlCtx.search.length > 0) extensions['search'] = gqlCtx.search;
    const out: Record<string, unknown> = {};
    if (result.errors !== undefined && result.errors.length > 0) out['errors'] = result.errors.map((e) => e.toJSON());
    out['data'] = result.data ?? null;
    out['extensions'] = extensions;
    send(res, 200, out, vh);
  };
}
