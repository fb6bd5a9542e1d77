/**
 * The offline demo: a generated shop in the fake Shopify (live mode on), the real app on the embedded database,
 * installed through the real install flow (token exchange with a session token signed with the app secret), a
 * backfill, the admin-like pages for the extension, and a pairing code. `main.ts` runs it from `pnpm start`; the
 * end-to-end test runs the same function in process with a smaller shop.
 *
 * Resume: the fake Shopify keeps its shop in memory, so the demo stores what it needs to rebuild the same shop
 * (`<dataDir>/demo/state.json`: seed, size and end of history; `live-journal.ndjson`: every live change). A second
 * start regenerates the shop from the seed (deterministic, about a second for 20,000 customers), replays the
 * journal, and finds the app's database already synced: no second backfill. A new fake has not issued the tokens
 * the app stored, so the demo forgets them and opens the app again with a session token (token exchange), as after
 * a reinstall; a reconciliation pass then catches anything a webhook did not deliver before the last stop.
 */
import { randomBytes, createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APP_SCOPES,
  createDatabase,
  createJsonLogger,
  createShopifyApi,
  createTokenCipher,
  KyselySessionStorage,
  startAppServer,
  type AppServer,
  type ComputeOptions,
  type Database,
} from '@clvlens/shopify-app';
import type { ShopSummaryV1 } from '@clvlens/core';
import { makeCertificate } from '../extension/servers.ts';
import { portTaken, startOnFreePort } from './ports.ts';
import { createFakeShopify, type FakeShopify, type FakeShopifyControl } from '../fake-shopify/server.ts';
import { fakeShopifyFetch, installFakeShopifyFetch } from '../fake-shopify/fetch.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../fake-shopify/topics.ts';
import { generateShop } from '../generator/generate.ts';
import { startLiveShop, type LiveAction, type LiveShop } from '../generator/live.ts';
import { DEMO_APP_HANDLE, startDemoAdmin, type DemoAdminServer } from './admin-pages.ts';
import { journalingControl, replayJournal, type ReplaySummary } from './journal.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where `pnpm start` keeps its data (gitignored). */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.clvlens-data');
/** The built Chromium extension (`pnpm --filter @clvlens/extension run build`). */
export const DEFAULT_EXTENSION_DIR = join(REPO_ROOT, 'extension/.output/chrome-mv3');
export const DEFAULT_APP_PORT = 3939;
export const DEFAULT_ADMIN_PORT = 8443;
export const DEFAULT_DEMO_CUSTOMERS = 20_000;

/** Options of {@link startDemo}; every field has a default fit for `pnpm start`. */
export interface DemoOptions {
  /** Root of the demo's data: `pglite/` (the app's database) and `demo/` (state, journal, certificate, log). */
  dataDir?: string;
  /** Buyers in the generated shop (first start only; later starts keep the stored size). Default 20,000. */
  customers?: number;
  /** Length of the generated history, days. Default 730. */
  historyDays?: number;
  seed?: string;
  /** Live-mode actions per minute (new orders and changes); 0 turns live mode off. Default 12. */
  liveActionsPerMinute?: number;
  /** Preferred ports; a busy port falls back to a free one (the extension must then be paired again). */
  appPort?: number;
  adminPort?: number;
  /** The unpacked Chromium extension folder. */
  extensionDir?: string;
  /** More origins allowed to call the app's API (e.g. Firefox's `moz-extension://<uuid>`). */
  extraExtensionOrigins?: readonly string[];
  /** Sync progress while the demo waits for the backfill. */
  onProgress?: (progress: DemoProgress) => void;
  /** Each live-mode action, after it reached the fake. */
  onLiveAction?: (action: LiveAction) => void;
  /** Human-readable steps ("generated 20,000 customers in 0.9 s"). */
  onStep?: (message: string) => void;
  /** Aborting it while the demo starts (Ctrl-C during the backfill) stops what was started and rejects. */
  signal?: AbortSignal;
  /** Backfill insert batch and bulk status poll interval. Default the app's. */
  backfill?: { batchSize?: number; pollMs?: number };
  /** The app's compute options (tests: e.g. a small `fitSampleCustomers`, to see a large shop's sample on a small one). */
  compute?: ComputeOptions;
}

export interface DemoProgress {
  state: string;
  ordersDone: number;
  ordersEstimated: number | null;
  elapsedMs: number;
}

/** The persisted demo identity: what a second start needs to rebuild the same shop and reach the same database. */
export interface DemoState {
  version: 1;
  seed: string;
  customers: number;
  historyDays: number;
  /** End of the generated history (UTC epoch ms): the first start's time. */
  endMs: number;
  shopName: string;
  apiKey: string;
  apiSecret: string;
  /** AES-256-GCM key of the app's tokens at rest (64 hex). */
  encryptionKey: string;
  appPort: number;
  adminPort: number;
  /** Number of starts so far; seeds each run's live mode differently. */
  runs: number;
}

export interface Demo {
  state: DemoState;
  fake: FakeShopify;
  /** The fake's control API with journaling: use it to change the demo shop so a later start keeps the change. */
  control: FakeShopifyControl;
  app: AppServer;
  admin: DemoAdminServer;
  live: LiveShop | null;
  shopDomain: string;
  storeHandle: string;
  /** The app's own URL (`http://127.0.0.1:<port>`), what the extension connects to. */
  appUrl: string;
  /** The dashboard as a merchant opens it: inside the (demo) admin. */
  dashboardUrl: string;
  /** The admin-like customers list. */
  adminCustomersUrl: string;
  extensionDir: string;
  /** Chromium's id for the unpacked extension at `extensionDir` (its origin is allowed by the app's CORS). */
  extensionId: string;
  pairingCode: { code: string; expiresAtMs: number };
  newPairingCode(): Promise<{ code: string; expiresAtMs: number }>;
  /** True when the app's database already held this shop, synced. */
  resumed: boolean;
  /** Orders the backfill of this start stored (0 on a resume). */
  backfilledOrders: number;
  replay: ReplaySummary;
  /** Orders in the shop right after start. */
  ordersAtStart: number;
  summary: ShopSummaryV1;
  /** Chromium flags that open the demo admin pages with the extension loaded. */
  chromiumArgs(options?: { profileDir?: string; url?: string }): string[];
  /** Mints a session token as the admin would for the embedded app. */
  sessionToken(): string;
  /** Stops live mode, the admin pages, the app (jobs, database, PGlite lock) and the fake. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Chromium's id of an unpacked extension: SHA-256 of the manifest's `key` (DER public key) when it has one, else of
 * the folder's absolute path; first 16 bytes written as letters a–p.
 */
export function chromiumExtensionId(dir: string): string {
  const manifestPath = join(dir, 'manifest.json');
  const key = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { key?: unknown }).key : undefined;
  const input = typeof key === 'string' ? Buffer.from(key, 'base64') : existsSync(dir) ? realpathSync(dir) : resolve(dir);
  const hash = createHash('sha256').update(input).digest();
  let id = '';
  for (const byte of hash.subarray(0, 16)) id += String.fromCharCode(97 + (byte >> 4), 97 + (byte & 15));
  return id;
}

function loadState(path: string, options: DemoOptions): { state: DemoState; created: boolean } {
  if (existsSync(path)) {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<DemoState>;
    if (raw.version !== 1 || typeof raw.seed !== 'string' || typeof raw.endMs !== 'number' || typeof raw.apiSecret !== 'string') {
      throw new Error(`${path}: not a demo state file this version understands; delete ${dirname(path)} to start over`);
    }
    return { state: raw as DemoState, created: false };
  }
  const state: DemoState = {
    version: 1,
    seed: options.seed ?? 'clvlens-demo',
    customers: options.customers ?? DEFAULT_DEMO_CUSTOMERS,
    historyDays: options.historyDays ?? 730,
    endMs: Math.floor(Date.now() / 1000) * 1000,
    shopName: 'Northwind Goods',
    apiKey: `clvlens-demo-${randomBytes(6).toString('hex')}`,
    apiSecret: randomBytes(24).toString('hex'),
    encryptionKey: randomBytes(32).toString('hex'),
    appPort: options.appPort ?? DEFAULT_APP_PORT,
    adminPort: options.adminPort ?? DEFAULT_ADMIN_PORT,
    runs: 0,
  };
  return { state, created: true };
}

function loadCertificate(dir: string): { key: string; cert: string } {
  const keyPath = join(dir, 'admin-key.pem');
  const certPath = join(dir, 'admin-cert.pem');
  if (existsSync(keyPath) && existsSync(certPath)) return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  let tls: { key: string; cert: string };
  try {
    tls = makeCertificate();
  } catch (error) {
    throw new Error(`Could not make the demo's self-signed certificate with openssl (${(error as Error).message}). Install openssl and start again.`, {
      cause: error,
    });
  }
  writeFileSync(keyPath, tls.key, { mode: 0o600 });
  writeFileSync(certPath, tls.cert);
  return tls;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Starts the whole offline product and resolves once the shop is synced and computed.
 * @example const demo = await startDemo({ customers: 1500, dataDir: '/tmp/demo' }); ... await demo.stop();
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const step = options.onStep ?? (() => {});
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const demoDir = join(dataDir, 'demo');
  mkdirSync(demoDir, { recursive: true });
  const statePath = join(demoDir, 'state.json');
  const journalPath = join(demoDir, 'live-journal.ndjson');
  const { state, created } = loadState(statePath, options);
  const extensionDir = resolve(options.extensionDir ?? DEFAULT_EXTENSION_DIR);
  const extensionId = chromiumExtensionId(extensionDir);

  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // Keep releasing the rest (the database lock above all).
      }
    }
  };

  try {
    let t = Date.now();
    const data = generateShop({ seed: state.seed, customers: state.customers, historyDays: state.historyDays, endMs: state.endMs, shopName: state.shopName });
    const shopDomain = data.shop.domain;
    step(
      `${created ? 'Generated' : 'Regenerated'} ${data.shop.name}: ${state.customers.toLocaleString('en-US')} buyers, ${data.orders.length.toLocaleString('en-US')} orders over ${state.historyDays} days (seed "${state.seed}") in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );

    // Shopify-managed install grants the scopes the app's configuration asks for.
    const fake = await createFakeShopify({ appApiKey: state.apiKey, appSecret: state.apiSecret, scopes: APP_SCOPES });
    cleanups.push(() => fake.stop());
    const restoreFetch = await installFakeShopifyFetch(fake);
    cleanups.push(restoreFetch);
    fake.control.loadShop(data);
    const replay = replayJournal(fake.control, journalPath);
    if (replay.applied > 0) step(`Replayed ${replay.applied.toLocaleString('en-US')} live changes from the previous runs`);

    // The database first: its lock tells a second `pnpm start` on the same folder to stop before it touches anything.
    const pgliteDir = join(dataDir, 'pglite');
    if (created && existsSync(pgliteDir)) {
      // A database without the state that made its shop cannot match a newly generated one: start it over.
      step(`No demo state next to ${pgliteDir}: starting the demo database over`);
      rmSync(pgliteDir, { recursive: true, force: true });
    }
    const database: Database = await createDatabase({ dataDir: pgliteDir });
    cleanups.push(() => database.close());

    state.runs += 1;

    // The app's log goes to a file so the terminal stays readable.
    const logStream: WriteStream = createWriteStream(join(demoDir, 'app.log'), { flags: 'a' });
    cleanups.push(() => new Promise<void>((r) => logStream.end(() => r())));
    const cipher = createTokenCipher(state.encryptionKey);
    const shopifyAt = (port: number) => createShopifyApi({ apiKey: state.apiKey, apiSecretKey: state.apiSecret, appUrl: `http://127.0.0.1:${port}` });
    // Tokens from an earlier fake mean nothing to this one: forget them, the install below exchanges new ones.
    await new KyselySessionStorage(database.db, cipher).deleteSession(shopifyAt(state.appPort).session.getOfflineId(shopDomain));
    const before = await database.db.selectFrom('sync_state').select(['state']).where('shop_id', '=', shopDomain).executeTakeFirst();
    const resumed = before?.state === 'live';
    if (before !== undefined && !resumed) {
      // Stopped during the backfill: its bulk operation lived in the previous fake. Start a new one; the orders already
      // stored are overwritten by the same lines.
      await database.db.updateTable('sync_state').set({ bulk_operation_id: null, bulk_lines_done: 0 }).where('shop_id', '=', shopDomain).execute();
      step('The previous start stopped during the backfill: it starts again on this fake');
    }

    const { port: appPort, server: app } = await startOnFreePort(
      options.appPort ?? state.appPort,
      (port) =>
        startAppServer({
          apiKey: state.apiKey,
          apiSecretKey: state.apiSecret,
          appUrl: `http://127.0.0.1:${port}`,
          encryptionKey: state.encryptionKey,
          database,
          shopify: shopifyAt(port),
          port,
          host: '127.0.0.1',
          extensionOrigins: [`chrome-extension://${extensionId}`, ...(options.extraExtensionOrigins ?? [])],
          log: createJsonLogger(logStream),
          appOptions: {
            fetch: fakeShopifyFetch(fake),
            ...(options.backfill ? { backfill: options.backfill } : {}),
            ...(options.compute ? { compute: options.compute } : {}),
          },
        }),
      (port) => step(`Port ${port} was taken before the app could listen on it: trying another`),
    );
    state.appPort = appPort;
    writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
    cleanups.push(async () => {
      const stopping = app.stop().catch(() => undefined);
      // A socket a browser opened ahead of time but never used keeps the app's server.close() waiting for Node's
      // headers timeout (about 90 s). Do not wait for it: stop the jobs directly so the database can close now.
      const done = await Promise.race([stopping.then(() => true), sleep(3000).then(() => false)]);
      if (!done) await app.app.stop();
    });
    fake.control.setAppWebhooks(
      [{ topics: WEBHOOK_TOPICS.filter((topic) => !(COMPLIANCE_TOPICS as readonly string[]).includes(topic)), uri: `${app.url}/webhooks` }],
      `${app.url}/webhooks/compliance`,
    );
    cleanups.push(() => Promise.race([fake.control.webhooksIdle(), sleep(2000)]));
    step(`App listening on ${app.url} (embedded database in ${pgliteDir})`);

    // The real install flow: the admin opens the embedded app with a session token; the app exchanges it.
    const sessionToken = () => fake.control.mintSessionToken(shopDomain);
    const opened = await fetch(`${app.url}/app?embedded=1&shop=${shopDomain}&id_token=${encodeURIComponent(sessionToken())}`);
    if (opened.status !== 200) throw new Error(`Opening the app for ${shopDomain} failed: HTTP ${opened.status} ${await opened.text()}`);
    step(
      resumed
        ? `Resumed: ${shopDomain} is already synced in the app's database; new tokens exchanged`
        : `Installed the app in ${shopDomain} (token exchange); backfill started`,
    );

    t = Date.now();
    const summary = await waitUntilComputed(app, shopDomain, sessionToken, options.signal, (p) => {
      if (!resumed) options.onProgress?.({ ...p, elapsedMs: Date.now() - t });
    });
    const backfilledOrders = resumed ? 0 : summary.sync.ordersDone;
    if (resumed) {
      const changed = await app.app.reconcile(shopDomain);
      if (changed > 0) await app.app.compute.recomputeShop(shopDomain);
      step(`Reconciliation: ${changed} order${changed === 1 ? '' : 's'} caught up since the last run`);
    } else {
      step(`Backfilled ${backfilledOrders.toLocaleString('en-US')} orders and computed the metrics in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }

    const tls = loadCertificate(demoDir);
    const adminAt = (port: number) =>
      startDemoAdmin({ control: fake.control, shopDomain, appDashboardUrl: `${app.url}/app`, mintSessionToken: sessionToken, tls, port });
    // The last run's port when it is free (a browser may still have its tab open), else any: the admin's URL is only
    // known to the browser started after it.
    const admin = await adminAt(options.adminPort ?? state.adminPort).catch((error: unknown) => {
      if (!portTaken(error)) throw error;
      return adminAt(0);
    });
    cleanups.push(() => admin.close());
    state.adminPort = admin.port;
    writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);

    // Every change the demo makes to the shop goes through the journal, so the next start rebuilds the same shop.
    const control = journalingControl(fake.control, journalPath);
    let live: LiveShop | null = null;
    const rate = options.liveActionsPerMinute ?? 12;
    if (rate > 0) {
      live = startLiveShop({
        fake: { control },
        shopDomain,
        ordersPerMinute: rate,
        seed: `${state.seed}:live:${state.runs}`,
        ...(options.onLiveAction ? { onAction: options.onLiveAction } : {}),
      });
      const running = live;
      cleanups.push(() => running.stop());
    }

    let pairingCode = await app.app.createPairingCode(shopDomain);
    let stopped: Promise<void> | null = null;
    const storeHandle = admin.storeHandle;
    return {
      state,
      fake,
      control,
      app,
      admin,
      live,
      shopDomain,
      storeHandle,
      appUrl: app.url,
      dashboardUrl: `https://admin.shopify.com/store/${storeHandle}/apps/${DEMO_APP_HANDLE}`,
      adminCustomersUrl: `https://admin.shopify.com/store/${storeHandle}/customers`,
      extensionDir,
      extensionId,
      get pairingCode() {
        return pairingCode;
      },
      async newPairingCode() {
        pairingCode = await app.app.createPairingCode(shopDomain);
        return pairingCode;
      },
      resumed,
      backfilledOrders,
      replay,
      ordersAtStart: fake.control.truth(shopDomain).orders.length,
      summary,
      sessionToken,
      chromiumArgs(opts = {}) {
        return [
          `--user-data-dir=${opts.profileDir ?? join(demoDir, 'chromium-profile')}`,
          `--host-resolver-rules=MAP admin.shopify.com 127.0.0.1:${admin.port},MAP cdn.shopify.com 127.0.0.1:${admin.port}`,
          '--ignore-certificate-errors',
          `--load-extension=${extensionDir}`,
          '--no-first-run',
          '--no-default-browser-check',
          opts.url ?? `https://admin.shopify.com/store/${storeHandle}/customers`,
        ];
      },
      stop() {
        stopped ??= runCleanups();
        return stopped;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

/**
 * Polls the app as the dashboard does (`/app/api/summary` with a session token) until the shop is live and its
 * metrics were computed after the last sync.
 */
async function waitUntilComputed(
  app: AppServer,
  shop: string,
  sessionToken: () => string,
  signal: AbortSignal | undefined,
  onProgress: (p: Omit<DemoProgress, 'elapsedMs'>) => void,
  timeoutMs = 15 * 60_000,
): Promise<ShopSummaryV1> {
  const started = Date.now();
  const readSummary = async (): Promise<ShopSummaryV1> => {
    const res = await fetch(`${app.url}/app/api/summary`, { headers: { authorization: `Bearer ${sessionToken()}` } });
    if (res.status !== 200) throw new Error(`The app's /app/api/summary answered HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()) as ShopSummaryV1;
  };
  for (;;) {
    signal?.throwIfAborted();
    const summary = await readSummary();
    onProgress({ state: summary.sync.state, ordersDone: summary.sync.ordersDone, ordersEstimated: summary.sync.ordersEstimated });
    if (summary.sync.state === 'live') {
      const db = app.database.db;
      const sync = await db.selectFrom('sync_state').select('last_sync_at').where('shop_id', '=', shop).executeTakeFirst();
      const metrics = await db.selectFrom('shop_metrics').select('computed_at').where('shop_id', '=', shop).executeTakeFirst();
      // Read again once the metrics are in: the summary above may have been read just before they were stored, and
      // the demo then opened on "0 customers, repeat rate 0.0%" for a shop of 20,000 buyers.
      if (metrics && (!sync?.last_sync_at || metrics.computed_at.getTime() >= sync.last_sync_at.getTime())) return readSummary();
    }
    if (summary.sync.state === 'error') throw new Error(`The app's sync of ${shop} failed: ${summary.sync.message ?? 'no message'} (see the app log)`);
    if (Date.now() - started > timeoutMs) throw new Error(`The app did not finish syncing ${shop} within ${timeoutMs / 60_000} minutes`);
    await sleep(250);
  }
}
