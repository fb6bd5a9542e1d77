// The pg-shops probes' client, on a thread of its own. The bench's main thread is also the fake Shopify, which builds
// the large shops' exports in a heap of several GB: its event loop was held up to 4 s at a time (p99.9 2.6 s) in a
// full-size run, and a probe timed there counted those stalls as the app's. Here a probe's clock runs on a thread
// that does nothing else: it sends the order webhook (retrying as Shopify would) and reads the customer through the
// extension's API every 200 ms until the expected order count shows.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

/** One probe: the signed webhook to send, and what the API must show once its order is in. */
export interface ProbeRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  token: string;
  customerId: string;
  expected: number;
  timeoutMs: number;
}

/** When the webhook was answered and when the change showed (`ms`; null when it did not within `timeoutMs`). */
export interface ProbeResult {
  sentAtMs: number;
  answeredMs: number;
  ms: number | null;
  /** The order count the API showed last. */
  shown: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts a signed webhook to the app at `url` until it answers 200, retrying with backoff as Shopify does. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/webhooks`, { method: 'POST', headers, body }).catch(() => null);
    if (res) await res.arrayBuffer();
    if (res?.status === 200) return;
    if (attempt >= 8) throw new Error(`webhook for ${headers['x-shopify-shop-domain']} never got a 200 (last ${res?.status ?? 'connection error'})`);
    await sleep(250 * 2 ** Math.min(attempt, 4));
  }
}

async function runProbe(req: ProbeRequest): Promise<ProbeResult> {
  const t = performance.now();
  const sentAtMs = Date.now();
  await postWebhook(req.url, req.body, req.headers);
  const answeredMs = performance.now() - t;
  let shown = -1;
  for (;;) {
    const res = await fetch(`${req.url}/api/v1/customers/${req.customerId}`, { headers: { authorization: `Bearer ${req.token}` } });
    if (res.status === 404) {
      await res.arrayBuffer();
      shown = 0;
    } else if (res.status !== 200) {
      throw new Error(`GET customer ${req.customerId}: HTTP ${res.status}`);
    } else {
      shown = ((await res.json()) as { orderCount: number }).orderCount;
    }
    if (shown === req.expected) return { sentAtMs, answeredMs, ms: performance.now() - t, shown };
    if (performance.now() - t > req.timeoutMs) return { sentAtMs, answeredMs, ms: null, shown };
    // Every 200 ms, as a merchant's reload could not beat: asking every 50 ms made the probes' reads more requests
    // than all the shops' webhooks together, load the bench put on the apps and no real traffic does.
    await sleep(200);
  }
}

/** The probe thread, started; `run` may be called again before an earlier probe has finished. */
export interface ProbeClient {
  run(req: ProbeRequest): Promise<ProbeResult>;
  stop(): Promise<void>;
}

export function startProbeClient(): ProbeClient {
  const worker = new Worker(new URL(import.meta.url));
  const pending = new Map<number, { resolve(r: ProbeResult): void; reject(e: Error): void }>();
  let nextId = 1;
  worker.on('message', (m: { id: number; result?: ProbeResult; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.result!);
  });
  worker.on('error', (error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  return {
    run(req) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, req });
      });
    },
    async stop() {
      await worker.terminate();
    },
  };
}

if (!isMainThread) {
  parentPort!.on('message', ({ id, req }: { id: number; req: ProbeRequest }) => {
    runProbe(req).then(
      (result) => parentPort!.postMessage({ id, result }),
      (error: unknown) => parentPort!.postMessage({ id, error: String((error as Error)?.stack ?? error) }),
    );
  });
}
