// @vitest-environment happy-dom
import type { VipSlippingV1 } from '@clvlens/core';
import { createTranslator } from '@clvlens/core/i18n';
import { describe, expect, it } from 'vitest';
import { h, render } from 'preact';
import { VipCard, type VipCardProps } from './vip.ts';

const HOSTILE = '<img src=x onerror="window.hacked=1">';
const AT = Date.UTC(2026, 11, 1, 15, 30);
const VIP: VipSlippingV1 = {
  currency: 'USD',
  windowDays: 7,
  summary: { thisWeek: 2, lastWeek: 5, valueAtRiskMinor: 123_456, thresholdMinor: 40_000, topShare: 0.1 },
  customers: [
    {
      customerId: '7030',
      oldTier: 'low',
      newTier: 'high',
      changedAtMs: AT,
      churnProbability: 0.82,
      churnHorizonDays: 90,
      previousPredictedClvMinor: 80_000,
      predictedClvMinor: 20_000,
      reasons: [
        { code: 'one-order', days: 344 },
        { code: 'no-second-order', ratio: 4.5, days: 77 },
      ],
    },
  ],
};

// Preact runs effects (the names request) after paint: let a few macrotasks pass.
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

/** The card rendered into a fresh element of the page. */
function renderVipCard(vip: VipSlippingV1, deps: Omit<VipCardProps, 'vip'>): HTMLElement {
  const box = document.createElement('div');
  document.body.append(box);
  render(h(VipCard, { vip, ...deps }), box);
  return box.firstElementChild as HTMLElement;
}

describe('VipCard', () => {
  it('shows the bar, the week against last week, the value at risk, and each VIP with change, when, why and value', async () => {
    const asked: string[] = [];
    const card = renderVipCard(VIP, {
      tr: createTranslator('en'),
      shopDomain: 'snow.myshopify.com',
      timeZone: 'UTC',
      request: async (path) => {
        asked.push(path);
        return { status: 200, body: { names: { '7030': HOSTILE } } };
      },
    });
    expect(card.querySelector('h2')!.textContent).toBe('VIPs slipping');
    expect(card.textContent).toContain('top 10% ($400.00 or more)');
    expect(card.querySelector('[data-testid="vip-this-week"]')!.textContent).toBe('2');
    expect(card.querySelector('[data-testid="vip-last-week"]')!.textContent).toBe('5');
    expect(card.querySelector('[data-testid="vip-value-at-risk"]')!.textContent).toBe('$1,234.56');
    const row = card.querySelector('tbody tr')!;
    expect([...row.children].map((c) => c.textContent)).toEqual([
      'Customer 7030',
      'Low risk → High risk',
      'Dec 1, 2026, 03:30 PM',
      'one order, 344 days agono second order after 4.5× the shop’s usual time to a second order (77 days)',
      '$800.00',
    ]);
    expect(row.querySelector('a')!.getAttribute('href')).toBe('https://admin.shopify.com/store/snow/customers/7030');
    await settle();
    expect(asked).toEqual(['/app/api/customer-names?ids=7030']);
    // The live name is text, never markup.
    expect(row.querySelector('a')!.textContent).toBe(HOSTILE);
    expect(card.querySelector('img')).toBeNull();
  });

  it('says so when no VIP slipped, and when no customer has a prediction yet', () => {
    const deps = { tr: createTranslator('en'), shopDomain: 's.myshopify.com', timeZone: 'UTC', request: async () => ({ status: 500, body: null }) };
    const none = renderVipCard({ ...VIP, customers: [] }, deps);
    expect(none.querySelector('[data-testid="vip-none"]')!.textContent).toBe('No valuable customer moved to a riskier tier in the last 7 days.');
    const noBar = renderVipCard({ ...VIP, customers: [], summary: { ...VIP.summary, thresholdMinor: null } }, deps);
    expect(noBar.textContent).toContain('No customer has a predicted value yet');
  });
});
