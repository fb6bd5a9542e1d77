import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runBulkQuery, validateBulkQuery } from './bulk.ts';
import { isoDateTime } from './clock.ts';
import type { FakeContext } from './context.ts';
import { toGid } from './gid.ts';
import { normalizeDomain, send, sleep } from './http.ts';
import type { PrebuiltBulkFile } from './public-types.ts';
import type { GqlEnv } from './resolvers.ts';
import type { BulkOperationRecord } from './shop-store.ts';
import type { WebhookSubscriptions } from './webhook-subscriptions.ts';

/**
 * Bulk query operations: start (at most 1 running per shop, 5 from API 2026-01), run in the background into a JSONL
 * file, `bulk_operations/finish` webhook, cancel, and the result files served under `/_bulk/<token>.jsonl`.
 */
export interface BulkOperations {
  bulkResultUrl: GqlEnv['bulkResultUrl'];
  startBulkQuery: GqlEnv['startBulkQuery'];
  cancelBulkOperation: GqlEnv['cancelBulkOperation'];
  /** Streams the result file named by `token`, or answers 404. */
  serveFile(token: string, res: ServerResponse): void;
  /** Resolves when no bulk operation of the shop is running. */
  idle(domain: string): Promise<void>;
  /** See {@link FakeShopifyControl.useBulkOrdersFile}. */
  useOrdersFile(domain: string, file: PrebuiltBulkFile | null): void;
  /** Cancels every running operation and waits for them. */
  stop(): Promise<void>;
  /** Removes the result folder if the fake made it (after the server closed: a file may still be streaming). */
  removeFiles(): Promise<void>;
}

/** Shopify's version ordering: `unstable` is the newest. */
function versionAtLeast(v: string, min: string): boolean {
  return v === 'unstable' || v >= min;
}

export async function createBulkOperations(ctx: FakeContext, webhooks: WebhookSubscriptions): Promise<BulkOperations> {
  const { clock, schema } = ctx;
  const ownDir = ctx.options.bulkDir === undefined;
  const bulkDir = ctx.options.bulkDir ?? (await mkdtemp(join(tmpdir(), 'clvlens-fake-shopify-')));
  const bulkFiles = new Map<string, string>();
  const bulkTokens = new Map<BulkOperationRecord, string>();
  const runningBulk = new Map<string, Set<Promise<void>>>();
  const ordersFiles = new Map<string, PrebuiltBulkFile>();
  let nextBulkId = 1;

  return {
    bulkResultUrl(_s, op) {
      if (op.status !== 'COMPLETED' || op.filePath === null) return null;
      let token = bulkTokens.get(op);
      if (token === undefined) {
        token = randomBytes(12).toString('hex');
        bulkTokens.set(op, token);
        bulkFiles.set(token, op.filePath);
      }
      return `${ctx.baseUrl}/_bulk/${token}.jsonl`;
    },
    startBulkQuery(s, query, gqlCtx) {
      const limit = versionAtLeast(gqlCtx.apiVersion, '2026-01') ? 5 : 1;
      const running = s.bulkOperations.filter((b) => b.type === 'QUERY' && (b.status === 'CREATED' || b.status === 'RUNNING'));
      if (running.length >= limit) {
        const which = running[running.length - 1] as BulkOperationRecord;
        return {
          op: null,
          userErrors: [
            {
              field: null,
              code: 'OPERATION_IN_PROGRESS',
              message: `A bulk query operation for this app and shop is already in progress: ${toGid('BulkOperation', which.id)}.`,
            },
          ],
        };
      }
      const v = validateBulkQuery(schema, query);
      if (!v.ok) return { op: null, userErrors: [{ field: ['query'], code: 'INVALID', message: v.message }] };
      const op: BulkOperationRecord = {
        id: nextBulkId++,
        status: 'CREATED',
        errorCode: null,
        createdAtMs: clock.nowMs(),
        completedAtMs: null,
        objectCount: 0,
        rootObjectCount: 0,
        fileSize: null,
        filePath: null,
        query,
        type: 'QUERY',
        cancelRequested: false,
      };
      s.bulkOperations.push(op);
      const filePath = join(bulkDir, `bulk-${s.shop.id}-${op.id}.jsonl`);
      const run = (async () => {
        await sleep(0);
        try {
          const prebuilt = v.value.rootName === 'orders' ? ordersFiles.get(s.shop.domain) : undefined;
          if (prebuilt !== undefined) {
            // Published like a finished export: counts, size and url together with the status.
            op.status = 'RUNNING';
            op.rootObjectCount = prebuilt.rootObjectCount;
            op.objectCount = prebuilt.objectCount;
            op.fileSize = (await stat(prebuilt.path)).size;
            op.filePath = prebuilt.objectCount > 0 ? prebuilt.path : null;
            op.status = 'COMPLETED';
          } else {
            await runBulkQuery({ schema, filePath, yieldToEventLoop: () => new Promise((r) => setImmediate(r)) }, s, op, v.value, { ...gqlCtx, search: [] });
          }
        } catch (e) {
          op.status = 'FAILED';
          op.errorCode = 'INTERNAL_SERVER_ERROR';
          process.emitWarning(`fake-shopify bulk operation ${op.id} failed: ${(e as Error).stack ?? String(e)}`);
        }
        op.completedAtMs = clock.nowMs();
        webhooks.emit(s, [
          {
            topic: 'bulk_operations/finish',
            payload: {
              admin_graphql_api_id: toGid('BulkOperation', op.id),
              completed_at: isoDateTime(op.completedAtMs),
              created_at: isoDateTime(op.createdAtMs),
              error_code: op.errorCode?.toLowerCase() ?? null,
              status: op.status.toLowerCase(),
              type: 'query',
            },
          },
        ]);
      })();
      let set = runningBulk.get(s.shop.domain);
      if (set === undefined) runningBulk.set(s.shop.domain, (set = new Set()));
      set.add(run);
      void run.finally(() => set.delete(run));
      return { op, userErrors: [] };
    },
    cancelBulkOperation(s, id) {
      const op = s.bulkOperations.find((b) => b.id === id);
      if (op === undefined) return { op: null, userErrors: [{ field: ['id'], code: null, message: 'Bulk operation does not exist' }] };
      if (op.status !== 'CREATED' && op.status !== 'RUNNING') {
        return { op, userErrors: [{ field: null, code: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
      }
      op.cancelRequested = true;
      op.status = 'CANCELING';
      return { op, userErrors: [] };
    },
    serveFile(token, res) {
      const file = bulkFiles.get(token);
      if (file === undefined) return send(res, 404, { errors: 'Not Found' });
      void sendFile(file, res);
    },
    async idle(domain) {
      const set = runningBulk.get(normalizeDomain(domain));
      while (set !== undefined && set.size > 0) await Promise.all([...set]);
    },
    useOrdersFile(domain, file) {
      if (file === null) ordersFiles.delete(normalizeDomain(domain));
      else ordersFiles.set(normalizeDomain(domain), { ...file });
    },
    async stop() {
      for (const s of ctx.stores.values()) for (const op of s.bulkOperations) op.cancelRequested = true;
      await Promise.all([...runningBulk.values()].flatMap((set) => [...set]));
    },
    async removeFiles() {
      if (ownDir) await rm(bulkDir, { recursive: true, force: true });
    },
  };
}

/**
 * Answers with the file, through two reused 1 MB buffers. A 10M-order export is 6.8 GB; a read stream's new
 * 64 KB buffer per chunk cost this process 2.8 µs an order (reads, and about one full garbage collection a second
 * that the buffers' memory asked for), on the 2 cores the app and PostgreSQL share with it in the bench.
 */
async function sendFile(file: string, res: ServerResponse): Promise<void> {
  const handle = await open(file).catch(() => null);
  if (handle === null) {
    res.destroy();
    return;
  }
  try {
    // With its length, as Shopify's storage serves a result file.
    res.writeHead(200, { 'Content-Type': 'application/jsonl', 'Content-Length': (await handle.stat()).size });
    const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
    let written: Promise<void> = Promise.resolve();
    for (let i = 0; ; i ^= 1) {
      // A buffer is read into again only once its write has gone to the socket (the write before last).
      const { bytesRead } = await handle.read(buffers[i]!, 0, buffers[i]!.length, null);
      await written;
      if (bytesRead === 0 || res.destroyed) break;
      written = new Promise((resolve, reject) => res.write(buffers[i]!.subarray(0, bytesRead), (error) => (error ? reject(error) : resolve())));
      // Awaited after the next read: a write that fails meanwhile must not count as unhandled.
      written.catch(() => {});
    }
    res.end();
  } catch {
    // The client went away (a cut download the app retries): nothing more to send.
    res.destroy();
  } finally {
    await handle.close();
  }
}
