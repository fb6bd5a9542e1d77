// @vitest-environment happy-dom
import { computeCsat, computeNps } from '@clvlens/core';
import { describe, expect, it } from 'vitest';
import type { FeedbackMetricsV1 } from '../../imports/feedback-metrics.ts';
import type { ImportResultV1 } from '../../imports/import-store.ts';
import { createTranslator } from '@clvlens/core/i18n';
import { h, render } from 'preact';
import { FeedbackCard, rowErrorText, type FeedbackCardDeps } from './feedback.ts';

/** Lets the card's effects (its figures request) and their renders run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

/** The card rendered into a fresh element of the page. */
function mount(node: Parameters<typeof render>[0]): HTMLElement {
  const box = document.createElement('div');
  document.body.append(box);
  render(node, box);
  return box.firstElementChild as HTMLElement;
}

const HOSTILE = '<img src=x onerror="window.hacked=1">';
const UPLOADED = Date.UTC(2026, 10, 20, 12);

const METRICS: FeedbackMetricsV1 = {
  currency: 'USD',
  marginFraction: 1,
  nps: {
    overall: computeNps([10, 9, 3, 7]),
    trend: [
      { month: '2026-09', value: computeNps([10, 9]) },
      { month: '2026-10', value: computeNps([3, 7]) },
    ],
    sources: [{ kind: 'upload', fileName: `${HOSTILE}.csv`, atMs: UPLOADED }],
  },
  csat: {
    overall: computeCsat([5, 2]),
    trend: [{ month: '2026-10', value: computeCsat([5, 2]) }],
    sources: [{ kind: 'upload', fileName: 'a.csv', atMs: UPLOADED }],
  },
  ltvCac: {
    overall: 2.5,
    spendMinor: 100_000,
    newCustomers: 20,
    trend: [
      { month: '2026-09', newCustomers: 20, spendMinor: 100_000, cacMinor: 5_000, ltvMinor: 12_500, ltvToCac: 2.5, paybackMonth: 3, spendSource: 'upload' },
      { month: '2026-10', newCustomers: 0, spendMinor: 7_000, cacMinor: null, ltvMinor: 0, ltvToCac: null, paybackMonth: null, spendSource: 'shopify' },
    ],
    sources: [
      { kind: 'shopify', atMs: UPLOADED },
      { kind: 'upload', fileName: 'spend.csv', atMs: UPLOADED - 1000 },
    ],
  },
};

function fakeDeps(locale: FeedbackCardDeps['locale'] = 'en'): FeedbackCardDeps & { sent: { path: string; body: unknown }[] } {
  const sent: { path: string; body: unknown }[] = [];
  return {
    locale,
    sent,
    async request(path, init = {}) {
      sent.push({ path, body: init.body });
      if (path === '/app/api/feedback-metrics') return { status: 200, body: METRICS };
      if (path === '/app/api/imports/surveys') {
        const result: ImportResultV1 = {
          importId: '1',
          kind: 'surveys',
          fileName: (init.body as { fileName: string }).fileName,
          uploadedAtMs: UPLOADED,
          rowsRead: 3,
          rowsAdded: 1,
          rowsRejected: 2,
          errors: [
            {
              line: 2,
              column: 2,
              field: 'score',
              message: 'x.csv:2:2 (field "score"): "11" is not a whole NPS score from 0 to 10.',
              problem: { reason: 'survey-score', value: '11', params: { type: 'NPS', min: 0, max: 10 } },
            },
            // A reason the catalog does not know, and a hostile value: the CLI's message, as text.
            { line: 3, column: 1, field: 'type', message: `x.csv:3:1 (field "type"): ${HOSTILE}`, problem: { reason: 'something-new', value: HOSTILE } },
          ],
        };
        return { status: 200, body: result };
      }
      return { status: 404, body: { error: { code: 'not-found', message: 'no' } } };
    },
  };
}

describe('FeedbackCard', () => {
  it('shows NPS, CSAT and LTV:CAC with their sources and a monthly table, untrusted file names as text', async () => {
    const card = mount(h(FeedbackCard, { deps: fakeDeps(), version: '' }));
    await settle();
    const text = (id: string) => card.querySelector(`[data-testid="${id}"]`)?.textContent;
    expect(text('feedback-nps')).toBe('+25');
    expect(text('feedback-csat')).toBe('50.0%');
    expect(text('feedback-ltv-cac')).toBe('2.5:1');
    const notes = [...card.querySelectorAll('[data-testid="feedback-ltv-cac-note"]')].map((n) => n.textContent);
    expect(notes).toEqual([
      'Margin per new customer so far over spend per new customer, across 1 month with spend',
      'From spend.csv, uploaded Nov 20, 2026; From Shopify marketing activities, read Nov 20, 2026',
    ]);
    expect(text('trend-nps-2026-10')).toBe('−50');
    expect(text('trend-spend-source-2026-09')).toBe('uploaded');
    expect(text('trend-spend-source-2026-10')).toBe('from Shopify marketing activities');
    expect(card.querySelector('img')).toBeNull();
    expect(card.textContent).toContain(`From ${HOSTILE}.csv, uploaded`);
  });

  it('uploads the chosen file as JSON and lists the rejected rows with line and field', async () => {
    const deps = fakeDeps();
    const card = mount(h(FeedbackCard, { deps, version: '' }));
    const input = card.querySelector<HTMLInputElement>('#upload-surveys')!;
    const file = new File(['type,score\nnps,11\npromoter,9\nnps,9'], 'answers.csv', { type: 'text/csv' });
    Object.defineProperty(input, 'files', { value: [file] });
    input.closest('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await expect.poll(() => card.querySelector('[data-testid="import-done-surveys"]')?.textContent).toBe('answers.csv: 1 new answer stored from 3 rows.');
    expect(deps.sent.find((s) => s.path === '/app/api/imports/surveys')!.body).toEqual({
      fileName: 'answers.csv',
      csv: 'type,score\nnps,11\npromoter,9\nnps,9',
    });
    expect(card.querySelector('[data-testid="import-rejected-surveys"]')!.textContent).toBe('2 rows were rejected and not stored; the other rows were.');
    const items = [...card.querySelectorAll('.row-errors li')].map((li) => li.textContent);
    expect(items[0]).toBe('Line 2, field “score”: “11” is not a whole NPS score from 0 to 10.');
    expect(items[1]).toBe(`Line 3, field “type”: x.csv:3:1 (field "type"): ${HOSTILE}`);
    expect(card.querySelector('img')).toBeNull();
  });

  it('speaks Korean and Arabic', async () => {
    for (const [locale, word] of [
      ['ko', '설문과 마케팅 비용'],
      ['ar', 'الاستبيانات وإنفاق التسويق'],
    ] as const) {
      const card = mount(h(FeedbackCard, { deps: fakeDeps(locale), version: '' }));
      await settle();
      expect(card.querySelector('h2')!.textContent).toBe(word);
      expect(card.querySelector('[data-testid="trend-spend-source-2026-10"]')!.textContent).not.toBe('from Shopify marketing activities');
    }
  });
});

describe('rowErrorText', () => {
  it('words each reader problem in Korean and Arabic from the catalog', () => {
    const error = (reason: string, value: string, params?: Record<string, string | number>) => ({
      line: 7,
      column: 2,
      field: 'amount',
      message: 'english',
      problem: { reason, value, ...(params ? { params } : {}) },
    });
    const ko = createTranslator('ko');
    const ar = createTranslator('ar');
    expect(rowErrorText(ko, error('amount-too-many-decimals', '12.345', { currency: 'KRW' }))).toBe(
      '7번째 줄, “amount” 필드: “12.345”은(는) KRW에서 허용하는 것보다 소수 자릿수가 많습니다.',
    );
    expect(rowErrorText(ar, error('month', '2026-13'))).toBe('السطر 7، الحقل «amount»: «2026-13» ليس شهرًا بصيغة مثل 2025-10.');
    for (const reason of [
      'survey-type',
      'survey-score',
      'month',
      'other-currency',
      'amount-empty',
      'amount-not-a-decimal',
      'amount-too-many-decimals',
      'amount-too-large',
      'amount-negative',
      'date',
      'customer-id',
    ]) {
      for (const tr of [createTranslator('en'), ko, ar]) {
        const text = rowErrorText(tr, error(reason, 'x', { type: 'NPS', min: 0, max: 10, currency: 'USD' }));
        expect(text).not.toContain('english');
        expect(text).not.toMatch(/[{}]/);
      }
    }
  });
});
