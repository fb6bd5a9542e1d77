/// <reference lib="dom" />
import uPlot from 'uplot';
import type { DashboardDeps } from './deps.ts';

/** The part of Shopify's App Bridge (`window.shopify` in the admin) the dashboard uses. */
export interface AppBridge {
  idToken(): Promise<string>;
  toast?: { show(message: string): void };
  loading?: (on: boolean) => void;
}

/** The dashboard's deps in the admin: requests and downloads with App Bridge session tokens, the browser's timers and saving. */
export function browserDeps(bridge: AppBridge): DashboardDeps {
  return {
    async request(path, init = {}) {
      const token = await bridge.idToken();
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(path, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      return { status: res.status, body };
    },
    async download(path) {
      const res = await fetch(path, { headers: { authorization: `Bearer ${await bridge.idToken()}` } });
      if (res.ok) return { status: res.status, blob: await res.blob(), body: null };
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      return { status: res.status, blob: null, body };
    },
    save(blob, fileName) {
      const url = URL.createObjectURL(blob);
      const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    uPlot,
    toast: (message) => bridge.toast?.show(message),
    loading: (on) => bridge.loading?.(on),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}
