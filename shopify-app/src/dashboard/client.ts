/// <reference lib="dom" />
/**
 * The embedded dashboard in the browser, bundled by Vite (vite.config.ts: `pnpm --filter @clvlens/shopify-app run
 * build:dashboard`) with the message catalog `@clvlens/core/i18n`, the shared charts `@clvlens/ui` and uPlot, and
 * served from the build as `/app/assets/dashboard.js` (assets.ts). Every string comes from the catalog in the admin's
 * locale (en, ko, ar; Arabic right to left). It reads `/app/api/summary`, `/app/api/report` and `/app/api/segments`
 * with App Bridge session tokens, and builds every element with createElement + textContent: no data ever becomes
 * markup. While the first sync runs (no report yet) it shows the progress and polls; it renders once the report exists.
 */
import type { ScorecardRow, ShopReport, ShopSettingsV1, ShopSummaryV1, VipSlippingV1 } from '@clvlens/core';
import {
  churnTrendReading,
  createTranslator,
  resolveLocale,
  shownScorecardStatus,
  type Locale,
  type MessageKey,
  type MessageParams,
  type Translator,
} from '@clvlens/core/i18n';
import { mountLineChart, type LineChartProps, type UPlotConstructor } from '@clvlens/ui';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '@clvlens/ui/line-chart.css';
import type { SegmentValueV1 } from './segments.ts';
import { createExportCard, createFeedbackCard } from './feedback-card.ts';
import { nameCustomerLinks, renderVipCard } from './vip-card.ts';

/** What the dashboard needs from its surroundings (the browser, or a test). */
export interface DashboardDeps {
  /** GET/POST/PUT a JSON path of the app with the session token (`body` sent as JSON); resolves with the HTTP status and parsed body. */
  request(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  /** uPlot's constructor (a recording stand-in in tests); default: the bundled uPlot. */
  uPlot?: UPlotConstructor;
  /** App Bridge toast. */
  toast?(message: string): void;
  /** App Bridge's loading indicator in the admin, on during the first load. */
  loading?(on: boolean): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** The admin's language (Shopify's `locale`). Default: the page's `<html lang>`, else English. */
  locale?: Locale;
  /** The app's own origin, for the pairing link (`https://app.example.com`). Default: the page's origin. */
  appOrigin?: string;
  /** GETs a file of the app with the session token (the customer export); without it the export button does nothing. */
  download?(path: string): Promise<{ status: number; blob: Blob | null; body: unknown }>;
  /** Hands a downloaded file to the browser to save. */
  save?(blob: Blob, fileName: string): void;
}

/** Poll intervals: fast while syncing, slow once live. */
export const POLL_MS = { syncing: 3000, live: 30_000 } as const;

/** One line per metric on why it differs from what Shopify shows (catalog keys). */
export const WHY_DIFFERENT = {
  scorecard: 'dash.why.scorecard',
  repeatRate: 'dash.why.repeatRate',
  churn: 'dash.why.churn',
  cohorts: 'dash.why.cohorts',
  rfm: 'dash.why.rfm',
  atRisk: 'dash.why.atRisk',
} as const satisfies Record<string, MessageKey>;

/** The translator every render uses; {@link startDashboard} sets it from the admin's locale. */
let tr: Translator = createTranslator('en');
/** Sets the dashboard's language (tests and {@link startDashboard}). */
export function setDashboardLocale(locale: Locale): void {
  tr = createTranslator(locale);
}
const t = (key: MessageKey, params?: MessageParams): string => tr.t(key, params);

type Child = Node | string | null | undefined | false;

/** A drawn chart; destroyed before the sections are rebuilt. */
interface ChartHandle {
  destroy(): void;
}

/** Creates an element; string children become text nodes (never parsed as HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** Formats shop-currency minor units with the currency's own decimals, in the dashboard's locale. */
export function formatMoney(minor: number | null, currency: string): string {
  if (minor === null || !Number.isFinite(minor)) return '—';
  return tr.money(minor, currency);
}

/** A fraction as a percentage with one decimal ("12.3%"), in the dashboard's locale. */
export function formatPercent(fraction: number | null, decimals = 1): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  return tr.percent(fraction, decimals);
}

const formatCount = (n: number): string => tr.number(n);
/** A calendar date in the shop's time zone (week starts and "as of" are local midnights and ends of local days). */
const formatDate = (ms: number, timeZone = 'UTC'): string => tr.date(ms, timeZone);
const formatTime = (ms: number): string => tr.time(ms);

/** The status pill's tone; `too-early` (under a week into the program) is neutral. */
const STATUS_TONE: Record<string, string | undefined> = {
  achieved: 'success',
  'on-track': 'success',
  behind: 'critical',
  improving: 'success',
  steady: 'info',
  worsening: 'critical',
  'too-early': 'info',
};

const TIER_TONE: Record<string, string> = { high: 'critical', medium: 'attention', low: 'success' };

const segmentLabel = (segment: string | null): string => {
  if (segment === null) return t('segment.none');
  const key = `segment.${segment}`;
  return tr.has(key) ? t(key) : segment;
};

function pill(text: string, tone?: string): HTMLElement {
  return h('span', { class: 'pill', 'data-tone': tone }, text);
}

function card(id: string, title: string, ...children: Child[]): HTMLElement {
  const headingId = `${id}-title`;
  return h('section', { class: 'card', id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), ...children);
}

/** A card spanning the whole grid row (tables too wide for half a page). */
function wideCard(id: string, title: string, ...children: Child[]): HTMLElement {
  const section = card(id, title, ...children);
  section.classList.add('card--wide');
  return section;
}

function why(key: MessageKey): HTMLElement {
  return h('p', { class: 'why' }, h('strong', {}, t('dash.whyDiffers')), t(key));
}

function kpi(label: string, value: string, testId: string): HTMLElement {
  return h('div', { class: 'kpi' }, h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-testid': testId }, value));
}

/** A captioned table; every column but those in `textColumns` (default the first) holds numbers, right-aligned. */
function table(caption: string, head: string[], rows: Node[][], textColumns: readonly number[] = [0], className?: string): HTMLElement {
  const thead = h('thead', {}, h('tr', {}, ...head.map((text, i) => h('th', { scope: 'col', class: textColumns.includes(i) ? undefined : 'num' }, text))));
  const tbody = h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells)));
  // The wrapper scrolls sideways on narrow screens: focusable and named so keyboard users can scroll it too.
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    h('table', { class: className }, h('caption', {}, caption), thead, tbody),
  );
}

const rowHeader = (...children: Child[]): HTMLElement => h('th', { scope: 'row' }, ...children);
const numCell = (text: string, testId?: string): HTMLElement => h('td', { class: 'num', 'data-testid': testId }, text);

/** The sync card: state, progress bar while backfilling, counts. */
export function renderSync(summary: ShopSummaryV1): HTMLElement {
  const s = summary.sync;
  const est = s.ordersEstimated;
  const stateText = t(`dash.sync.state.${s.state}`);
  const counts =
    est && s.state !== 'live' ? t('dash.sync.ordersOf', { done: formatCount(s.ordersDone), estimated: est }) : t('dash.sync.orders', { done: s.ordersDone });
  const share = est && s.state !== 'live' ? ` (${formatPercent(Math.min(1, Math.floor((100 * s.ordersDone) / est) / 100), 0)})` : '';
  const bar = h('progress', { id: 'sync-progress', 'aria-labelledby': 'sync-title' });
  bar.max = est && est > 0 ? est : 1;
  bar.value = est && est > 0 ? Math.min(s.ordersDone, est) : s.state === 'live' ? 1 : 0;
  return card(
    'sync',
    t('dash.sync.title'),
    h(
      'p',
      {},
      `${t('dash.sync.status')} `,
      pill(stateText, s.state === 'live' ? 'success' : s.state === 'error' ? 'critical' : 'info'),
      ' ',
      h('span', { id: 'sync-text' }, counts),
      share,
    ),
    s.state === 'live' ? null : bar,
    s.message ? h('p', { class: 'muted' }, s.message) : null,
    s.lastSyncAtMs !== null ? h('p', { class: 'muted' }, t('dash.sync.last', { date: formatDate(s.lastSyncAtMs), time: formatTime(s.lastSyncAtMs) })) : null,
  );
}

function renderScorecard(report: ShopReport): HTMLElement {
  const sc = report.scorecard;
  const money = (v: number | null) => formatMoney(v === null ? null : Math.round(v), report.currency ?? 'USD');
  const value = (row: ScorecardRow, v: number | null) => (row.unit === 'fraction' ? formatPercent(v) : money(v));
  const pace = (row: ScorecardRow) =>
    row.weeklyPaceNeeded === null
      ? '—'
      : row.unit === 'fraction'
        ? t('scorecard.pacePoints', { points: tr.number(row.weeklyPaceNeeded * 100, 2) })
        : t('scorecard.paceMoney', { amount: money(row.weeklyPaceNeeded) });
  const rows = sc.rows.map((row) => {
    // Under a week into the program "on track" compares this week with itself: it says "just started" instead.
    const status = shownScorecardStatus(row.status, sc.weeksElapsed);
    return [
      rowHeader(t(`scorecard.metric.${row.metric}`)),
      numCell(value(row, row.current), `scorecard-${row.metric}-current`),
      numCell(value(row, row.baseline)),
      numCell(row.changeVsBaseline === null ? '—' : `${row.changeVsBaseline >= 0 ? '+' : ''}${formatPercent(row.changeVsBaseline)}`),
      numCell(row.target === null ? t('scorecard.noTarget') : value(row, row.target)),
      numCell(pace(row)),
      h('td', { 'data-status': status }, pill(t(`scorecard.status.${status}` as MessageKey), STATUS_TONE[status])),
    ];
  });
  return h(
    'section',
    { class: 'card card--wide', id: 'scorecard', 'aria-labelledby': 'scorecard-title' },
    h('h2', { id: 'scorecard-title' }, t('scorecard.title')),
    h(
      'p',
      { class: 'muted' },
      t('scorecard.intro', {
        week: formatDate(sc.weekStartMs, report.timeZone),
        baselineWeeks: sc.baselineWeeks,
        clvGrowth: formatPercent(sc.targets.clvGrowthFraction, 0),
        multiplier: tr.number(sc.targets.repeatRateMultiplier),
        horizonWeeks: sc.targets.horizonWeeks,
        elapsed: Math.floor(sc.weeksElapsed),
      }),
    ),
    table(
      t('scorecard.caption'),
      (['metric', 'current', 'baseline', 'change', 'target', 'pace', 'status'] as const).map((k) => t(`scorecard.col.${k}`)),
      rows,
      [0, 6],
    ),
    h('p', { class: 'muted' }, `${t('term.windowedClv')}: ${t('define.windowedClv')}`),
    why(WHY_DIFFERENT.scorecard),
  );
}

interface ChartSpec {
  id: string;
  label: string;
  x: number[];
  xIsTime: boolean;
  series: { label: string; values: (number | null)[]; stroke: string; dash?: number[] }[];
  yFormat(v: number): string;
  xLabel: string;
  /** Start the y axis at 0 (amounts); rates zoom to their range. */
  yFromZero?: boolean;
}

const PALETTE = ['#2c6ecb', '#b98900', '#d72c0d', '#007f5f', '#8051ff', '#e56b00', '#0094d5', '#616161', '#c05717', '#47c1bf', '#9c6ade', '#50b83c'];

/**
 * Time-axis ticks in the dashboard's locale: day and month for spans under five months; else the month, with the year
 * on the first tick and on each January only (Arabic month names are long: a year on every tick runs them together).
 */
export function timeTicks(splits: readonly number[]): string[] {
  const span = splits.length > 1 ? splits.at(-1)! - splits[0]! : 0;
  if (span <= 150 * 86_400_000) {
    const f = new Intl.DateTimeFormat(tr.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    return splits.map((v) => f.format(v));
  }
  const month = new Intl.DateTimeFormat(tr.locale, { month: 'short', timeZone: 'UTC' });
  const monthYear = new Intl.DateTimeFormat(tr.locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return splits.map((v, i) => (i === 0 || new Date(v).getUTCMonth() === 0 ? monthYear : month).format(v));
}

/**
 * A chart in a figure, drawn by the shared `LineChart` (`@clvlens/ui`, as in the popup and the CLI's report): its legend
 * shows each line's latest value until a point is hovered, and the readout under it names the week (or month) shown.
 * In Arabic the legend and readout follow the page (right to left, first series on the right) while the plot keeps time
 * running left to right (see line-chart.tsx for why). `charts` collects the mounts so a re-render can destroy them.
 */
function chart(spec: ChartSpec, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement {
  const box = h('div', { class: 'chart-box' });
  const figure = h('figure', { style: 'margin:0' }, box);
  const xText = (x: number) => (spec.xIsTime ? formatDate(x) : tr.number(x));
  const props: LineChartProps = {
    id: spec.id,
    plotClass: 'chart',
    x: spec.x,
    xIsTime: spec.xIsTime,
    series: spec.series.map((s, i) => ({ key: String(i), label: s.label, values: s.values, stroke: s.stroke, ...(s.dash ? { dash: s.dash } : {}) })),
    label: spec.label,
    formatY: spec.yFormat,
    ...(spec.xIsTime ? { xTicks: timeTicks } : {}),
    readout: (x, hovered) => (hovered ? xText(x) : t('dash.chart.latestValue', { value: xText(x) })),
    emptyText: t('dash.chart.empty'),
    height: 240,
    xLabel: spec.xLabel,
    ...(spec.yFromZero ? { yRange: (_min: number, max: number): [number, number] => [0, max > 0 ? max * 1.05 : 1] } : {}),
    ...(deps.uPlot ? { uPlot: deps.uPlot } : {}),
  };
  // uPlot measures its container: mount on the next frame, once the card is in the document. The handle is collected
  // then, so the layout that inserts this card (and clears the previous charts) does not take it for an old one.
  const draw = () => {
    const mounted = mountLineChart(box, props);
    charts.push(mounted);
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(draw);
  else draw();
  return figure;
}

function renderRepeatRate(report: ShopReport, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement {
  const rr = report.repeatPurchaseRate;
  const ret = report.returningCustomers;
  const series = report.charts.repeatRate;
  return card(
    'repeat-rate',
    t('dash.repeat.title'),
    h(
      'div',
      { class: 'kpis' },
      kpi(t('dash.repeat.kpi', { days: rr.windowDays }), formatPercent(rr.value), 'repeat-rate-value'),
      kpi(t('dash.repeat.kpiShopify'), formatPercent(ret.value), 'returning-rate-value'),
    ),
    h(
      'p',
      { class: 'muted' },
      t('dash.repeat.note', {
        repeat: formatCount(rr.repeatCustomers),
        customers: formatCount(rr.customers),
        returning: formatCount(ret.returningCustomers),
        returningOf: formatCount(ret.customers),
      }),
    ),
    chart(
      {
        id: 'chart-repeat-rate',
        label: t('dash.repeat.chartLabel', { days: rr.windowDays, weeks: series.weekStartMs.length }),
        x: series.weekStartMs,
        xIsTime: true,
        xLabel: t('dash.chart.week'),
        series: [{ label: t('term.repeatRate'), values: series.value, stroke: PALETTE[0]! }],
        yFormat: (v) => formatPercent(v, 0),
      },
      deps,
      charts,
    ),
    why(WHY_DIFFERENT.repeatRate),
  );
}

function renderChurn(report: ShopReport, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement {
  const alert = report.churnDetail.alert;
  const trend = report.charts.churnTrend;
  // Only rising churn is an alarm (red, role alert); falling churn is good news in green.
  const reading = churnTrendReading(alert);
  const values = { latest: formatPercent(alert.latest), mean: formatPercent(alert.baselineMean) };
  const banner =
    reading === 'rising'
      ? h(
          'p',
          { class: 'banner', 'data-tone': 'critical', role: 'alert', 'data-testid': 'churn-alert', 'data-reading': reading },
          `⚠ ${t('churnAlert.rising', values)}`,
        )
      : reading === 'falling'
        ? h('p', { class: 'banner', 'data-tone': 'success', 'data-testid': 'churn-alert', 'data-reading': reading }, `✓ ${t('churnAlert.falling', values)}`)
        : reading === 'normal'
          ? h('p', { class: 'banner', 'data-tone': 'success', 'data-testid': 'churn-alert', 'data-reading': reading }, `✓ ${t('churnAlert.normal', values)}`)
          : h('p', { class: 'banner', 'data-testid': 'churn-alert', 'data-reading': reading }, t('churnAlert.insufficient'));
  return card(
    'churn',
    t('dash.churn.title'),
    banner,
    h(
      'div',
      { class: 'kpis' },
      kpi(t('dash.churn.kpi', { days: 30 }), formatPercent(report.churn.d30), 'churn-d30'),
      kpi(t('dash.churn.kpi', { days: 60 }), formatPercent(report.churn.d60), 'churn-d60'),
      kpi(t('dash.churn.kpi', { days: 90 }), formatPercent(report.churn.d90), 'churn-d90'),
    ),
    chart(
      {
        id: 'chart-churn',
        label: t('dash.churn.chartLabel'),
        x: trend.weekStartMs,
        xIsTime: true,
        xLabel: t('dash.chart.week'),
        series: [
          { label: t('dash.churn.series', { days: 30 }), values: trend.d30, stroke: PALETTE[0]! },
          { label: t('dash.churn.series', { days: 60 }), values: trend.d60, stroke: PALETTE[1]!, dash: [6, 3] },
          { label: t('dash.churn.series', { days: 90 }), values: trend.d90, stroke: PALETTE[2]!, dash: [2, 2] },
        ],
        yFormat: (v) => formatPercent(v, 0),
      },
      deps,
      charts,
    ),
    h('p', { class: 'muted' }, t('churnAlert.rule', { weeks: 8, sigmas: 2, points: 2 })),
    why(WHY_DIFFERENT.churn),
  );
}

/** `YYYY-MM` of an instant in `timeZone`. */
function localMonth(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone }).formatToParts(ms);
  return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
}

/** Cohort heatmap as a table: each cell has its number and a background whose strength follows it. */
function renderCohorts(report: ShopReport, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement {
  const heat = report.charts.cohortHeatmap;
  const recent = Math.max(0, heat.cohortMonth.length - 12);
  const months = heat.monthsSince.slice(0, 13);
  // Each cohort's last month is the current one, running to asOf: marked partial (striped) unless asOf is in its last day.
  const monthComplete = localMonth(report.asOfMs + 86_400_000, report.timeZone) !== localMonth(report.asOfMs, report.timeZone);
  const asOfDate = formatDate(report.asOfMs, report.timeZone);
  const rows = heat.cohortMonth.slice(recent).map((month, i) => {
    const shares = heat.activeShare[recent + i] ?? [];
    let last = shares.length - 1;
    while (last >= 0 && shares[last] === null) last--;
    return [
      rowHeader(tr.month(month)),
      ...months.map((m) => {
        const v = shares[m] ?? null;
        if (v === null) return h('td', { 'data-empty': '' }, '·');
        const alpha = m === 0 ? 0.08 : Math.min(1, 0.12 + v * 2.5);
        const style = `background-color: rgba(44, 110, 203, ${alpha.toFixed(3)}); color: ${alpha > 0.6 ? '#fff' : '#303030'}`;
        if (m === last && m > 0 && !monthComplete) {
          return h(
            'td',
            { style, 'data-partial': '', title: t('dash.cohorts.partialTitle', { date: asOfDate }) },
            formatPercent(v, 0),
            h('span', { class: 'partial-mark' }, ` ${t('cohort.partial')}`),
          );
        }
        return h('td', { style }, formatPercent(v, 0));
      }),
    ];
  });
  const curves = report.charts.ltvCurves;
  const all = curves.cohortMonth.map((month, i) => ({ month, values: curves.cumulativeRevenuePerCustomerMinor[i] ?? [] }));
  // Up to 6 cohorts spread over the history, newest last, so both long (old) and recent curves show and stay readable.
  const step = Math.max(1, Math.ceil(all.length / 6));
  const shown = all.filter((_, i) => (all.length - 1 - i) % step === 0).slice(-6);
  const currency = report.currency ?? 'USD';
  return h(
    'section',
    { class: 'card card--wide', id: 'cohorts', 'aria-labelledby': 'cohorts-title' },
    h('h2', { id: 'cohorts-title' }, t('dash.cohorts.title')),
    h('h3', {}, t('dash.cohorts.heatTitle')),
    table(
      t('dash.cohorts.caption', { n: rows.length, date: asOfDate }),
      [t('dash.cohorts.col.cohort'), ...months.map((m) => t('cohort.month', { n: m }))],
      rows,
      [0],
      'heat',
    ),
    h('h3', {}, t('dash.cohorts.ltvTitle')),
    chart(
      {
        id: 'chart-ltv',
        label: t('dash.cohorts.ltvLabel', { n: shown.length }),
        x: curves.monthsSince,
        xIsTime: false,
        xLabel: t('dash.cohorts.ltvX'),
        series: shown.map((c, i) => ({ label: tr.month(c.month), values: c.values, stroke: PALETTE[i % PALETTE.length]! })),
        yFormat: (v) => formatMoney(Math.round(v), currency),
        yFromZero: true,
      },
      deps,
      charts,
    ),
    why(WHY_DIFFERENT.cohorts),
  );
}

function renderSegments(report: ShopReport, segments: SegmentValueV1[] | null): HTMLElement {
  const currency = report.currency ?? 'USD';
  let body: HTMLElement;
  if (segments === null) {
    const counts = Object.entries(report.rfm.segmentCounts).sort((a, b) => b[1] - a[1]);
    body = table(
      t('dash.segments.captionCounts'),
      [t('dash.segments.col.segment'), t('dash.segments.col.customers')],
      counts.map(([s, n]) => [rowHeader(segmentLabel(s)), numCell(formatCount(n))]),
    );
  } else {
    const total = segments.reduce((sum, s) => sum + s.customers, 0);
    body = table(
      t('dash.segments.caption'),
      [
        t('dash.segments.col.segment'),
        t('dash.segments.col.customers'),
        t('dash.segments.col.share'),
        t('term.historicClv'),
        t('dash.segments.col.perCustomer'),
        t('term.predictedClv'),
      ],
      segments.map((s) => [
        rowHeader(segmentLabel(s.segment)),
        numCell(formatCount(s.customers), `segment-${s.segment ?? 'none'}-customers`),
        numCell(formatPercent(total === 0 ? null : s.customers / total)),
        numCell(formatMoney(s.historicClvMinor, currency), `segment-${s.segment ?? 'none'}-clv`),
        numCell(formatMoney(s.customers === 0 ? null : Math.round(s.historicClvMinor / s.customers), currency)),
        numCell(formatMoney(s.predictedClvMinor, currency)),
      ]),
    );
    body.setAttribute('data-testid', 'segments-table');
  }
  return wideCard('segments', t('dash.segments.title'), body, h('p', { class: 'muted' }, t('define.rfm')), why(WHY_DIFFERENT.rfm));
}

/** A probability as a whole percentage that never reads as a certainty ("<1%", ">99%" at the ends). */
export function formatChance(fraction: number): string {
  if (fraction < 0.005) return '<1%';
  if (fraction >= 0.995) return '>99%';
  return formatPercent(fraction, 0);
}

/**
 * "How right we were": the shop's churn prediction checked on its own past, in plain words, with the calibration groups
 * as a small table (predicted against actual share with no order).
 */
export function renderBacktest(summary: ShopSummaryV1, timeZone: string): HTMLElement {
  const bt = summary.churnBacktest;
  const horizon = summary.churnHorizonDays;
  if (!bt) {
    return card('backtest', t('dash.backtest.title'), h('p', { 'data-testid': 'backtest-missing' }, t('dash.backtest.missing', { days: horizon })));
  }
  const tiers = (['high', 'medium', 'low'] as const).flatMap((name) => bt.tiers.filter((t) => t.tier === name && t.customers > 0));
  const again =
    tiers.length === 0
      ? null
      : t('dash.backtest.tiersIntro', {
          list: tiers
            .map((x, i) =>
              t(i === 0 ? 'dash.backtest.tierFirst' : 'dash.backtest.tierNext', {
                tier: t(`tierInSentence.${x.tier}`),
                share: formatPercent(x.orderedAgainShare, 0),
              }),
            )
            .join(t('list.semicolon')),
        });
  const cuts = bt.tierCuts;
  const cutsText = t('dash.backtest.cuts', { days: horizon, medium: formatChance(cuts.medium), high: formatChance(cuts.high) });
  const modelKey = `dash.model.${bt.chosenModel}`;
  const model = tr.has(modelKey) ? t(modelKey) : bt.chosenModel;
  const ranking =
    bt.auc === null
      ? null
      : bt.chosenModel === 'days-since-last-order' || bt.daysSinceLastOrderAuc === null
        ? t('dash.backtest.aucBest', { auc: tr.number(bt.auc, 2), model })
        : t('dash.backtest.aucVs', { auc: tr.number(bt.auc, 2), model, baseline: tr.number(bt.daysSinceLastOrderAuc, 2) });
  const rows = bt.calibration.map((g, i) => [
    rowHeader(
      i === 0 ? t('dash.backtest.lowest', { n: i + 1 }) : i === bt.calibration.length - 1 ? t('dash.backtest.highest', { n: i + 1 }) : tr.number(i + 1),
    ),
    numCell(formatCount(g.customers)),
    numCell(formatChance(g.meanPredicted), `backtest-predicted-${i}`),
    numCell(formatChance(g.observedNoOrderShare), `backtest-observed-${i}`),
  ]);
  return card(
    'backtest',
    t('dash.backtest.title'),
    h(
      'p',
      { 'data-testid': 'backtest-method' },
      t('dash.backtest.method', {
        date: formatDate(bt.cutoffMs, timeZone),
        days: bt.horizonDays,
        customers: bt.customers,
        share: formatPercent(bt.noOrderShare, 0),
      }),
    ),
    bt.horizonDays !== horizon ? h('p', { class: 'muted' }, t('dash.backtest.short', { checked: bt.horizonDays, days: horizon })) : null,
    again ? h('p', { 'data-testid': 'backtest-tiers' }, again) : null,
    ranking ? h('p', { 'data-testid': 'backtest-auc' }, ranking) : null,
    bt.spend ? h('p', { 'data-testid': 'backtest-spend' }, spendText(bt.spend, bt.horizonDays, summary.currency)) : null,
    h('p', { class: 'muted', 'data-testid': 'backtest-cuts' }, cutsText),
    table(
      t('dash.backtest.caption'),
      [t('dash.backtest.col.group'), t('dash.segments.col.customers'), t('dash.backtest.col.predicted'), t('dash.backtest.col.happened')],
      rows,
    ),
  );
}

/** The spend check of the backtest in words: our error per customer beside the classic model's, and who spent. */
function spendText(spend: NonNullable<NonNullable<ShopSummaryV1['churnBacktest']>['spend']>, days: number, currency: string): string {
  const mae = formatMoney(Math.round(spend.maeMinor), currency);
  const top = formatPercent(spend.topDecileCapture, 0);
  if (spend.baselineMaeMinor === null || spend.baselineTopDecileCapture === null) return t('dash.backtest.spend', { days, mae, top });
  return t('dash.backtest.spendVs', {
    days,
    mae,
    top,
    classic: formatMoney(Math.round(spend.baselineMaeMinor), currency),
    classicTop: formatPercent(spend.baselineTopDecileCapture, 0),
  });
}

/**
 * The valuable customers at risk, named: the names are asked from the app (which reads them live from Shopify's Admin
 * API and stores nothing) after the table is drawn, so the table never waits on Shopify; until then, or when that
 * fails, a customer shows as "Customer <id>".
 */
function renderAtRisk(summary: ShopSummaryV1, deps: DashboardDeps): HTMLElement {
  const handle = summary.shopDomain.replace(/\.myshopify\.com$/, '');
  const links = new Map<string, HTMLAnchorElement>();
  const rows = summary.topAtRisk.map((c) => {
    const link = h(
      'a',
      {
        href: `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(c.customerId)}`,
        target: '_top',
        'data-customer-id': c.customerId,
      },
      t('dash.atRisk.unnamed', { id: c.customerId }),
    );
    links.set(c.customerId, link);
    return [
      rowHeader(link),
      numCell(formatMoney(c.historicClvMinor, summary.currency)),
      numCell(formatChance(c.churnProbability)),
      h('td', {}, pill(t(`tier.${c.churnTier}`), TIER_TONE[c.churnTier])),
      numCell(c.daysSinceLastOrder === null ? '—' : formatCount(c.daysSinceLastOrder)),
    ];
  });
  nameCustomerLinks(links, (path) => deps.request(path));
  return wideCard(
    'at-risk',
    t('dash.atRisk.title'),
    rows.length === 0
      ? h('p', { class: 'muted' }, t('dash.atRisk.none'))
      : table(
          t('dash.atRisk.caption'),
          [
            t('dash.atRisk.col.customer'),
            t('term.historicClv'),
            t('term.chanceNoOrder', { days: summary.churnHorizonDays }),
            t('dash.atRisk.col.tier'),
            t('dash.atRisk.col.days'),
          ],
          rows,
          [0, 3],
        ),
    rows.length === 0 ? null : h('p', { class: 'muted' }, t('dash.atRisk.namesNote')),
    why(WHY_DIFFERENT.atRisk),
  );
}

/** The one string the extension's options take: the app's address with the code, as a link (`<origin>/pair?code=`). */
export function pairingLink(appOrigin: string, code: string): string {
  return `${appOrigin.replace(/\/+$/, '')}/pair?code=${encodeURIComponent(code)}`;
}

function renderPairing(deps: DashboardDeps): HTMLElement {
  const code = h('output', { class: 'code', id: 'pairing-code', 'aria-live': 'polite' });
  const linkField = h('input', { id: 'pairing-link', type: 'text', readonly: '', dir: 'ltr', 'aria-labelledby': 'pairing-link-label' }) as HTMLInputElement;
  const copy = h('button', { type: 'button', id: 'pairing-copy', class: 'secondary' }, t('dash.pairing.copy'));
  const parts = h('p', { class: 'muted', id: 'pairing-parts', dir: 'auto' });
  const linkBox = h(
    'div',
    { id: 'pairing-link-box', hidden: '' },
    h('p', { id: 'pairing-link-label' }, t('dash.pairing.copyLabel')),
    h('div', { class: 'copy-row' }, linkField, copy),
    parts,
  );
  const note = h('p', { class: 'muted', id: 'pairing-note' }, t('dash.pairing.once'));
  const button = h('button', { type: 'button', id: 'pair' }, t('dash.pairing.button'));
  const origin = deps.appOrigin ?? (typeof location === 'undefined' ? '' : location.origin);
  copy.addEventListener('click', async () => {
    linkField.select();
    try {
      await navigator.clipboard.writeText(linkField.value);
    } catch {
      // Clipboard access can be refused inside the admin's frame: the text stays selected for Ctrl+C.
    }
    copy.textContent = t('dash.pairing.copied');
  });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const res = await deps.request('/app/api/pairing-code', { method: 'POST' });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      const body = res.body as { code: string; expiresAtMs: number };
      code.textContent = body.code;
      linkField.value = pairingLink(origin, body.code);
      parts.textContent = t('dash.pairing.parts', { url: origin, code: body.code });
      copy.textContent = t('dash.pairing.copy');
      linkBox.hidden = false;
      note.textContent = t('dash.pairing.before', { time: formatTime(body.expiresAtMs) });
      deps.toast?.(t('dash.pairing.created'));
    } catch (error) {
      note.textContent = t('dash.pairing.failed', { message: (error as Error).message });
    } finally {
      button.disabled = false;
    }
  });
  return card('pairing', t('dash.pairing.title'), h('p', {}, t('dash.pairing.intro')), h('p', {}, code, ' '), linkBox, note, button);
}

/**
 * The merchant's churn horizon: which H "chance of no order in the next H days" means everywhere. Changing it refits
 * the shop's predictions (a full run), so the card says the numbers follow in a while.
 */
function renderSettings(deps: DashboardDeps): HTMLElement {
  const select = h('select', { id: 'churn-horizon', disabled: '' }) as HTMLSelectElement;
  const note = h('p', { class: 'muted', id: 'settings-note', 'aria-live': 'polite' }, '');
  const show = (settings: ShopSettingsV1) => {
    select.replaceChildren(...settings.churnHorizonChoices.map((d) => h('option', { value: String(d) }, t('dash.settings.option', { days: d }))));
    select.value = String(settings.churnHorizonDays);
    select.disabled = false;
  };
  void deps.request('/app/api/settings').then(
    (res) => (res.status === 200 ? show(res.body as ShopSettingsV1) : (note.textContent = t('dash.settings.loadFailed', { message: errorMessage(res.body) }))),
    (error: unknown) => (note.textContent = t('dash.settings.loadFailed', { message: (error as Error).message })),
  );
  select.addEventListener('change', async () => {
    const days = Number(select.value);
    select.disabled = true;
    try {
      const res = await deps.request('/app/api/settings', { method: 'PUT', body: { churnHorizonDays: days } });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      show(res.body as ShopSettingsV1);
      note.textContent = t('dash.settings.saved', { days });
      deps.toast?.(t('dash.settings.savedToast'));
    } catch (error) {
      note.textContent = t('dash.settings.saveFailed', { message: (error as Error).message });
      select.disabled = false;
    }
  });
  return card(
    'settings',
    t('dash.settings.title'),
    h('label', { for: 'churn-horizon' }, `${t('dash.settings.label')} `),
    select,
    h('p', { class: 'muted' }, t('dash.settings.hint')),
    note,
  );
}

function errorMessage(body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : t('dash.unexpected');
}

/** Everything shown once a report exists. */
export function renderMetrics(
  report: ShopReport,
  summary: ShopSummaryV1,
  segments: SegmentValueV1[] | null,
  deps: DashboardDeps,
  charts: ChartHandle[],
): HTMLElement[] {
  return [
    renderScorecard(report),
    renderRepeatRate(report, deps, charts),
    renderChurn(report, deps, charts),
    renderCohorts(report, deps, charts),
    renderSegments(report, segments),
    renderAtRisk(summary, deps),
    renderBacktest(summary, report.timeZone),
  ];
}

/**
 * Runs the dashboard in `root`: loads, renders, and keeps polling (every 3 s while the first sync runs, every 30 s
 * once live). Returns a stop function.
 */
export function startDashboard(root: HTMLElement, deps: DashboardDeps): { stop(): void; refreshed: () => Promise<void> } {
  const locale = deps.locale ?? resolveLocale(typeof document === 'undefined' ? null : document.documentElement.lang);
  setDashboardLocale(locale);
  const charts: ChartHandle[] = [];
  const header = h('div', { class: 'header' }, h('h1', {}, 'CLV Lens'), h('p', { class: 'muted', id: 'as-of' }, ''));
  const counted = h('p', { class: 'muted', id: 'customers-counted' });
  const status = h('div', { id: 'status', 'aria-live': 'polite' });
  const syncSlot = h('div', { id: 'sync-slot' });
  const pairing = renderPairing(deps);
  const settingsCard = renderSettings(deps);
  const grid = h('div', { class: 'grid', id: 'metrics' });
  const cardDeps = { request: deps.request, locale, ...(deps.download ? { download: deps.download } : {}), ...(deps.save ? { save: deps.save } : {}) };
  const feedback = createFeedbackCard(cardDeps);
  const exportCard = createExportCard(cardDeps);
  root.replaceChildren(header, counted, status, grid);
  let reportText: string | null = null;
  let timeZone = 'UTC';
  let withAccount: number | null = null;
  let timer: unknown = null;
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();

  const layout = (metrics: HTMLElement[]) => {
    for (const c of charts.splice(0)) c.destroy();
    // Before the first report the sync progress leads; afterwards the metrics do, with sync and pairing last.
    // NPS, CSAT and LTV:CAC follow the scorecard; the export sits with the other tools.
    grid.replaceChildren(...metrics.slice(0, 1), feedback.element, ...metrics.slice(1), exportCard, syncSlot, settingsCard, pairing);
    void feedback.refresh();
  };
  layout([]);

  const cycle = async (): Promise<void> => {
    let next: number = POLL_MS.syncing;
    try {
      const s = await deps.request('/app/api/summary');
      if (s.status !== 200) throw new Error(errorMessage(s.body));
      const summary = s.body as ShopSummaryV1;
      root.removeAttribute('aria-busy');
      syncSlot.replaceChildren(renderSync(summary));
      const r = await deps.request('/app/api/report');
      const asOf = header.querySelector('#as-of')!;
      const syncState = t(`dash.sync.state.${summary.sync.state}`);
      asOf.textContent = t('dash.header.syncOnly', { shop: summary.shopDomain, state: syncState });
      if (r.status === 404) {
        status.replaceChildren(h('p', { class: 'banner', 'data-tone': 'attention', id: 'no-report' }, t('dash.noReport')));
      } else if (r.status !== 200) {
        throw new Error(errorMessage(r.body));
      } else {
        const text = JSON.stringify(r.body);
        if (text !== reportText) {
          const report = (r.body as { report: ShopReport }).report;
          const seg = await deps.request('/app/api/segments');
          const segments = seg.status === 200 ? (seg.body as { segments: SegmentValueV1[] }).segments : null;
          const vipRes = await deps.request('/app/api/vip-slipping');
          reportText = text;
          timeZone = report.timeZone;
          const metrics = renderMetrics(report, summary, segments, deps, charts);
          if (vipRes.status === 200) {
            const vipCard = renderVipCard(vipRes.body as VipSlippingV1, {
              tr,
              request: (path) => deps.request(path),
              shopDomain: summary.shopDomain,
              timeZone,
            });
            metrics.splice(metrics.findIndex((m) => m.id === 'at-risk') + 1, 0, vipCard);
          }
          layout(metrics);
          // The header counts every buyer; segments, risk and the extension only customers with an account: say so.
          withAccount = segments === null ? null : segments.reduce((sum, x) => sum + x.customers, 0);
        }
        asOf.textContent = t('dash.header.customers', {
          shop: summary.shopDomain,
          customers: summary.customers,
          date: formatDate(summary.asOfMs, timeZone),
          state: syncState,
        });
        counted.textContent = withAccount === null ? '' : t('dash.customersCounted', { withAccount, guests: Math.max(0, summary.customers - withAccount) });
        status.replaceChildren();
        if (summary.sync.state === 'live') next = POLL_MS.live;
      }
    } catch (error) {
      status.replaceChildren(h('p', { class: 'banner', 'data-tone': 'critical', role: 'alert' }, t('dash.loadFailed', { message: (error as Error).message })));
    }
    if (!stopped) timer = deps.setTimeout(() => void (pending = cycle()), next);
  };
  deps.loading?.(true);
  pending = cycle().finally(() => deps.loading?.(false));
  return {
    stop() {
      stopped = true;
      deps.clearTimeout(timer);
      for (const c of charts.splice(0)) c.destroy();
    },
    refreshed: () => pending,
  };
}

interface AppBridge {
  idToken(): Promise<string>;
  toast?: { show(message: string): void };
  loading?: (on: boolean) => void;
}

function browserDeps(bridge: AppBridge): DashboardDeps {
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
      const a = h('a', { href: url, download: fileName });
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

const mount = typeof document === 'undefined' ? null : document.getElementById('clvlens-dashboard');
const bridge = typeof window === 'undefined' ? undefined : (window as unknown as { shopify?: AppBridge }).shopify;
if (mount !== null && bridge !== undefined) startDashboard(mount, browserDeps(bridge));
else if (mount !== null) {
  mount.removeAttribute('aria-busy');
  setDashboardLocale(resolveLocale(document.documentElement.lang));
  mount.replaceChildren(
    h('h1', {}, 'CLV Lens'),
    h(
      'section',
      { class: 'card' },
      h('p', {}, t('dash.noBridge')),
      h('p', {}, h('a', { href: 'https://admin.shopify.com/', target: '_top' }, t('dash.outside.link'))),
    ),
  );
}
