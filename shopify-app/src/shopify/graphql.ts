import { GraphqlQueryError, HttpRequestError, HttpResponseError, type Shopify } from '@shopify/shopify-api';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Clock, Logger } from '../log.ts';
import type { TokenCipher } from '../sessions/token-cipher.ts';
import { getOfflineSession } from './offline-session.ts';

/** Shopify's leaky bucket as a response's `extensions.cost.throttleStatus` reports it (points, points per second). */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** Dependencies of {@link createGraphqlClient}. */
export interface GraphqlDeps {
  db: Kysely<DB>;
  shopify: Shopify;
  cipher: TokenCipher;
  clock: Clock;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** The embedded database (one process): token refreshes lock in this process, not in the database. */
  singleProcess?: boolean;
}

/** Runs Admin GraphQL operations for one shop, honouring throttleStatus, retrying 429/5xx with backoff. */
export interface ShopGraphql {
  request<T>(query: string, variables?: Record<string, unknown>, expectedCost?: number): Promise<T>;
  /** The bucket as the last response reported it, with the time it was read (UTC ms); null before any response. */
  throttleStatus?(): (ThrottleStatus & { atMs: number }) | null;
}

const MAX_ATTEMPTS = 8;

/**
 * A GraphQL client for `shop`. Before each request it waits until the leaky bucket (as last reported in
 * `extensions.cost.throttleStatus`) holds `expectedCost` points, so a sync never causes a retry storm; a THROTTLED
 * answer waits `(requested - available) / restoreRate` seconds; HTTP 429 and 5xx are retried with exponential
 * backoff and jitter; a 401 refreshes the offline token once.
 */
export function createGraphqlClient(deps: GraphqlDeps, shop: string): ShopGraphql {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let bucket: (ThrottleStatus & { atMs: number }) | null = null;
  let refreshed = false;

  const waitForBudget = async (cost: number): Promise<void> => {
    if (!bucket) return;
    const elapsedS = (deps.clock.now() - bucket.atMs) / 1000;
    const available = Math.min(bucket.maximumAvailable, bucket.currentlyAvailable + elapsedS * bucket.restoreRate);
    const need = Math.min(cost, bucket.maximumAvailable);
    if (available < need) await sleep(Math.ceil(((need - available) / bucket.restoreRate) * 1000));
  };

  return {
    throttleStatus: () => bucket,
    async request<T>(query: string, variables?: Record<string, unknown>, expectedCost = 50): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        await waitForBudget(expectedCost);
        try {
          // Inside the retry: a token refresh that gets no response (or a 5xx) is retried like the request itself.
          const session = await getOfflineSession(deps, shop);
          const client = new deps.shopify.clients.Graphql({ session });
          const response = await client.request<T>(query, { variables: variables ?? {}, retries: 0 });
          const status = (response.extensions as { cost?: { throttleStatus?: ThrottleStatus } } | undefined)?.cost?.throttleStatus;
          if (status) bucket = { ...status, atMs: deps.clock.now() };
          if (response.data === undefined || response.data === null) {
            throw new AppError('shopify-request', `GraphQL answered without data for ${shop}`);
          }
          return response.data as T;
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new AppError('shopify-request', `GraphQL request for ${shop} failed ${attempt} times: ${(error as Error).message}`, {
              cause: error,
            });
          }
          if (error instanceof GraphqlQueryError) {
            const body = error.body as
              | {
                  errors?: { graphQLErrors?: { extensions?: { code?: string } }[] };
                  extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
                }
              | undefined;
            const throttled = body?.errors?.graphQLErrors?.some((e) => e.extensions?.code === 'THROTTLED');
            if (!throttled) throw new AppError('shopify-request', `GraphQL error for ${shop}: ${error.message}`, { cause: error });
            const cost = body?.extensions?.cost;
            const status = cost?.throttleStatus;
            const requested = cost?.requestedQueryCost ?? expectedCost;
            const waitMs = status ? Math.max(100, Math.ceil(((requested - status.currentlyAvailable) / status.restoreRate) * 1000)) : backoffMs(attempt);
            if (status) bucket = { ...status, atMs: deps.clock.now() + waitMs };
            deps.log.info('graphql throttled, waiting', { shop, waitMs });
            await sleep(waitMs);
            continue;
          }
          if (error instanceof HttpResponseError) {
            const code = error.response.code;
            if (code === 401 && !refreshed) {
              refreshed = true;
              await getOfflineSession(deps, shop, { forceRefresh: true });
              continue;
            }
            if (code === 429 || code >= 500) {
              const retryAfterS = Number((error.response as { retryAfter?: number }).retryAfter);
              const waitMs = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : backoffMs(attempt);
              deps.log.warn('graphql request failed, retrying', { shop, status: code, waitMs });
              await sleep(waitMs);
              continue;
            }
          }
          if (gotNoResponse(error)) {
            deps.log.warn('graphql request got no response, retrying', { shop, message: (error as Error).message });
            await sleep(backoffMs(attempt));
            continue;
          }
          throw error;
        }
      }
    },
  };
}

/**
 * Whether a Shopify call failed without an answer: a connection refused, or a kept-alive connection reset as the
 * request went out. Transient, retried like a 5xx. The GraphQL client hands it on as HttpRequestError ("no response
 * available"), other calls (token exchange, refresh) as fetch's TypeError: checking for the TypeError alone let such
 * a blip fail an install or a job (pg-shops bench).
 */
export function gotNoResponse(error: unknown): boolean {
  return error instanceof HttpRequestError || error instanceof TypeError;
}

/** 250 ms, 500 ms, 1 s, ... capped at 30 s, with up to 50% jitter so several workers do not retry in step. */
export function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 250 * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + Math.random() * 0.5));
}
