// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { toCachedCustomer } from '../db/cache.ts';
import type { CachedCustomer } from '../db/schema.ts';
import { resetUiLocale } from '../i18n/ui-locale.ts';
import { DEFAULT_BADGE_SETTINGS } from '../messages/protocol.ts';
import { sampleInsight, withLegacyReasons } from '../testing/fake-app-api.ts';
import { Badge, describeCustomer } from './Badge.tsx';
import { CustomerCard } from './CustomerCard.tsx';

const XSS = '<img src=x onerror=alert(1)>';
const fields = DEFAULT_BADGE_SETTINGS.fields;
const DAY = 86_400_000;
/** Noon UTC on Dec 2, 2026: "today" in these tests. */
const NOW = Date.UTC(2026, 11, 2, 12);

function mount(vnode: preact.ComponentChild): HTMLElement {
  const el = document.createElement('div');
  document.body.append(el);
  render(vnode, el);
  return el;
}

afterEach(() => {
  document.body.replaceChildren();
  resetUiLocale('en');
});

describe('Badge', () => {
  it('shows what the admin does not: the risk with its chance and the predicted CLV, and a late mark', () => {
    const last = NOW - 137 * DAY;
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        churnTier: 'high',
        churnProbability: 0.82,
        overdue: true,
        historicClvMinor: 123_456,
        orderCount: 7,
        predictedClvMinor: 12_000,
        firstOrderAtMs: last - 6 * 40 * DAY,
        lastOrderAtMs: last,
        daysSinceLastOrder: 137,
        expectedNextOrderAtMs: last + 40 * DAY,
      }),
    );
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    const badge = el.querySelector('.badge')!;
    expect(badge.getAttribute('data-tier')).toBe('high');
    expect(badge.querySelector('.tier')?.textContent).toBe('High risk 82%');
    expect(badge.querySelector('.predicted')?.textContent).toBe('Predicted CLV $120');
    // The admin's own Orders and Amount spent columns: not repeated by default.
    expect(badge.querySelector('.clv')).toBeNull();
    expect(badge.querySelector('.orders')).toBeNull();
    expect(badge.querySelector('.overdue')?.textContent).toBe('97 days late');
    expect(badge.getAttribute('tabindex')).toBe('0');
    expect(badge.getAttribute('aria-label')).toBe('CLV Lens: High risk 82%, 82% chance of no order in the next 90 days. Predicted CLV (12 months): $120.00.');
    expect(badge.querySelector('[role="tooltip"]')?.textContent).toBe(describeCustomer(c, NOW));
    expect(describeCustomer(c, NOW)).toMatch(/^High risk: 82% chance of no order in the next 90 days\. no order for 3\.4× this customer’s usual gap/);
  });

  it('says "New customer" rather than a risk for a customer too new to judge', () => {
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        newCustomer: true,
        churnTier: 'high',
        churnProbability: 0.86,
        orderCount: 1,
        isRepeat: false,
        lastOrderAtMs: NOW - 12 * DAY,
        firstOrderAtMs: NOW - 12 * DAY,
        daysSinceLastOrder: 12,
      }),
    );
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    const badge = el.querySelector('.badge')!;
    expect(badge.querySelector('.tier')?.textContent).toBe('New customer');
    expect(badge.classList.contains('tier-new')).toBe(true);
    expect(badge.classList.contains('tier-high')).toBe(false);
    expect(describeCustomer(c, NOW)).toMatch(/^New customer: 86% chance of no order in the next 90 days\. one order, 12 days ago\./);
  });

  it('names the tier in full, never "Med", for a record cached from an app without the horizon', () => {
    const c = {
      ...toCachedCustomer('s', sampleInsight('1', { churnTier: 'medium', churnProbability: 0.5 })),
      churnHorizonDays: undefined,
    } as unknown as CachedCustomer;
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    expect(el.querySelector('.tier')?.textContent).toBe('Medium risk');
    expect(describeCustomer(c, NOW)).toMatch(/^Medium risk: 50% chance of having stopped buying/);
  });

  it('never rounds a probability to a certainty', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { churnTier: 'high', churnProbability: 0.998 }));
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    expect(el.querySelector('.tier')?.textContent).toBe('High risk >99%');
  });

  it('shows the historic CLV and order count only when the merchant turns them on', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { historicClvMinor: 123_456, orderCount: 7 }));
    const el = mount(
      <Badge view={{ state: 'found', customer: c }} fields={{ ...fields, historicClv: true, orderCount: true, predictedClv: false }} nowMs={NOW} />,
    );
    expect(el.querySelector('.clv')?.textContent).toBe('$1.2K');
    expect(el.querySelector('.orders')?.textContent).toBe('7 orders');
    expect(el.querySelector('.predicted')).toBeNull();
  });

  it('renders a quiet placeholder for customers not in the cache', () => {
    const el = mount(<Badge view={{ state: 'missing' }} fields={fields} />);
    expect(el.textContent).toBe('CLV –');
    expect(el.querySelector('.badge')?.getAttribute('aria-label')).toBe('CLV Lens: no data for this customer yet');
  });

  it("says a customer's figures are not ready yet while the app imports and first scores the shop", () => {
    const el = mount(<Badge view={{ state: 'missing', pending: true }} fields={fields} />);
    expect(el.textContent).toBe('CLV –');
    expect(el.querySelector('.badge')?.getAttribute('aria-label')).toBe('CLV Lens: not ready yet, this shop’s orders are still being imported and scored');
  });

  it('keeps a click on the badge from reaching the row', () => {
    const c = toCachedCustomer('s', sampleInsight('1'));
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    let rowClicks = 0;
    el.addEventListener('click', () => rowClicks++);
    (el.querySelector('.badge') as HTMLElement).click();
    expect(rowClicks).toBe(0);
  });

  it('speaks Korean and Arabic, right to left in Arabic', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { churnTier: 'high', churnProbability: 0.82, predictedClvMinor: 12_000 }));
    resetUiLocale('ko');
    let el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    expect(el.querySelector('.tier')?.textContent).toBe('높은 위험 82%');
    expect(el.querySelector('.badge')?.getAttribute('dir')).toBe('ltr');
    resetUiLocale('ar');
    el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} nowMs={NOW} />);
    expect(el.querySelector('.tier')?.textContent).toMatch(/^خطر مرتفع /);
    expect(el.querySelector('.badge')?.getAttribute('dir')).toBe('rtl');
    expect(el.querySelector('.badge')?.getAttribute('lang')).toBe('ar');
  });
});

describe('CustomerCard', () => {
  it('shows value, risk with its reasons, cadence, segment and a sparkline; data is text', () => {
    const c = toCachedCustomer(
      's',
      withLegacyReasons(sampleInsight('1', { churnTier: 'medium', churnProbability: 0.64, rfmSegment: 'NEEDS_ATTENTION' }), [XSS]),
    );
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={Date.UTC(2026, 10, 23, 12)} />);
    const text = el.textContent ?? '';
    expect(el.querySelector('.pill')?.textContent).toBe('Medium risk');
    expect(el.querySelector('[data-testid="churn-chance"]')?.textContent).toBe('64% chance of no order in the next 90 days');
    expect(el.querySelector('[data-testid="risk-note"]')?.textContent).toBe('The risk tier compares this customer with the rest of your shop.');
    expect(text).toContain('$123.45');
    expect(text).toContain('$67.89');
    expect(text).toContain('Needs attention');
    expect(el.querySelector('[data-testid="stat-since"] dd')?.textContent).toBe('53 days');
    expect(el.querySelector('[data-testid="stat-next"] dd')?.textContent).toBe('Dec 30, 2026, in 37 days');
    expect([...el.querySelectorAll('[data-testid="reasons"] li')].map((li) => li.textContent)).toEqual([
      'last order 53 days ago, within this customer’s usual gap',
      '3 orders, usually 100 days apart',
    ]);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelectorAll('svg.sparkline circle')).toHaveLength(3);
    expect(el.querySelector('svg.sparkline')?.getAttribute('aria-label')).toBe('3 orders: Mar 15, 2026 – Oct 1, 2026');
  });

  it('says which orders the admin counts that are left out, in the admin’s words (issue 12: 8 in the admin, 7 here)', () => {
    const today = NOW - 2 * 3600_000;
    const last = NOW - 137 * DAY;
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        orderCount: 7,
        firstOrderAtMs: last - 6 * 45 * DAY,
        lastOrderAtMs: last,
        daysSinceLastOrder: 137,
        expectedNextOrderAtMs: last + 45 * DAY,
        churnTier: 'high',
        churnProbability: 0.9,
        notCountedOrders: [{ placedAtMs: today, reason: 'refunded' }],
      }),
    );
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={NOW} />);
    expect(el.querySelector('[data-testid="stat-orders"] dd')?.textContent).toBe('7');
    expect(el.querySelector('[data-testid="stat-since"] dd')?.textContent).toBe('137 days');
    expect(el.querySelector('[data-testid="not-counted"]')?.textContent).toBe(
      'Shopify lists 8 orders for this customer; 7 are counted here. Not counted: 1 order refunded in full (payment status “Refunded”), Dec 2, 2026.',
    );
    expect(el.querySelector('[data-testid="late-pill"]')?.textContent).toBe('! Next order 92 days late');
  });

  it('never calls a customer who ordered yesterday overdue, and says "within the usual gap" only when not late', () => {
    const last = NOW - DAY;
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        orderCount: 5,
        firstOrderAtMs: last - 8 * DAY,
        lastOrderAtMs: last,
        daysSinceLastOrder: 1,
        expectedNextOrderAtMs: NOW + 0.6 * DAY,
        overdue: true,
        churnTier: 'low',
        churnProbability: 0.1,
        rfmSegment: 'CHAMPIONS',
      }),
    );
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={NOW} />);
    expect(el.querySelector('[data-testid="late-pill"]')).toBeNull();
    expect(el.querySelector('[data-testid="stat-next"] dd')?.textContent).toBe('Dec 3, 2026, in 1 day');
    expect(el.querySelector('[data-testid="reasons"] li')?.textContent).toBe('last order 1 day ago, within this customer’s usual gap');
    expect(el.querySelector('[data-testid="stat-segment"] dd')?.textContent).toBe('Champions');
  });

  it('does not call a customer silent at 3× their gap "Champions" without saying they went quiet', () => {
    const last = NOW - 90 * DAY;
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        orderCount: 6,
        firstOrderAtMs: last - 150 * DAY,
        lastOrderAtMs: last,
        daysSinceLastOrder: 90,
        expectedNextOrderAtMs: last + 30 * DAY,
        churnTier: 'medium',
        rfmSegment: 'CHAMPIONS',
      }),
    );
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={NOW} />);
    expect(el.querySelector('[data-testid="stat-segment"] dd')?.textContent).toBe('Champions by spend and frequency; recently quiet');
    expect(el.querySelector('[data-testid="reasons"] li')?.textContent).toBe('no order for 3.0× this customer’s usual gap');
    expect(el.querySelector('[data-testid="late-pill"]')?.textContent).toBe('! Next order 60 days late');
  });

  it('gives two one-order customers of today the same word', () => {
    const words = (['NEW', 'ACTIVE'] as const).map((rfmSegment) => {
      const c = toCachedCustomer(
        's',
        sampleInsight('1', { orderCount: 1, isRepeat: false, newCustomer: true, firstOrderAtMs: NOW, lastOrderAtMs: NOW, daysSinceLastOrder: 0, rfmSegment }),
      );
      const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={NOW} />);
      return el.querySelector('[data-testid="stat-segment"] dd')?.textContent;
    });
    expect(words).toEqual(['New (one order)', 'New (one order)']);
  });

  it('calls a low-confidence probability a rough estimate', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { confidence: 'low', churnProbability: 0.001 }));
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={Date.UTC(2026, 10, 23)} />);
    expect(el.querySelector('[data-testid="churn-chance"]')?.textContent).toBe('<1% chance of no order in the next 90 days (rough estimate)');
  });

  it('says a new customer is too early to call, with the probability still in words', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { newCustomer: true, churnTier: 'high', churnProbability: 0.86, orderCount: 1, isRepeat: false }));
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={Date.UTC(2026, 10, 23)} />);
    expect(el.querySelector('.card')?.classList.contains('tier-new')).toBe(true);
    expect(el.querySelector('.pill')?.textContent).toBe('New customer');
    expect(el.querySelector('[data-testid="churn-chance"]')?.textContent).toBe('86% chance of no order in the next 90 days');
    expect(el.querySelector('[data-testid="risk-note"]')?.textContent).toBe(
      'One order so far, within your shop’s usual time to a second order: too early to call this a risk.',
    );
    expect(el.textContent).not.toContain('High risk');
  });

  it('shows dates and counts days in the shop’s time zone, not the browser’s', () => {
    // 22:30 UTC on Dec 1: still Dec 1 in Los Angeles, already Dec 2 in Seoul. "Now" is 23:00 UTC on Dec 2.
    const now = Date.UTC(2026, 11, 2, 23);
    const placed = Date.UTC(2026, 11, 1, 22, 30);
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        orderCount: 2,
        firstOrderAtMs: placed - 30 * DAY,
        lastOrderAtMs: placed,
        daysSinceLastOrder: 1,
        expectedNextOrderAtMs: placed + 30 * DAY,
        notCountedOrders: [{ placedAtMs: placed, reason: 'cancelled' }],
        orderHistory: [
          { placedAtMs: placed - 30 * DAY, amountMinor: 1000 },
          { placedAtMs: placed, amountMinor: 2000 },
        ],
      }),
    );
    const read = (timeZone: string) => {
      const el = mount(<CustomerCard view={{ state: 'found', customer: c, timeZone }} nowMs={now} />);
      return {
        next: el.querySelector('[data-testid="stat-next"] dd')?.textContent,
        notCounted: el.querySelector('[data-testid="not-counted"]')?.textContent,
        history: el.querySelector('.sparkline title')?.textContent,
      };
    };
    expect(read('Asia/Seoul')).toEqual({
      next: 'Jan 1, 2027, in 29 days',
      notCounted: 'Shopify lists 3 orders for this customer; 2 are counted here. Not counted: 1 cancelled order, Dec 2, 2026.',
      history: '2 orders: Nov 2, 2026 – Dec 2, 2026',
    });
    expect(read('America/Los_Angeles')).toEqual({
      next: 'Dec 31, 2026, in 29 days',
      notCounted: 'Shopify lists 3 orders for this customer; 2 are counted here. Not counted: 1 cancelled order, Dec 1, 2026.',
      history: '2 orders: Nov 1, 2026 – Dec 1, 2026',
    });
  });

  it('says when its numbers may be out of date, and why, in the browser language', () => {
    const c = toCachedCustomer('s', sampleInsight('1'));
    const fresh = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={NOW} />);
    expect(fresh.querySelector('[data-testid="stale"]')).toBeNull();
    resetUiLocale('ko');
    const el = mount(<CustomerCard view={{ state: 'found', customer: c, problem: { code: 'unauthorized', message: 'HTTP 401' } }} nowMs={NOW} />);
    expect(el.querySelector('[data-testid="stale"]')?.textContent).toBe(
      '이 수치는 최신이 아닐 수 있습니다. CLV Lens 앱이 이 브라우저의 연결을 더 이상 받지 않습니다. 연결이 취소되었거나 만료되었습니다. 옵션 페이지에서 새 페어링 링크로 다시 연결하세요.',
    );
  });

  it('says whose card it is on an order page', () => {
    const c = toCachedCustomer('s', sampleInsight('1'));
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={NOW} subject="order" />);
    expect(el.querySelector('[data-testid="card-whose"]')?.textContent).toBe('About this order’s customer');
  });
});
