/// <reference lib="dom" />
/** Shared probes for the extension's end-to-end tests (they run in the page or the service worker). */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { CustomerInsightV1 } from '@clvlens/core';
import type { Order, ShopData } from '../shop-model/types.ts';
import { SCREENSHOT_DIR, type ExtensionBrowser } from './browser.ts';
import { chance } from './badge-text.ts';

export { badgeRisk, chance, pct } from './badge-text.ts';

export interface BadgeProbe {
  state: string | null;
  text: string;
  /** The order count part ("4 orders"): shown only when chosen in the options (off by default since settings v2). */
  orders: string;
  /** The risk part: "High risk 82%", "New customer". */
  tier: string;
  /** "Predicted CLV $118" (absent without a purchase model). */
  predicted: string;
  /** The historic CLV part (off by default). */
  clv: string;
  /** "12 days late" (absent when not late). */
  late: string;
}

/** The badge after the first link whose href attribute is exactly `href`; state null when it has none. */
export async function badgeFor(page: Page, href: string): Promise<BadgeProbe> {
  return page.evaluate((h) => {
    const a = [...document.querySelectorAll('a[href]')].find((x) => x.getAttribute('href') === h);
    const host = a?.nextElementSibling;
    if (!host || host.localName !== 'clvlens-badge') return { state: null, text: '', orders: '', tier: '', predicted: '', clv: '', late: '' };
    const root = host.shadowRoot!;
    return {
      state: host.getAttribute('data-state'),
      text: root.querySelector('.root')?.textContent ?? '',
      orders: root.querySelector('.orders')?.textContent ?? '',
      tier: root.querySelector('.tier')?.textContent ?? '',
      predicted: root.querySelector('.predicted')?.textContent ?? '',
      clv: root.querySelector('.clv')?.textContent ?? '',
      late: root.querySelector('.overdue')?.textContent ?? '',
    };
  }, href);
}

export function countBadges(page: Page, state: string): Promise<number> {
  return page.evaluate((s) => document.querySelectorAll(`clvlens-badge[data-state="${s}"]`).length, state);
}

/** Customers in the service worker's IndexedDB, read with the raw API (chunked: `chunkIds` lists each chunk's ids). */
export async function swCustomerCount(browser: ExtensionBrowser): Promise<number> {
  const sw = await browser.serviceWorker();
  return sw.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('clvlens');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('chunkIds').objectStore('chunkIds').getAll();
          req.onsuccess = () => {
            resolve((req.result as { ids: string[] }[]).reduce((n, r) => n + r.ids.length, 0));
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

export const money = (minor: number, currency: string) => {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(minor / 10 ** digits);
};

/** A rate with one decimal, as the popup shows the repeat rate: "48.5%". */
export const pct1 = (f: number) => new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(f);

/** An amount as a badge shows it (en): compact, whole below 1,000 ("$118", "$1.2K"). */
export const compactMoney = (minor: number, currency: string) => {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const amount = minor / 10 ** digits;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: amount < 1000 ? 0 : 1 }).format(amount);
};

/** The card's headline: "82% chance of no order in the next 90 days". */
export const cardChance = (c: CustomerInsightV1) => `${chance(c.churnProbability)} chance of no order in the next ${c.churnHorizonDays} days`;

/** `expect.poll` with room for a loaded CI machine (the default 1 s is too short when every package tests at once). */
export const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 50 });

/**
 * A new paid order for `customerId`, shaped like that customer's last counted order, with fresh ids, placed at
 * `nowMs` (whole seconds, as Shopify's timestamps): what a repeat purchase looks like to the fake shop.
 */
export function repeatOrderFor(truth: ShopData, customerId: string, nowMs: number): Order {
  const mine = truth.orders.filter((o) => String(o.customerId) === customerId && !o.test && o.cancelledAtMs === null);
  const template = mine[mine.length - 1]!;
  let maxId = 0;
  let maxNumber = 0;
  let maxLine = 0;
  for (const o of truth.orders) {
    maxId = Math.max(maxId, o.id);
    maxNumber = Math.max(maxNumber, o.orderNumber);
    for (const li of o.lineItems) maxLine = Math.max(maxLine, li.id);
  }
  const now = Math.floor(nowMs / 1000) * 1000;
  return {
    ...template,
    id: maxId + 1,
    orderNumber: maxNumber + 1,
    name: `#${maxNumber + 1}`,
    createdAtMs: now,
    processedAtMs: now,
    updatedAtMs: now,
    cancelledAtMs: null,
    cancelReason: null,
    closedAtMs: null,
    financialStatus: 'PAID',
    fulfillmentStatus: 'UNFULFILLED',
    refunds: [],
    lineItems: template.lineItems.map((li, i) => ({ ...li, id: maxLine + 1 + i, currentQuantity: li.quantity })),
  };
}
