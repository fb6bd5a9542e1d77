// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { toCachedCustomer } from '../db/cache.ts';
import type { CachedCustomer } from '../db/schema.ts';
import { DEFAULT_BADGE_SETTINGS } from '../messages/protocol.ts';
import { sampleInsight } from '../testing/fake-app-api.ts';
import { Badge, describeCustomer } from './Badge.tsx';
import { CustomerCard } from './CustomerCard.tsx';

const XSS = '<img src=x onerror=alert(1)>';
const fields = DEFAULT_BADGE_SETTINGS.fields;

function mount(vnode: preact.ComponentChild): HTMLElement {
  const el = document.createElement('div');
  document.body.append(el);
  render(vnode, el);
  return el;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('Badge', () => {
  it('shows the tier as a word with the churn probability next to its colour, CLV, orders and the overdue and repeat marks', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { churnTier: 'high', churnProbability: 0.82, overdue: true, historicClvMinor: 123_456, orderCount: 7 }));
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} />);
    const badge = el.querySelector('.badge')!;
    expect(badge.getAttribute('data-tier')).toBe('high');
    expect(badge.querySelector('.tier')?.textContent).toBe('High risk 82%');
    expect(badge.querySelector('.clv')?.textContent).toBe('$1.2K');
    expect(badge.querySelector('.orders')?.textContent).toBe('7×');
    expect(badge.querySelector('.overdue')?.textContent).toContain('overdue');
    expect(badge.querySelector('.repeat')?.textContent).toContain('repeat');
    expect(badge.getAttribute('tabindex')).toBe('0');
    expect(badge.getAttribute('aria-label')).toBe(
      'CLV Lens: High risk, 82% chance of no order in the next 90 days, historic CLV $1,234.56, 7 orders, overdue, repeat customer',
    );
    expect(badge.querySelector('[role="tooltip"]')?.textContent).toBe(describeCustomer(c));
    expect(describeCustomer(c)).toMatch(/^High risk, 82% chance of no order in the next 90 days: ordering on their usual rhythm\. /);
  });

  it('shows "New" rather than a risk for a customer too new to judge', () => {
    const c = toCachedCustomer(
      's',
      sampleInsight('1', { newCustomer: true, churnTier: 'high', churnProbability: 0.86, orderCount: 1, isRepeat: false, churnReasons: ['one order, 12 days ago'] }),
    );
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} />);
    const badge = el.querySelector('.badge')!;
    expect(badge.querySelector('.tier')?.textContent).toBe('New');
    expect(badge.classList.contains('tier-new')).toBe(true);
    expect(badge.classList.contains('tier-high')).toBe(false);
    expect(badge.getAttribute('aria-label')).toMatch(/^CLV Lens: New customer, one order so far: too early to expect a second, historic CLV/);
    expect(describeCustomer(c)).toMatch(
      /^New customer, one order so far: too early to expect a second \(86% chance of no order in the next 90 days\): one order, 12 days ago\./,
    );
  });

  it('shows only the tier for a record cached from an app without the horizon', () => {
    const c = { ...toCachedCustomer('s', sampleInsight('1', { churnTier: 'medium', churnProbability: 0.5 })), churnHorizonDays: undefined } as unknown as CachedCustomer;
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} />);
    expect(el.querySelector('.tier')?.textContent).toBe('Med');
    expect(describeCustomer(c)).toMatch(/^Medium risk, 50% chance of having stopped buying/);
  });

  it('never rounds a probability to a certainty', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { churnTier: 'high', churnProbability: 0.998 }));
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} />);
    expect(el.querySelector('.tier')?.textContent).toBe('High risk >99%');
  });

  it('leaves out the parts the merchant turned off', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { overdue: true }));
    const el = mount(
      <Badge view={{ state: 'found', customer: c }} fields={{ ...fields, historicClv: false, overdue: false }} />,
    );
    expect(el.querySelector('.clv')).toBeNull();
    expect(el.querySelector('.overdue')).toBeNull();
    expect(el.querySelector('.tier')).not.toBeNull();
  });

  it('renders a quiet placeholder for customers not in the cache', () => {
    const el = mount(<Badge view={{ state: 'missing' }} fields={fields} />);
    expect(el.textContent).toBe('CLV –');
    expect(el.querySelector('.badge')?.getAttribute('aria-label')).toBe('CLV Lens: no data for this customer yet');
  });

  it('shows markup in data as text, never as HTML', () => {
    const c = toCachedCustomer('s', sampleInsight('1', { churnReasons: [XSS], currency: 'USD' }));
    const el = mount(<Badge view={{ state: 'found', customer: c }} fields={fields} />);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('[role="tooltip"]')?.textContent).toContain(XSS);
  });
});

describe('CustomerCard', () => {
  it('shows value, risk with its reasons, cadence, segment and a sparkline', () => {
    const c = toCachedCustomer(
      's',
      sampleInsight('1', {
        churnTier: 'medium',
        churnProbability: 0.64,
        churnReasons: ['no order for 2.1x the usual gap', XSS],
        rfmSegment: 'NEEDS_ATTENTION',
      }),
    );
    const el = mount(<CustomerCard view={{ state: 'found', customer: c }} nowMs={Date.UTC(2026, 10, 23)} />);
    const text = el.textContent ?? '';
    expect(el.querySelector('.pill')?.textContent).toBe('Medium risk');
    expect(el.querySelector('[data-testid="churn-chance"]')?.textContent).toBe('64% chance of no order in the next 90 days');
    expect(el.querySelector('[data-testid="risk-note"]')?.textContent).toBe('The risk tier compares this customer with the rest of your shop.');
    expect(text).not.toContain('still active');
    expect(text).toContain('$123.45');
    expect(text).toContain('$67.89');
    expect(text).toContain('Needs attention');
    expect(text).toContain('53 days');
    expect(text).toContain('Dec 30, 2026 (in 37 days)');
    expect([...el.querySelectorAll('.reasons li')].map((li) => li.textContent)).toEqual(['no order for 2.1x the usual gap', XSS]);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelectorAll('svg.sparkline circle')).toHaveLength(3);
    expect(el.querySelector('svg.sparkline')?.getAttribute('aria-label')).toBe('3 orders from Mar 15, 2026 to Oct 1, 2026');
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
      "One order so far, within your shop's usual time to a second order: too early to call this a risk.",
    );
    expect(el.textContent).not.toContain('High risk');
  });
});
