// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_BADGE_SETTINGS, type Request, type ShopStatus } from '../../messages/protocol.ts';
import { Options } from './Options.tsx';

async function mount(statuses: ShopStatus[][] = [], statusDelayMs = 0): Promise<{ el: HTMLElement; sent: Request[] }> {
  const sent: Request[] = [];
  vi.spyOn(browser.runtime, 'sendMessage').mockImplementation((async (req: Request) => {
    sent.push(req);
    // A real round trip to the service worker: the page renders (and runs effects) before the answer arrives.
    if (req.type === 'status.get' && statusDelayMs > 0) await new Promise((r) => setTimeout(r, statusDelayMs));
    if (req.type === 'status.get') return { ok: true, value: { shops: statuses.length > 1 ? statuses.shift()! : (statuses[0] ?? []), notices: [] } };
    if (req.type === 'settings.get') return { ok: true, value: DEFAULT_BADGE_SETTINGS };
    if (req.type === 'connect') return { ok: true, value: { shopDomain: 'demo.myshopify.com', storeHandle: 'demo' } };
    return { ok: false, error: { code: 'bad-message', message: 'unexpected' } };
  }) as never);
  const el = document.createElement('div');
  document.body.append(el);
  await act(async () => {
    render(<Options />, el);
    await new Promise((r) => setTimeout(r, 0));
  });
  return { el, sent };
}

async function submit(el: HTMLElement, appUrl: string, code: string): Promise<void> {
  await act(async () => {
    const url = el.querySelector<HTMLInputElement>('input[name="appUrl"]')!;
    url.value = appUrl;
    url.dispatchEvent(new Event('input'));
    const c = el.querySelector<HTMLInputElement>('input[name="code"]')!;
    c.value = code;
    c.dispatchEvent(new Event('input'));
  });
  await act(async () => {
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await new Promise((r) => setTimeout(r, 0));
  });
}

beforeEach(() => {
  fakeBrowser.reset();
});

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe('Options', () => {
  it('connects to a loopback app without asking for a host permission', async () => {
    const { el, sent } = await mount();
    const request = vi.spyOn(browser.permissions, 'request');
    await submit(el, 'http://127.0.0.1:3000/', 'ABCD-EFGH');
    expect(request).not.toHaveBeenCalled();
    expect(sent.find((r) => r.type === 'connect')).toEqual({ type: 'connect', appUrl: 'http://127.0.0.1:3000', code: 'ABCD-EFGH' });
    expect(el.querySelector('[data-testid="message"]')?.textContent).toBe('Connected to demo.myshopify.com. Fetching customers…');
  });

  it('asks for the app origin only, and stops with a clear message when the merchant declines', async () => {
    const { el, sent } = await mount();
    vi.spyOn(browser.permissions, 'contains').mockResolvedValue(false as never);
    const request = vi.spyOn(browser.permissions, 'request').mockResolvedValue(false as never);
    await submit(el, 'https://clvlens.example.com/', 'ABCD-EFGH');
    expect(request).toHaveBeenCalledWith({ origins: ['https://clvlens.example.com/*'] });
    expect(sent.some((r) => r.type === 'connect')).toBe(false);
    expect(el.querySelector('[data-testid="message"]')?.textContent).toContain('needs permission to talk to clvlens.example.com');
  });
  it('replaces "Fetching customers…" with the outcome once the first sync has finished', async () => {
    const shop = (over: Partial<ShopStatus>): ShopStatus => ({
      shopDomain: 'demo.myshopify.com',
      storeHandle: 'demo',
      appUrl: 'http://127.0.0.1:3000',
      connectedAtMs: 1,
      syncState: 'syncing',
      lastSyncAtMs: null,
      lastError: null,
      evicted: false,
      cachedCustomers: 0,
      summary: null,
      ...over,
    });
    // Before connect, right after it (syncing), then done.
    const { el } = await mount([[], [shop({ cachedCustomers: 1200 })], [shop({ syncState: 'idle', lastSyncAtMs: Date.now(), cachedCustomers: 2500 })]], 150);
    const message = () => el.querySelector('[data-testid="message"]')?.textContent;
    // Outside act(), as in the browser: renders and effects run on their own schedule while status.get is in flight.
    // The dashboard's one link carries the app address and the code.
    const link = el.querySelector<HTMLInputElement>('input[name="pairLink"]')!;
    expect(link.value).toBe('');
    expect(el.querySelector<HTMLInputElement>('input[name="appUrl"]')!.value).toBe('');
    link.value = ' http://127.0.0.1:3000/pair?code=ABCD-EFGH ';
    link.dispatchEvent(new Event('input'));
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await new Promise((r) => setTimeout(r, 100));
    expect(message()).toBe('Connected to demo.myshopify.com. Fetching customers…');
    await new Promise((r) => setTimeout(r, 1200));
    expect(message()).toBe('Connected to demo.myshopify.com. 2,500 customers cached; badges stay up to date while you browse.');
    expect(el.querySelector('[data-testid="shop-sync"]')?.textContent).toMatch(/^synced/);
  });

  it('says so when the first sync fails', async () => {
    const failed: ShopStatus = {
      shopDomain: 'demo.myshopify.com',
      storeHandle: 'demo',
      appUrl: 'http://127.0.0.1:3000',
      connectedAtMs: 1,
      syncState: 'error',
      lastSyncAtMs: null,
      lastError: { code: 'app-unreachable', message: 'Could not reach the CLV Lens app.' },
      evicted: false,
      cachedCustomers: 0,
      summary: null,
    };
    const { el } = await mount([[], [failed]]);
    await submit(el, 'http://127.0.0.1:3000/', 'ABCD-EFGH');
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(el.querySelector('[data-testid="message"]')?.textContent).toBe(
      'Connected to demo.myshopify.com, but the first sync failed: Could not reach the CLV Lens app.',
    );
  });
});
