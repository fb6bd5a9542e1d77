/// <reference lib="dom" />
/**
 * The dashboard's survey/spend card (NPS, CSAT and LTV:CAC with their monthly trend and sources, and the two CSV
 * uploads): a Preact component of the dashboard's client (bundled by vite.config.ts), with the deps, element helper and
 * error wording the export card (export.ts) shares; file names, answers and error messages are text children, never
 * markup.
 */
import { createTranslator, type Locale, type MessageKey, type MessageParams, type Translator } from '@clvlens/core/i18n';
import { h as createElement, type ComponentChild, type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FeedbackMetricsV1, MetricSourceV1 } from '../../imports/feedback-metrics.ts';
import type { ImportResultV1, ImportRowError } from '../../imports/import-store.ts';

/** What the cards need from the dashboard. */
export interface FeedbackCardDeps {
  /** The dashboard's JSON request with the session token. */
  request(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  /** Fetches a file with the session token (the export); absent where files cannot be saved. */
  download?(path: string): Promise<{ status: number; blob: Blob | null; body: unknown }>;
  /** Saves a downloaded file under `fileName` (the browser's download). */
  save?(blob: Blob, fileName: string): void;
  toast?(message: string): void;
  locale: Locale;
}

/** Rejected rows listed under an upload; the rest are counted. */
export const SHOWN_ROW_ERRORS = 10;

/** A Preact element, written like the DOM it becomes; string children are text, never markup. */
export const el = (tag: string, attrs: Record<string, unknown> = {}, ...children: ComponentChildren[]): ComponentChild =>
  createElement(tag, attrs, ...children);

/** The app's error message in an answer's body, else the catalog's "unexpected" wording. */
export function messageOf(body: unknown, tr: Translator): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : tr.t('dash.unexpected');
}

/** A signed whole-number NPS ("+42", "−7") in the locale's digits. */
function formatNps(tr: Translator, value: number | null): string {
  if (value === null) return '—';
  const rounded = Math.round(value);
  const text = `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${tr.number(Math.abs(rounded))}`;
  // In right-to-left text the bidi algorithm moves the sign behind the digits ("40+"): isolate it left to right.
  return tr.dir === 'rtl' ? `\u2066${text}\u2069` : text;
}

function formatRatio(tr: Translator, ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '—' : tr.t('dash.feedback.ratio', { ratio: tr.number(ratio, 1) });
}

/** "From <file>, uploaded <date>", "From 3 uploads; the latest is …" or "From Shopify marketing activities, read …". */
export function sourceText(tr: Translator, sources: readonly MetricSourceV1[]): string {
  const uploads = sources.filter((s) => s.kind === 'upload');
  const shopify = sources.find((s) => s.kind === 'shopify');
  const parts: string[] = [];
  const latest = uploads[0];
  if (latest && uploads.length === 1) parts.push(tr.t('dash.feedback.source.upload', { file: latest.fileName ?? '', date: tr.date(latest.atMs, 'UTC') }));
  else if (latest) parts.push(tr.t('dash.feedback.source.uploads', { count: uploads.length, file: latest.fileName ?? '', date: tr.date(latest.atMs, 'UTC') }));
  if (shopify) parts.push(tr.t('dash.feedback.source.shopify', { date: tr.date(shopify.atMs, 'UTC') }));
  return parts.join(tr.t('list.semicolon'));
}

/**
 * One rejected row: "Line 3, field “score”: …" with the problem worded from the catalog (`import.problem.<reason>`),
 * or the CLI's English message when the reader gave no reason the catalog knows.
 */
export function rowErrorText(tr: Translator, e: ImportRowError): string {
  const key = e.problem === null ? null : `import.problem.${e.problem.reason}`;
  const message = key !== null && tr.has(key) ? tr.t(key, { value: e.problem!.value, ...e.problem!.params }) : e.message;
  return e.field === null
    ? tr.t('dash.feedback.upload.rowErrorNoField', { line: e.line, message })
    : tr.t('dash.feedback.upload.rowError', { line: e.line, field: e.field, message });
}

/** What an upload did, with its rejected rows (line, field and the CLI's message), for the card's live region. */
export function renderImportResult(tr: Translator, result: ImportResultV1): ComponentChild {
  const done = tr.t(result.kind === 'surveys' ? 'dash.feedback.upload.doneSurveys' : 'dash.feedback.upload.doneSpend', {
    file: result.fileName,
    added: result.rowsAdded,
    read: result.rowsRead,
  });
  const more = result.rowsRejected - Math.min(SHOWN_ROW_ERRORS, result.errors.length);
  return el(
    'div',
    { class: 'import-result', 'data-kind': result.kind },
    el('p', { 'data-testid': `import-done-${result.kind}` }, done),
    result.rowsRejected > 0
      ? el(
          'p',
          { class: 'banner', 'data-tone': 'attention', 'data-testid': `import-rejected-${result.kind}` },
          tr.t('dash.feedback.upload.rejected', { n: result.rowsRejected }),
        )
      : null,
    result.rowsRejected > 0
      ? el('ul', { class: 'row-errors' }, ...result.errors.slice(0, SHOWN_ROW_ERRORS).map((e, i) => el('li', { key: i, dir: 'auto' }, rowErrorText(tr, e))))
      : null,
    result.rowsRejected > 0 && more > 0 ? el('p', { class: 'muted' }, tr.t('dash.feedback.upload.moreErrors', { n: more })) : null,
  );
}

function kpiBlock(label: string, value: string, testId: string, ...notes: string[]): ComponentChild {
  return el(
    'div',
    { class: 'kpi' },
    el('span', { class: 'label' }, label),
    el('span', { class: 'value', 'data-testid': testId }, value),
    ...notes.filter((n) => n !== '').map((n, i) => el('span', { key: i, class: 'muted kpi-note', 'data-testid': `${testId}-note` }, n)),
  );
}

/** The NPS, CSAT and LTV:CAC figures, their sources and the monthly table. */
export function renderFeedbackMetrics(tr: Translator, m: FeedbackMetricsV1): ComponentChild {
  const t = (key: MessageKey, params?: MessageParams) => tr.t(key, params);
  if (m.nps === null && m.csat === null && m.ltvCac === null) return el('p', { class: 'muted', id: 'feedback-none' }, t('dash.feedback.none'));
  const kpis = el(
    'div',
    { class: 'kpis feedback-kpis' },
    kpiBlock(
      t('term.nps'),
      formatNps(tr, m.nps?.overall.value ?? null),
      'feedback-nps',
      m.nps ? t('dash.feedback.responses', { n: m.nps.overall.responses }) : '',
      m.nps ? sourceText(tr, m.nps.sources) : '',
    ),
    kpiBlock(
      t('term.csat'),
      m.csat?.overall.value == null ? '—' : tr.percent(m.csat.overall.value, 1),
      'feedback-csat',
      m.csat ? t('dash.feedback.responses', { n: m.csat.overall.responses }) : '',
      m.csat ? sourceText(tr, m.csat.sources) : '',
    ),
    kpiBlock(
      t('term.ltvCac'),
      formatRatio(tr, m.ltvCac?.overall ?? null),
      'feedback-ltv-cac',
      m.ltvCac === null
        ? ''
        : m.ltvCac.overall === null
          ? t('dash.feedback.noLtvCac')
          : t('dash.feedback.ltvCacNote', { months: m.ltvCac.trend.filter((r) => r.spendMinor > 0 && r.newCustomers > 0).length }),
      m.ltvCac ? sourceText(tr, m.ltvCac.sources) : '',
    ),
  );
  const months = new Set<string>();
  for (const r of m.nps?.trend ?? []) months.add(r.month);
  for (const r of m.csat?.trend ?? []) months.add(r.month);
  for (const r of m.ltvCac?.trend ?? []) months.add(r.month);
  // The last twelve months that have any figure, oldest first.
  const shown = [...months].sort().slice(-12);
  const byMonth = <T extends { month: string }>(rows: readonly T[] | undefined) => new Map((rows ?? []).map((r) => [r.month, r]));
  const nps = byMonth(m.nps?.trend);
  const csat = byMonth(m.csat?.trend);
  const ltv = byMonth(m.ltvCac?.trend);
  const num = (text: string, testId?: string) => el('td', { class: 'num', 'data-testid': testId }, text);
  const rows = shown.map((month) => {
    const l = ltv.get(month);
    return el(
      'tr',
      { key: month, 'data-month': month },
      el('th', { scope: 'row' }, tr.month(month)),
      num(formatNps(tr, nps.get(month)?.value.value ?? null), `trend-nps-${month}`),
      num(csat.get(month)?.value.value == null ? '—' : tr.percent(csat.get(month)!.value.value, 1), `trend-csat-${month}`),
      num(formatRatio(tr, l?.ltvToCac ?? null), `trend-ltv-cac-${month}`),
      num(l === undefined || m.currency === null ? '—' : tr.money(l.spendMinor, m.currency)),
      el('td', { 'data-testid': `trend-spend-source-${month}` }, l === undefined ? '' : t(`dash.feedback.spendSource.${l.spendSource}`)),
    );
  });
  const caption = t('dash.feedback.trend.caption');
  const head = [t('dash.feedback.col.month'), 'NPS', 'CSAT', 'LTV:CAC', t('dash.feedback.col.spend'), t('dash.feedback.col.spendSource')];
  const table = el(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    el(
      'table',
      { id: 'feedback-trend' },
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, ...head.map((text, i) => el('th', { scope: 'col', class: i === 0 || i === 5 ? undefined : 'num' }, text)))),
      el('tbody', {}, ...rows),
    ),
  );
  return el('div', {}, kpis, shown.length > 0 ? table : null);
}

/** One upload form (survey answers or spend); the file input stays uncontrolled (a browser-owned file list). */
function UploadForm(props: { kind: 'surveys' | 'spend'; label: string; button: string; busy: boolean; onFile(file: File | null, clear: () => void): void }) {
  const { kind, label, button, busy, onFile } = props;
  const input = useRef<HTMLInputElement>(null);
  const id = `upload-${kind}`;
  return el(
    'form',
    {
      class: 'upload-form',
      'data-kind': kind,
      onSubmit: (event: Event) => {
        event.preventDefault();
        onFile(input.current?.files?.[0] ?? null, () => {
          if (input.current) input.current.value = '';
        });
      },
    },
    el('label', { for: id }, label),
    el(
      'div',
      { class: 'upload-row' },
      el('input', { type: 'file', id, accept: '.csv,text/csv', 'data-testid': id, ref: input }),
      el('button', { type: 'submit', class: 'secondary', disabled: busy }, button),
    ),
  );
}

/**
 * The "Surveys and marketing spend" card: loads `/app/api/feedback-metrics` (again whenever `version`, the report's,
 * changes), and uploads a survey or spend CSV (read in the browser, sent as JSON) to `/app/api/imports/*`, then shows
 * what was stored and which rows were rejected.
 */
export function FeedbackCard({ deps, version }: { deps: FeedbackCardDeps; version: string }): ComponentChild {
  const tr = useMemo(() => createTranslator(deps.locale), [deps.locale]);
  const t = (key: MessageKey, params?: MessageParams) => tr.t(key, params);
  const [figures, setFigures] = useState<ComponentChild>(null);
  const [currency, setCurrency] = useState<string | null>(null);
  const [result, setResult] = useState<ComponentChild>(null);
  const [busy, setBusy] = useState<'surveys' | 'spend' | null>(null);

  const refresh = async (): Promise<void> => {
    try {
      const res = await deps.request('/app/api/feedback-metrics');
      if (res.status !== 200) throw new Error(messageOf(res.body, tr));
      const metrics = res.body as FeedbackMetricsV1;
      setCurrency(metrics.currency);
      setFigures(renderFeedbackMetrics(tr, metrics));
    } catch (error) {
      // The rest of the dashboard still works: a note in the card, not an alert for the page.
      setFigures(el('p', { class: 'banner', 'data-tone': 'attention' }, t('dash.feedback.loadFailed', { message: (error as Error).message })));
    }
  };
  useEffect(() => {
    void refresh();
  }, [version, deps]);

  const upload = (kind: 'surveys' | 'spend') => (file: File | null, clear: () => void) => {
    if (!file) {
      setResult(el('p', { class: 'banner', 'data-tone': 'attention' }, t('dash.feedback.upload.noFile')));
      return;
    }
    setBusy(kind);
    setResult(el('p', { class: 'muted' }, t('dash.feedback.upload.working', { file: file.name })));
    void (async () => {
      try {
        const csv = await file.text();
        const res = await deps.request(`/app/api/imports/${kind}`, { method: 'POST', body: { fileName: file.name, csv } });
        if (res.status !== 200) throw new Error(messageOf(res.body, tr));
        setResult(renderImportResult(tr, res.body as ImportResultV1));
        clear();
        await refresh();
      } catch (error) {
        setResult(
          el('p', { class: 'banner', 'data-tone': 'critical', role: 'alert' }, t('dash.feedback.upload.failed', { message: (error as Error).message })),
        );
      } finally {
        setBusy(null);
      }
    })();
  };

  return el(
    'section',
    { class: 'card card--wide', id: 'feedback', 'aria-labelledby': 'feedback-title' },
    el('h2', { id: 'feedback-title' }, t('dash.feedback.title')),
    el('p', { class: 'muted' }, t('dash.feedback.intro')),
    el('div', { id: 'feedback-figures', 'aria-live': 'polite' }, figures),
    el(
      'div',
      { class: 'upload-forms' },
      createElement(UploadForm, {
        kind: 'surveys',
        label: t('dash.feedback.upload.surveys'),
        button: t('dash.feedback.upload.button'),
        busy: busy === 'surveys',
        onFile: upload('surveys'),
      }),
      createElement(UploadForm, {
        kind: 'spend',
        label: t('dash.feedback.upload.spend', { currency: currency ?? '—' }),
        button: t('dash.feedback.upload.button'),
        busy: busy === 'spend',
        onFile: upload('spend'),
      }),
    ),
    el('div', { id: 'feedback-results', 'aria-live': 'polite' }, result),
  );
}
