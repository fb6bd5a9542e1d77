/// <reference lib="dom" />
/**
 * The embedded dashboard in the browser, in Preact, bundled by Vite (vite.config.ts: `pnpm --filter
 * @clvlens/shopify-app run build:dashboard`) with the message catalog `@clvlens/core/i18n`, the shared charts
 * `@clvlens/ui` and uPlot, and served from the build as `/app/assets/dashboard.js` (assets.ts). Every string comes from
 * the catalog in the admin's locale (en, ko, ar; Arabic right to left). It reads `/app/api/summary`, `/app/api/report`
 * and `/app/api/segments` with App Bridge session tokens; data only ever becomes text children, never markup. While the
 * first sync runs (no report yet) it shows the progress and polls; it renders once the report exists.
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
import { LineChart, type LineChartProps, type UPlotConstructor } from '@clvlens/ui';
import { Component, h as createElement, render, type ComponentChild, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '@clvlens/ui/line-chart.css';
import type { SegmentValueV1 } from './segments.ts';
import { ExportCard, FeedbackCard, type FeedbackCardDeps } from './feedback-card.ts';
import { fetchCustomerNames, VipCard } from './vip-card.ts';

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

type Child = ComponentChildren;
/** Attributes and properties of an element (`hidden`, `disabled` as booleans: Preact sets them as properties). */
type Props = Record<string, unknown>;
/** Something the dashboard renders: an element or a component. */
type El = ComponentChild;

/**
 * A Preact element, written like the DOM it becomes: `h('p', { class: 'muted' }, text)`. String children are text
 * nodes (Preact never parses them as HTML).
 */
export function h(tag: string, attrs: Props = {}, ...children: Child[]): El {
  return createElement(tag, attrs, ...children);
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

function pill(text: string, tone?: string): El {
  return h('span', { class: 'pill', 'data-tone': tone }, text);
}

function card(id: string, title: string, ...children: Child[]): El {
  const headingId = `${id}-title`;
  return h('section', { class: 'card', id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), ...children);
}

/** A card spanning the whole grid row (tables too wide for half a page). */
function wideCard(id: string, title: string, ...children: Child[]): El {
  const headingId = `${id}-title`;
  return h('section', { class: 'card card--wide', id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), ...children);
}

function why(key: MessageKey): El {
  return h('p', { class: 'why' }, h('strong', {}, t('dash.whyDiffers')), t(key));
}

function kpi(label: string, value: string, testId: string): El {
  return h('div', { class: 'kpi' }, h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-testid': testId }, value));
}

/** A captioned table; every column but those in `textColumns` (default the first) holds numbers, right-aligned. */
function table(caption: string, head: string[], rows: El[][], textColumns: readonly number[] = [0], className?: string, testId?: string): El {
  const thead = h('thead', {}, h('tr', {}, ...head.map((text, i) => h('th', { scope: 'col', class: textColumns.includes(i) ? undefined : 'num' }, text))));
  const tbody = h('tbody', {}, ...rows.map((cells, i) => h('tr', { key: i }, ...cells)));
  // The wrapper scrolls sideways on narrow screens: focusable and named so keyboard users can scroll it too.
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0', 'data-testid': testId },
    h('table', { class: className }, h('caption', {}, caption), thead, tbody),
  );
}

const rowHeader = (...children: Child[]): El => h('th', { scope: 'row' }, ...children);
const numCell = (text: string, testId?: string): El => h('td', { class: 'num', 'data-testid': testId }, text);

/** The sync card: state, progress bar while backfilling, counts. */
export function renderSync(summary: ShopSummaryV1): El {
  const s = summary.sync;
  const est = s.ordersEstimated;
  const stateText = t(`dash.sync.state.${s.state}`);
  const counts =
    est && s.state !== 'live' ? t('dash.sync.ordersOf', { done: formatCount(s.ordersDone), estimated: est }) : t('dash.sync.orders', { done: s.ordersDone });
  const share = est && s.state !== 'live' ? ` (${formatPercent(Math.min(1, Math.floor((100 * s.ordersDone) / est) / 100), 0)})` : '';
  const bar = h('progress', {
    id: 'sync-progress',
    'aria-labelledby': 'sync-title',
    max: est && est > 0 ? est : 1,
    value: est && est > 0 ? Math.min(s.ordersDone, est) : s.state === 'live' ? 1 : 0,
  });
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

function renderScorecard(report: ShopReport): El {
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
 * running left to right (see line-chart.tsx for why). Preact creates and destroys the uPlot instance with the card.
 */
function chart(spec: ChartSpec, deps: DashboardDeps): El {
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
  return h('figure', { style: 'margin:0' }, createElement(LineChart, props));
}

function renderRepeatRate(report: ShopReport, deps: DashboardDeps): El {
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
    ),
    why(WHY_DIFFERENT.repeatRate),
  );
}

function renderChurn(report: ShopReport, deps: DashboardDeps): El {
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
function renderCohorts(report: ShopReport, deps: DashboardDeps): El {
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
    ),
    why(WHY_DIFFERENT.cohorts),
  );
}

function renderSegments(report: ShopReport, segments: SegmentValueV1[] | null): El {
  const currency = report.currency ?? 'USD';
  let body: El;
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
      [0],
      undefined,
      'segments-table',
    );
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
export function renderBacktest(summary: ShopSummaryV1, timeZone: string): El {
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
function AtRisk({ summary, request }: { summary: ShopSummaryV1; request: DashboardDeps['request'] }): El {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    void fetchCustomerNames(
      summary.topAtRisk.map((c) => c.customerId),
      request,
    ).then((found) => live && setNames(found));
    return () => {
      live = false;
    };
  }, [summary, request]);
  const handle = summary.shopDomain.replace(/\.myshopify\.com$/, '');
  const rows = summary.topAtRisk.map((c) => {
    const name = names.get(c.customerId);
    const link = h(
      'a',
      {
        href: `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(c.customerId)}`,
        target: '_top',
        'data-customer-id': c.customerId,
        'data-named': name === undefined ? undefined : '',
      },
      name ?? t('dash.atRisk.unnamed', { id: c.customerId }),
    );
    return [
      rowHeader(link),
      numCell(formatMoney(c.historicClvMinor, summary.currency)),
      numCell(formatChance(c.churnProbability)),
      h('td', {}, pill(t(`tier.${c.churnTier}`), TIER_TONE[c.churnTier])),
      numCell(c.daysSinceLastOrder === null ? '—' : formatCount(c.daysSinceLastOrder)),
    ];
  });
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

/** The pairing card: a one-time code for the extension, as a link to copy. */
function Pairing({ deps }: { deps: DashboardDeps }): El {
  const [issued, setIssued] = useState<{ code: string; link: string; parts: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [note, setNote] = useState(t('dash.pairing.once'));
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const origin = deps.appOrigin ?? (typeof location === 'undefined' ? '' : location.origin);
  const copy = async () => {
    field.current?.select();
    try {
      await navigator.clipboard.writeText(field.current?.value ?? '');
    } catch {
      // Clipboard access can be refused inside the admin's frame: the text stays selected for Ctrl+C.
    }
    setCopied(true);
  };
  const pair = async () => {
    setBusy(true);
    try {
      const res = await deps.request('/app/api/pairing-code', { method: 'POST' });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      const body = res.body as { code: string; expiresAtMs: number };
      setIssued({ code: body.code, link: pairingLink(origin, body.code), parts: t('dash.pairing.parts', { url: origin, code: body.code }) });
      setCopied(false);
      setNote(t('dash.pairing.before', { time: formatTime(body.expiresAtMs) }));
      deps.toast?.(t('dash.pairing.created'));
    } catch (error) {
      setNote(t('dash.pairing.failed', { message: (error as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return card(
    'pairing',
    t('dash.pairing.title'),
    h('p', {}, t('dash.pairing.intro')),
    h('p', {}, h('output', { class: 'code', id: 'pairing-code', 'aria-live': 'polite' }, issued?.code ?? ''), ' '),
    h(
      'div',
      { id: 'pairing-link-box', hidden: issued === null },
      h('p', { id: 'pairing-link-label' }, t('dash.pairing.copyLabel')),
      h(
        'div',
        { class: 'copy-row' },
        h('input', {
          id: 'pairing-link',
          type: 'text',
          readonly: '',
          dir: 'ltr',
          'aria-labelledby': 'pairing-link-label',
          ref: field,
          value: issued?.link ?? '',
        }),
        h(
          'button',
          { type: 'button', id: 'pairing-copy', class: 'secondary', onClick: () => void copy() },
          copied ? t('dash.pairing.copied') : t('dash.pairing.copy'),
        ),
      ),
      h('p', { class: 'muted', id: 'pairing-parts', dir: 'auto' }, issued?.parts ?? ''),
    ),
    h('p', { class: 'muted', id: 'pairing-note' }, note),
    h('button', { type: 'button', id: 'pair', disabled: busy, onClick: () => void pair() }, t('dash.pairing.button')),
  );
}

/**
 * The merchant's churn horizon: which H "chance of no order in the next H days" means everywhere. Changing it refits
 * the shop's predictions (a full run), so the card says the numbers follow in a while.
 */
function Settings({ deps }: { deps: DashboardDeps }): El {
  const [settings, setSettings] = useState<ShopSettingsV1 | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    void deps.request('/app/api/settings').then(
      (res) => (res.status === 200 ? setSettings(res.body as ShopSettingsV1) : setNote(t('dash.settings.loadFailed', { message: errorMessage(res.body) }))),
      (error: unknown) => setNote(t('dash.settings.loadFailed', { message: (error as Error).message })),
    );
  }, [deps]);
  const change = async (days: number) => {
    setBusy(true);
    try {
      const res = await deps.request('/app/api/settings', { method: 'PUT', body: { churnHorizonDays: days } });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      setSettings(res.body as ShopSettingsV1);
      setNote(t('dash.settings.saved', { days }));
      deps.toast?.(t('dash.settings.savedToast'));
    } catch (error) {
      setNote(t('dash.settings.saveFailed', { message: (error as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return card(
    'settings',
    t('dash.settings.title'),
    h('label', { for: 'churn-horizon' }, `${t('dash.settings.label')} `),
    h(
      'select',
      {
        id: 'churn-horizon',
        disabled: settings === null || busy,
        value: settings === null ? undefined : String(settings.churnHorizonDays),
        onChange: (e: Event) => void change(Number((e.currentTarget as HTMLSelectElement).value)),
      },
      ...(settings?.churnHorizonChoices ?? []).map((d) => h('option', { key: d, value: String(d) }, t('dash.settings.option', { days: d }))),
    ),
    h('p', { class: 'muted' }, t('dash.settings.hint')),
    h('p', { class: 'muted', id: 'settings-note', 'aria-live': 'polite' }, note),
  );
}

function errorMessage(body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : t('dash.unexpected');
}

/** Everything shown once a report exists, in order; the VIP card is inserted after the at-risk list by the caller. */
export function renderMetrics(report: ShopReport, summary: ShopSummaryV1, segments: SegmentValueV1[] | null, deps: DashboardDeps): El[] {
  return [
    renderScorecard(report),
    renderRepeatRate(report, deps),
    renderChurn(report, deps),
    renderCohorts(report, deps),
    renderSegments(report, segments),
    createElement(AtRisk, { summary, request: deps.request }),
    renderBacktest(summary, report.timeZone),
  ];
}

/**
 * Renders its children only when `version` changes: the metrics (and their charts) are rebuilt when the report does,
 * not on every poll, so uPlot instances live until their data changes.
 */
class Frozen extends Component<{ version: string; children?: ComponentChildren }> {
  override shouldComponentUpdate(next: { version: string }): boolean {
    return next.version !== this.props.version;
  }
  override render(): ComponentChildren {
    return this.props.children;
  }
}

/** What one poll found, for {@link DashboardView}. */
interface DashboardState {
  header: string;
  counted: string;
  status: El;
  summary: ShopSummaryV1 | null;
  /** The report's JSON text (its version) and the cards drawn from it. */
  metrics: { version: string; cards: El[] };
}

function DashboardView({ state, cardDeps, deps }: { state: DashboardState; cardDeps: FeedbackCardDeps; deps: DashboardDeps }) {
  const { metrics } = state;
  // Before the first report the sync progress leads; afterwards the metrics do, with sync and pairing last.
  // NPS, CSAT and LTV:CAC follow the scorecard; the export sits with the other tools.
  return [
    h('div', { class: 'header', key: 'header' }, h('h1', {}, 'CLV Lens'), h('p', { class: 'muted', id: 'as-of' }, state.header)),
    h('p', { class: 'muted', id: 'customers-counted', key: 'counted' }, state.counted),
    h('div', { id: 'status', 'aria-live': 'polite', key: 'status' }, state.status),
    h(
      'div',
      { class: 'grid', id: 'metrics', key: 'grid' },
      createElement(Frozen, { key: 'lead', version: metrics.version }, metrics.cards.slice(0, 1)),
      createElement(FeedbackCard, { key: 'feedback', deps: cardDeps, version: metrics.version }),
      createElement(Frozen, { key: 'metrics', version: metrics.version }, metrics.cards.slice(1)),
      createElement(ExportCard, { key: 'export', deps: cardDeps }),
      h('div', { id: 'sync-slot', key: 'sync' }, state.summary === null ? null : renderSync(state.summary)),
      createElement(Settings, { key: 'settings', deps }),
      createElement(Pairing, { key: 'pairing', deps }),
    ),
  ];
}

/**
 * Runs the dashboard in `root`: loads, renders (Preact), and keeps polling (every 3 s while the first sync runs, every
 * 30 s once live). Returns a stop function, which unmounts it (charts and all).
 */
export function startDashboard(root: HTMLElement, deps: DashboardDeps): { stop(): void; refreshed: () => Promise<void> } {
  const locale = deps.locale ?? resolveLocale(typeof document === 'undefined' ? null : document.documentElement.lang);
  setDashboardLocale(locale);
  const cardDeps: FeedbackCardDeps = {
    request: deps.request,
    locale,
    ...(deps.download ? { download: deps.download } : {}),
    ...(deps.save ? { save: deps.save } : {}),
  };
  const state: DashboardState = { header: '', counted: '', status: null, summary: null, metrics: { version: '', cards: [] } };
  const paint = () => render(createElement(DashboardView, { state: { ...state }, cardDeps, deps }), root);
  // The server's shell (title, "Loading...") goes: Preact owns the root from here.
  root.replaceChildren();
  paint();
  let timeZone = 'UTC';
  let withAccount: number | null = null;
  let timer: unknown = null;
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();

  const cycle = async (): Promise<void> => {
    let next: number = POLL_MS.syncing;
    try {
      const s = await deps.request('/app/api/summary');
      if (s.status !== 200) throw new Error(errorMessage(s.body));
      const summary = s.body as ShopSummaryV1;
      root.removeAttribute('aria-busy');
      state.summary = summary;
      const r = await deps.request('/app/api/report');
      const syncState = t(`dash.sync.state.${summary.sync.state}`);
      state.header = t('dash.header.syncOnly', { shop: summary.shopDomain, state: syncState });
      if (r.status === 404) {
        state.status = h('p', { class: 'banner', 'data-tone': 'attention', id: 'no-report' }, t('dash.noReport'));
      } else if (r.status !== 200) {
        throw new Error(errorMessage(r.body));
      } else {
        const text = JSON.stringify(r.body);
        if (text !== state.metrics.version) {
          const report = (r.body as { report: ShopReport }).report;
          const seg = await deps.request('/app/api/segments');
          const segments = seg.status === 200 ? (seg.body as { segments: SegmentValueV1[] }).segments : null;
          const vipRes = await deps.request('/app/api/vip-slipping');
          timeZone = report.timeZone;
          const cards = renderMetrics(report, summary, segments, deps);
          if (vipRes.status === 200) {
            const vip = createElement(VipCard, { vip: vipRes.body as VipSlippingV1, tr, request: deps.request, shopDomain: summary.shopDomain, timeZone });
            cards.splice(cards.length - 1, 0, vip);
          }
          // A new version also makes the survey/spend card read its figures again.
          state.metrics = { version: text, cards };
          // The header counts every buyer; segments, risk and the extension only customers with an account: say so.
          withAccount = segments === null ? null : segments.reduce((sum, x) => sum + x.customers, 0);
        }
        state.header = t('dash.header.customers', {
          shop: summary.shopDomain,
          customers: summary.customers,
          date: formatDate(summary.asOfMs, timeZone),
          state: syncState,
        });
        state.counted = withAccount === null ? '' : t('dash.customersCounted', { withAccount, guests: Math.max(0, summary.customers - withAccount) });
        state.status = null;
        if (summary.sync.state === 'live') next = POLL_MS.live;
      }
    } catch (error) {
      state.status = h('p', { class: 'banner', 'data-tone': 'critical', role: 'alert' }, t('dash.loadFailed', { message: (error as Error).message }));
    }
    if (stopped) return;
    paint();
    timer = deps.setTimeout(() => void (pending = cycle()), next);
  };
  deps.loading?.(true);
  pending = cycle().finally(() => deps.loading?.(false));
  return {
    stop() {
      stopped = true;
      deps.clearTimeout(timer);
      render(null, root);
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

const mount = typeof document === 'undefined' ? null : document.getElementById('clvlens-dashboard');
const bridge = typeof window === 'undefined' ? undefined : (window as unknown as { shopify?: AppBridge }).shopify;
if (mount !== null && bridge !== undefined) startDashboard(mount, browserDeps(bridge));
else if (mount !== null) {
  mount.removeAttribute('aria-busy');
  setDashboardLocale(resolveLocale(document.documentElement.lang));
  mount.replaceChildren();
  render(
    [
      h('h1', { key: 'title' }, 'CLV Lens'),
      h(
        'section',
        { class: 'card', key: 'card' },
        h('p', {}, t('dash.noBridge')),
        h('p', {}, h('a', { href: 'https://admin.shopify.com/', target: '_top' }, t('dash.outside.link'))),
      ),
    ],
    mount,
  );
}
