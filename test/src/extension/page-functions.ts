/// <reference lib="dom" />
// Functions the tests and benches run inside an extension page (the driver serialises them: each is self-contained).

/** Pairs with `code` at `appUrl` and syncs `shopDomain` through the extension's own messages; 'ok' or the error. */
export async function pairAndSync({ appUrl, code, shopDomain }: { appUrl: string; code: string; shopDomain: string }): Promise<string> {
  const g = globalThis as unknown as {
    browser?: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
    chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
  };
  const runtime = (g.browser ?? g.chrome).runtime;
  const c = (await runtime.sendMessage({ type: 'connect', appUrl, code })) as { ok: boolean; error?: unknown };
  if (!c.ok) return JSON.stringify(c.error);
  const s = (await runtime.sendMessage({ type: 'sync.now', shopDomain })) as { ok: boolean; error?: unknown };
  return s.ok ? 'ok' : JSON.stringify(s.error);
}
