/// <reference lib="dom" />
/**
 * The embedded dashboard in the browser. Served as `/app/assets/dashboard.js` with its types erased (assets.ts), so
 * it imports types only. It reads `/app/api/summary`, `/app/api/report` and `/app/api/segments` with App Bridge
 * session tokens, and builds every element with createElement + textContent: no data ever becomes markup.
 * While the first sync runs (no report yet) it shows the progress and polls; it renders once the report exists.
 */
import type { ScorecardRow, ShopReport, ShopSettingsV1, ShopSummaryV1 } from '@clvlens/core';
import type uPlot from 'uplot';
import type { SegmentValueV1 } from './segments.ts';

/** What the dashboard needs from its surroundings (the browser, or a test). */
export interface DashboardDeps {
  /** GET/POST/PUT a JSON path of the app with the session token (`body` sent as JSON); resolves with the HTTP status and parsed body. */
  request(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  /** uPlot's constructor; charts are skipped (a text fallback stays) when it is missing. */
  uPlot?: typeof uPlot;
  /** App Bridge toast. */
  toast?(message: string): void;
  /** App Bridge's loading indicator in the admin, on during the first load. */
  loading?(on: boolean): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Poll intervals: fast while syncing, slow once live. */
export const POLL_MS = { syncing: 3000, live: 30_000 } as const;

/** One line per metric on why it differs from what Shopify shows. */
export const WHY_DIFFERENT = {
  scorecard:
    'Shopify has no targets or baselines; here "CLV" is revenue per active customer over the look-back that best predicted the next 90 days, and every figure counts only paid orders net of refunds (no test, cancelled or zero-value orders).',
  repeatRate:
    "Shopify's returning customer rate counts anyone with 2+ orders ever, so a first order before the window counts; the repeat purchase rate needs both orders inside the window, so it is lower.",
  churn:
    'Shopify has no churn figure. Here a customer has churned once they have not ordered for 30, 60 or 90 days; Shopify reports can also lag by up to 12 hours, these follow each webhook.',
  cohorts:
    "Shopify's cohort report counts customers returning per month; here refunds are taken off the original order's month, so old cohorts do not change when a refund lands later.",
  rfm: "Same segment names as Shopify's RFM groups, but Shopify does not publish its cut-offs: here each of recency, frequency and spend is scored 1-5 by quintile within your shop.",
  atRisk:
    "Shopify's predicted spend tier is a spend percentile; here the risk is the chance of no order in the next days shown, from the model that predicted your own past best (see \"How right we were\"). New customers, with one order and still within your usual time to a second, are left out.",
} as const;

type Child = Node | string | null | undefined | false;

/** A drawn chart; destroyed before the sections are rebuilt. */
interface ChartHandle {
  destroy(): void;
}

/** Creates an element; string children become text nodes (never parsed as HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** Formats shop-currency minor units with the currency's own decimals. */
export function formatMoney(minor: number | null, currency: string): string {
  if (minor === null || !Number.isFinite(minor)) return '—';
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A fraction as a percentage with one decimal ("12.3%"). */
export function formatPercent(fraction: number | null, decimals = 1): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(decimals)}%`;
}

const formatCount = (n: number): string => n.toLocaleString('en-US');
/** A calendar date in the shop's time zone (week starts and "as of" are local midnights and ends of local days). */
const formatDate = (ms: number, timeZone = 'UTC'): string => new Date(ms).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone });
const formatTime = (ms: number): string => new Date(ms).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit' });

const METRIC_LABEL: Record<ScorecardRow['metric'], string> = {
  repeatPurchaseRate: 'Repeat purchase rate',
  clv: 'CLV (revenue per active customer)',
  churnD90: '90-day churn',
  averageOrderValue: 'Average order value',
};

const STATUS: Record<ScorecardRow['status'], { label: string; tone?: string }> = {
  achieved: { label: '✓ Achieved', tone: 'success' },
  'on-track': { label: '✓ On track', tone: 'success' },
  behind: { label: '! Behind', tone: 'critical' },
  improving: { label: '↑ Improving', tone: 'success' },
  steady: { label: '→ Steady', tone: 'info' },
  worsening: { label: '↓ Worsening', tone: 'critical' },
  'no-data': { label: '– No data' },
};

const TIER_TONE: Record<string, string> = { high: 'critical', medium: 'attention', low: 'success' };

const SEGMENT_LABEL: Record<string, string> = {
  CHAMPIONS: 'Champions',
  LOYAL: 'Loyal',
  ACTIVE: 'Active',
  NEEDS_ATTENTION: 'Needs attention',
  PROMISING: 'Promising',
  NEW: 'New',
  AT_RISK: 'At risk',
  PREVIOUSLY_LOYAL: 'Previously loyal',
  ALMOST_LOST: 'Almost lost',
  DORMANT: 'Dormant',
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

function why(text: string): HTMLElement {
  return h('p', { class: 'why' }, h('strong', {}, 'Why this differs from Shopify: '), text);
}

function kpi(label: string, value: string, testId: string): HTMLElement {
  return h('div', { class: 'kpi' }, h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-testid': testId }, value));
}

/** A captioned table; every column but those in `textColumns` (default the first) holds numbers, right-aligned. */
function table(caption: string, head: string[], rows: Node[][], textColumns: readonly number[] = [0], className?: string): HTMLElement {
  const thead = h('thead', {}, h('tr', {}, ...head.map((text, i) => h('th', { scope: 'col', class: textColumns.includes(i) ? undefined : 'num' }, text))));
  const tbody = h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells)));
  // The wrapper scrolls sideways on narrow screens: focusable and named so keyboard users can scroll it too.
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' }, h('table', { class: className }, h('caption', {}, caption), thead, tbody));
}

const rowHeader = (...children: Child[]): HTMLElement => h('th', { scope: 'row' }, ...children);
const numCell = (text: string, testId?: string): HTMLElement => h('td', { class: 'num', 'data-testid': testId }, text);

/** The sync card: state, progress bar while backfilling, counts. */
export function renderSync(summary: ShopSummaryV1): HTMLElement {
  const s = summary.sync;
  const est = s.ordersEstimated;
  const stateText = s.state === 'live' ? 'live' : s.state === 'backfilling' ? 'backfilling' : s.state === 'error' ? 'error' : 'not started';
  const counts = `${formatCount(s.ordersDone)}${est && s.state !== 'live' ? ` of about ${formatCount(est)}` : ''} orders`;
  const share = est && s.state !== 'live' ? ` (${Math.min(100, Math.floor((100 * s.ordersDone) / est))}%)` : '';
  const bar = h('progress', { id: 'sync-progress', 'aria-labelledby': 'sync-title' });
  bar.max = est && est > 0 ? est : 1;
  bar.value = est && est > 0 ? Math.min(s.ordersDone, est) : s.state === 'live' ? 1 : 0;
  return card(
    'sync',
    'Sync',
    h('p', {}, 'Status: ', pill(stateText, s.state === 'live' ? 'success' : s.state === 'error' ? 'critical' : 'info'), ' ', h('span', { id: 'sync-text' }, counts), share),
    s.state === 'live' ? null : bar,
    s.message ? h('p', { class: 'muted' }, s.message) : null,
    s.lastSyncAtMs !== null ? h('p', { class: 'muted' }, `Last sync ${formatDate(s.lastSyncAtMs)} ${formatTime(s.lastSyncAtMs)}`) : null,
  );
}

function renderScorecard(report: ShopReport): HTMLElement {
  const sc = report.scorecard;
  const money = (v: number | null) => formatMoney(v === null ? null : Math.round(v), report.currency ?? 'USD');
  const value = (row: ScorecardRow, v: number | null) => (row.unit === 'fraction' ? formatPercent(v) : money(v));
  const pace = (row: ScorecardRow) =>
    row.weeklyPaceNeeded === null ? '—' : row.unit === 'fraction' ? `+${(row.weeklyPaceNeeded * 100).toFixed(2)} pts/week` : `+${money(row.weeklyPaceNeeded)}/week`;
  const rows = sc.rows.map((row) => [
    rowHeader(METRIC_LABEL[row.metric]),
    numCell(value(row, row.current), `scorecard-${row.metric}-current`),
    numCell(value(row, row.baseline)),
    numCell(row.changeVsBaseline === null ? '—' : `${row.changeVsBaseline >= 0 ? '+' : ''}${formatPercent(row.changeVsBaseline)}`),
    numCell(value(row, row.target)),
    numCell(pace(row)),
    h('td', {}, pill(STATUS[row.status].label, STATUS[row.status].tone)),
  ]);
  return h(
    'section',
    { class: 'card card--wide', id: 'scorecard', 'aria-labelledby': 'scorecard-title' },
    h('h2', { id: 'scorecard-title' }, 'Scorecard'),
    h(
      'p',
      { class: 'muted' },
      `Week of ${formatDate(sc.weekStartMs, report.timeZone)} vs the mean of the ${sc.baselineWeeks} weeks before. Targets: CLV +${Math.round(sc.targets.clvGrowthFraction * 100)}% and repeat rate ×${sc.targets.repeatRateMultiplier} within ${sc.targets.horizonWeeks} weeks (${sc.weeksElapsed.toFixed(0)} elapsed).`,
    ),
    table('This week vs baseline vs target', ['Metric', 'This week', 'Baseline', 'Change', 'Target', 'Pace needed', 'Status'], rows, [0, 6]),
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

/** A uPlot chart in a labelled figure; `charts` collects the instances so a re-render can destroy them. */
function chart(spec: ChartSpec, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement {
  const box = h('div', { class: 'chart', id: spec.id, role: 'img', 'aria-label': spec.label });
  const figure = h('figure', { style: 'margin:0' }, box);
  const Plot = deps.uPlot;
  if (!Plot || spec.x.length === 0) {
    box.append(h('p', { class: 'muted' }, spec.x.length === 0 ? 'Not enough history for this chart yet.' : 'Chart unavailable.'));
    return figure;
  }
  // uPlot needs its container in the document to measure it: draw on the next frame.
  const draw = () => {
    const width = Math.max(200, box.clientWidth || 600);
    const options: uPlot.Options = {
      width,
      height: 240,
      ms: 1,
      scales: { x: { time: spec.xIsTime }, ...(spec.yFromZero ? { y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.05 : 1] } } : {}) },
      axes: [
        { label: spec.xLabel, stroke: '#616161', grid: { stroke: '#ebebeb' } },
        { stroke: '#616161', grid: { stroke: '#ebebeb' }, values: (_u, splits) => splits.map((v) => spec.yFormat(v)), size: 64 },
      ],
      series: [
        { label: spec.xLabel, value: (_u, v) => (v === null ? '—' : spec.xIsTime ? formatDate(v) : String(v)) },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 2,
          ...(s.dash ? { dash: s.dash } : {}),
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : spec.yFormat(v)),
        })),
      ],
    };
    const data = [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData;
    const plot = new Plot(options, data, box);
    const observer =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            const w = Math.max(200, box.clientWidth);
            if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: 240 });
          });
    observer?.observe(box);
    charts.push({
      destroy() {
        observer?.disconnect();
        plot.destroy();
      },
    });
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
    'Repeat purchase rate',
    h(
      'div',
      { class: 'kpis' },
      kpi(`Repeat purchase rate (${rr.windowDays} days)`, formatPercent(rr.value), 'repeat-rate-value'),
      kpi(`Shopify returning customer rate (same window)`, formatPercent(ret.value), 'returning-rate-value'),
    ),
    h('p', { class: 'muted' }, `${formatCount(rr.repeatCustomers)} of ${formatCount(rr.customers)} customers ordered twice or more in the window; Shopify would count ${formatCount(ret.returningCustomers)} of ${formatCount(ret.customers)} as returning.`),
    chart(
      {
        id: 'chart-repeat-rate',
        label: `Weekly repeat purchase rate over the trailing ${rr.windowDays} days, ${series.weekStartMs.length} weeks`,
        x: series.weekStartMs,
        xIsTime: true,
        xLabel: 'Week',
        series: [{ label: 'Repeat purchase rate', values: series.value, stroke: PALETTE[0]! }],
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
  const banner =
    alert.status === 'alert'
      ? h('p', { class: 'banner', 'data-tone': 'critical', role: 'alert', 'data-testid': 'churn-alert' }, `⚠ Alert: 90-day churn is ${alert.direction === 'up' ? 'up' : 'down'} to ${formatPercent(alert.latest)} against a recent mean of ${formatPercent(alert.baselineMean)}.`)
      : alert.status === 'normal'
        ? h('p', { class: 'banner', 'data-tone': 'success', 'data-testid': 'churn-alert' }, `✓ No alert: 90-day churn ${formatPercent(alert.latest)} is within the usual range (mean ${formatPercent(alert.baselineMean)}).`)
        : h('p', { class: 'banner', 'data-testid': 'churn-alert' }, 'Not enough weekly history yet to judge the churn trend.');
  return card(
    'churn',
    'Churn 30 / 60 / 90 days',
    banner,
    h(
      'div',
      { class: 'kpis' },
      kpi('No order in 30 days', formatPercent(report.churn.d30), 'churn-d30'),
      kpi('No order in 60 days', formatPercent(report.churn.d60), 'churn-d60'),
      kpi('No order in 90 days', formatPercent(report.churn.d90), 'churn-d90'),
    ),
    chart(
      {
        id: 'chart-churn',
        label: 'Weekly inactivity churn at 30, 60 and 90 days',
        x: trend.weekStartMs,
        xIsTime: true,
        xLabel: 'Week',
        series: [
          { label: '30 days', values: trend.d30, stroke: PALETTE[0]! },
          { label: '60 days', values: trend.d60, stroke: PALETTE[1]!, dash: [6, 3] },
          { label: '90 days', values: trend.d90, stroke: PALETTE[2]!, dash: [2, 2] },
        ],
        yFormat: (v) => formatPercent(v, 0),
      },
      deps,
      charts,
    ),
    h('p', { class: 'muted' }, `Alert rule: ${alert.rule}.`),
    why(WHY_DIFFERENT.churn),
  );
}

/** Cohort heatmap as a table: each cell has its number and a background whose strength follows it. */
function renderCohorts(report: ShopReport, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement {
  const heat = report.charts.cohortHeatmap;
  const recent = Math.max(0, heat.cohortMonth.length - 12);
  const months = heat.monthsSince.slice(0, 13);
  const rows = heat.cohortMonth.slice(recent).map((month, i) => {
    const shares = heat.activeShare[recent + i] ?? [];
    return [
      rowHeader(month),
      ...months.map((m) => {
        const v = shares[m] ?? null;
        if (v === null) return h('td', { 'data-empty': '' }, '·');
        const alpha = m === 0 ? 0.08 : Math.min(1, 0.12 + v * 2.5);
        return h('td', { style: `background: rgba(44, 110, 203, ${alpha.toFixed(3)}); color: ${alpha > 0.6 ? '#fff' : '#303030'}` }, formatPercent(v, 0));
      }),
    ];
  });
  const curves = report.charts.ltvCurves;
  const all = curves.cohortMonth.map((month, i) => ({ month, values: curves.cumulativeRevenuePerCustomerMinor[i] ?? [] }));
  // Up to 8 cohorts spread over the history, newest last, so both long (old) and recent curves show.
  const step = Math.max(1, Math.ceil(all.length / 8));
  const shown = all.filter((_, i) => (all.length - 1 - i) % step === 0).slice(-8);
  const currency = report.currency ?? 'USD';
  return h(
    'section',
    { class: 'card card--wide', id: 'cohorts', 'aria-labelledby': 'cohorts-title' },
    h('h2', { id: 'cohorts-title' }, 'Cohorts'),
    h('h3', {}, 'Share of each monthly cohort ordering again, by months since the first order'),
    table(`Last ${rows.length} cohorts; month 0 is the first order (100%); · = not reached yet`, ['Cohort', ...months.map((m) => `M${m}`)], rows, [0], 'heat'),
    h('h3', {}, 'Cumulative revenue per customer (LTV curve)'),
    chart(
      {
        id: 'chart-ltv',
        label: `Cumulative revenue per customer by months since the first order, for the ${shown.length} most recent cohorts`,
        x: curves.monthsSince,
        xIsTime: false,
        xLabel: 'Months since first order',
        series: shown.map((c, i) => ({ label: c.month, values: c.values, stroke: PALETTE[i % PALETTE.length]! })),
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
    body = table('Customers per segment', ['Segment', 'Customers'], counts.map(([s, n]) => [rowHeader(SEGMENT_LABEL[s] ?? s), numCell(formatCount(n))]));
  } else {
    const total = segments.reduce((sum, s) => sum + s.customers, 0);
    body = table(
      'Customers and value per segment, most valuable first',
      ['Segment', 'Customers', 'Share', 'Historic CLV', 'Per customer', 'Predicted 12-month CLV'],
      segments.map((s) => [
        rowHeader(s.segment === null ? 'No segment' : (SEGMENT_LABEL[s.segment] ?? s.segment)),
        numCell(formatCount(s.customers), `segment-${s.segment ?? 'none'}-customers`),
        numCell(formatPercent(total === 0 ? null : s.customers / total)),
        numCell(formatMoney(s.historicClvMinor, currency), `segment-${s.segment ?? 'none'}-clv`),
        numCell(formatMoney(s.customers === 0 ? null : Math.round(s.historicClvMinor / s.customers), currency)),
        numCell(formatMoney(s.predictedClvMinor, currency)),
      ]),
    );
    body.setAttribute('data-testid', 'segments-table');
  }
  return wideCard('segments', 'RFM segments', body, why(WHY_DIFFERENT.rfm));
}

/** A probability as a whole percentage that never reads as a certainty ("<1%", ">99%" at the ends). */
export function formatChance(fraction: number): string {
  if (fraction < 0.005) return '<1%';
  if (fraction >= 0.995) return '>99%';
  return formatPercent(fraction, 0);
}

const MODEL_LABEL: Record<string, string> = {
  'days-since-last-order': "the simple rule 'days since last order'",
  'bg-nbd': 'the BG/NBD model',
  'mbg-nbd': 'the MBG/NBD model',
  'pareto-nbd': 'the Pareto/NBD model',
  classifier: 'a classifier trained on your orders',
};

/**
 * "How right we were": the shop's churn prediction checked on its own past, in plain words, with the calibration groups
 * as a small table (predicted against actual share with no order).
 */
export function renderBacktest(summary: ShopSummaryV1, timeZone: string): HTMLElement {
  const bt = summary.churnBacktest;
  const horizon = summary.churnHorizonDays;
  if (!bt) {
    return card(
      'backtest',
      'How right we were',
      h('p', { 'data-testid': 'backtest-missing' }, `Your order history is too short yet to check the predictions on your own past, so the chances of no order in the next ${horizon} days are a rough estimate (marked low confidence).`),
    );
  }
  const tiers = (['high', 'medium', 'low'] as const).flatMap((name) => bt.tiers.filter((t) => t.tier === name && t.customers > 0));
  const again =
    tiers.length === 0
      ? null
      : `Of the customers we rated ${tiers.map((t, i) => `${t.tier} risk, ${formatPercent(t.orderedAgainShare, 0)}${i === 0 ? ' ordered again in those days' : ''}`).join('; ')}.`;
  const cuts = bt.tierCuts;
  const cutsText = `Risk tiers rank your customers against each other: low risk is a chance of no order in ${horizon} days below ${formatChance(cuts.medium)}, high risk above ${formatChance(cuts.high)}, medium in between.`;
  const model = MODEL_LABEL[bt.chosenModel] ?? bt.chosenModel;
  const ranking =
    bt.auc === null
      ? null
      : bt.chosenModel === 'days-since-last-order' || bt.daysSinceLastOrderAuc === null
        ? `Ranking quality (AUC, where 0.5 is a coin toss and 1 is perfect): ${bt.auc.toFixed(2)}, with ${model}, which ranked best on your shop.`
        : `Ranking quality (AUC, where 0.5 is a coin toss and 1 is perfect): ${bt.auc.toFixed(2)} with ${model}, against ${bt.daysSinceLastOrderAuc.toFixed(2)} for 'days since last order'.`;
  const rows = bt.calibration.map((g, i) => [
    rowHeader(i === 0 ? `${i + 1} (lowest risk)` : i === bt.calibration.length - 1 ? `${i + 1} (highest risk)` : String(i + 1)),
    numCell(formatCount(g.customers)),
    numCell(formatChance(g.meanPredicted), `backtest-predicted-${i}`),
    numCell(formatChance(g.observedNoOrderShare), `backtest-observed-${i}`),
  ]);
  return card(
    'backtest',
    'How right we were',
    h(
      'p',
      { 'data-testid': 'backtest-method' },
      `We checked on your own past: fitted on orders up to ${formatDate(bt.cutoffMs, timeZone)}, then looked at the next ${bt.horizonDays} days for ${formatCount(bt.customers)} customers (${formatPercent(bt.noOrderShare, 0)} of them did not order in that time).`,
    ),
    bt.horizonDays !== horizon ? h('p', { class: 'muted' }, `Your history is short, so ${bt.horizonDays} days were checked; the chances shown are for ${horizon} days.`) : null,
    again ? h('p', { 'data-testid': 'backtest-tiers' }, again) : null,
    ranking ? h('p', { 'data-testid': 'backtest-auc' }, ranking) : null,
    bt.spend ? h('p', { 'data-testid': 'backtest-spend' }, spendText(bt.spend, bt.horizonDays, summary.currency)) : null,
    h('p', { class: 'muted', 'data-testid': 'backtest-cuts' }, cutsText),
    table('Chance of no order: what we predicted and what happened, in groups of equal size', ['Group', 'Customers', 'Predicted', 'Happened'], rows),
  );
}

/** The spend check of the backtest in words: our error per customer beside the classic model's, and who spent. */
function spendText(spend: NonNullable<NonNullable<ShopSummaryV1['churnBacktest']>['spend']>, days: number, currency: string): string {
  const mae = formatMoney(Math.round(spend.maeMinor), currency);
  const classic = spend.baselineMaeMinor === null ? null : formatMoney(Math.round(spend.baselineMaeMinor), currency);
  const against = classic === null ? '' : ` (the classic BG/NBD with Gamma-Gamma: ${classic})`;
  const top = `the 10% we expected to spend most made ${formatPercent(spend.topDecileCapture, 0)} of what was spent`;
  const topAgainst = spend.baselineTopDecileCapture === null ? '' : ` (classic: ${formatPercent(spend.baselineTopDecileCapture, 0)})`;
  return `Predicted spend in those ${days} days was off by ${mae} per customer on average${against}; ${top}${topAgainst}.`;
}

function renderAtRisk(summary: ShopSummaryV1): HTMLElement {
  const handle = summary.shopDomain.replace(/\.myshopify\.com$/, '');
  const rows = summary.topAtRisk.map((c) => {
    const link = h('a', { href: `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(c.customerId)}`, target: '_top' }, `Customer ${c.customerId}`);
    return [
      rowHeader(link),
      numCell(formatMoney(c.historicClvMinor, summary.currency)),
      numCell(formatChance(c.churnProbability)),
      h('td', {}, pill(c.churnTier, TIER_TONE[c.churnTier])),
      numCell(c.daysSinceLastOrder === null ? '—' : formatCount(c.daysSinceLastOrder)),
    ];
  });
  return wideCard(
    'at-risk',
    'Valuable customers at risk',
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No customer at risk yet.')
      : table('Medium and high risk, highest historic CLV × chance of no order first; links open the customer in Shopify', ['Customer', 'Historic CLV', `Chance of no order in ${summary.churnHorizonDays} days`, 'Tier (vs your other customers)', 'Days since order'], rows, [0, 3]),
    why(WHY_DIFFERENT.atRisk),
  );
}

function renderPairing(deps: DashboardDeps): HTMLElement {
  const code = h('output', { class: 'code', id: 'pairing-code', 'aria-live': 'polite' });
  const note = h('p', { class: 'muted', id: 'pairing-note' }, 'A code works once, for 10 minutes.');
  const button = h('button', { type: 'button', id: 'pair' }, 'Show a pairing code');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const res = await deps.request('/app/api/pairing-code', { method: 'POST' });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      const body = res.body as { code: string; expiresAtMs: number };
      code.textContent = body.code;
      note.textContent = `Enter it in the CLV Lens extension's options before ${formatTime(body.expiresAtMs)}. It works once.`;
      deps.toast?.('Pairing code created');
    } catch (error) {
      note.textContent = `Could not create a code: ${(error as Error).message}`;
    } finally {
      button.disabled = false;
    }
  });
  return card('pairing', 'Browser extension', h('p', {}, 'Pair the CLV Lens extension to see badges on your customer and order lists.'), h('p', {}, code, ' '), note, button);
}

/**
 * The merchant's churn horizon: which H "chance of no order in the next H days" means everywhere. Changing it refits
 * the shop's predictions (a full run), so the card says the numbers follow in a while.
 */
function renderSettings(deps: DashboardDeps): HTMLElement {
  const select = h('select', { id: 'churn-horizon', disabled: '' }) as HTMLSelectElement;
  const note = h('p', { class: 'muted', id: 'settings-note', 'aria-live': 'polite' }, '');
  const show = (settings: ShopSettingsV1) => {
    select.replaceChildren(...settings.churnHorizonChoices.map((d) => h('option', { value: String(d) }, `${d} days`)));
    select.value = String(settings.churnHorizonDays);
    select.disabled = false;
  };
  void deps.request('/app/api/settings').then(
    (res) => (res.status === 200 ? show(res.body as ShopSettingsV1) : (note.textContent = `Could not load the settings: ${errorMessage(res.body)}`)),
    (error: unknown) => (note.textContent = `Could not load the settings: ${(error as Error).message}`),
  );
  select.addEventListener('change', async () => {
    const days = Number(select.value);
    select.disabled = true;
    try {
      const res = await deps.request('/app/api/settings', { method: 'PUT', body: { churnHorizonDays: days } });
      if (res.status !== 200) throw new Error(errorMessage(res.body));
      show(res.body as ShopSettingsV1);
      note.textContent = `Saved. The predictions are being refitted for ${days} days; the numbers here and in the extension follow within a few minutes.`;
      deps.toast?.('Churn horizon saved');
    } catch (error) {
      note.textContent = `Could not save: ${(error as Error).message}`;
      select.disabled = false;
    }
  });
  return card(
    'settings',
    'Settings',
    h('label', { for: 'churn-horizon' }, 'Churn risk looks ahead: the chance of no order in the next '),
    select,
    h('p', { class: 'muted' }, 'Pick the time in which your customers normally order again: 30 days for consumables, 180 for occasional purchases.'),
    note,
  );
}

function errorMessage(body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : 'unexpected answer from the app';
}

/** Everything shown once a report exists. */
export function renderMetrics(report: ShopReport, summary: ShopSummaryV1, segments: SegmentValueV1[] | null, deps: DashboardDeps, charts: ChartHandle[]): HTMLElement[] {
  return [
    renderScorecard(report),
    renderRepeatRate(report, deps, charts),
    renderChurn(report, deps, charts),
    renderCohorts(report, deps, charts),
    renderSegments(report, segments),
    renderAtRisk(summary),
    renderBacktest(summary, report.timeZone),
  ];
}

/**
 * Runs the dashboard in `root`: loads, renders, and keeps polling (every 3 s while the first sync runs, every 30 s
 * once live). Returns a stop function.
 */
export function startDashboard(root: HTMLElement, deps: DashboardDeps): { stop(): void; refreshed: () => Promise<void> } {
  const charts: ChartHandle[] = [];
  const header = h('div', { class: 'header' }, h('h1', {}, 'CLV Lens'), h('p', { class: 'muted', id: 'as-of' }, ''));
  const status = h('div', { id: 'status', 'aria-live': 'polite' });
  const syncSlot = h('div', { id: 'sync-slot' });
  const pairing = renderPairing(deps);
  const settingsCard = renderSettings(deps);
  const grid = h('div', { class: 'grid', id: 'metrics' });
  root.replaceChildren(header, status, grid);
  let reportText: string | null = null;
  let timeZone = 'UTC';
  let timer: unknown = null;
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();

  const layout = (metrics: HTMLElement[]) => {
    for (const c of charts.splice(0)) c.destroy();
    // Before the first report the sync progress leads; afterwards the metrics do, with sync and pairing last.
    grid.replaceChildren(...metrics, syncSlot, settingsCard, pairing);
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
      asOf.textContent = `${summary.shopDomain} · sync ${summary.sync.state}`;
      if (r.status === 404) {
        status.replaceChildren(h('p', { class: 'banner', 'data-tone': 'attention', id: 'no-report' }, 'No report yet: the first sync is still running. The metrics appear here as soon as it is done.'));
      } else if (r.status !== 200) {
        throw new Error(errorMessage(r.body));
      } else {
        const text = JSON.stringify(r.body);
        if (text !== reportText) {
          const report = (r.body as { report: ShopReport }).report;
          const seg = await deps.request('/app/api/segments');
          const segments = seg.status === 200 ? (seg.body as { segments: SegmentValueV1[] }).segments : null;
          reportText = text;
          timeZone = report.timeZone;
          layout(renderMetrics(report, summary, segments, deps, charts));
        }
        asOf.textContent = `${summary.shopDomain} · ${formatCount(summary.customers)} customers · as of ${formatDate(summary.asOfMs, timeZone)} · sync ${summary.sync.state}`;
        status.replaceChildren();
        if (summary.sync.state === 'live') next = POLL_MS.live;
      }
    } catch (error) {
      status.replaceChildren(h('p', { class: 'banner', 'data-tone': 'critical', role: 'alert' }, `Could not load the dashboard: ${(error as Error).message}. Retrying…`));
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
  const w = window as unknown as { uPlot?: typeof uPlot };
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
    ...(w.uPlot ? { uPlot: w.uPlot } : {}),
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
  mount.replaceChildren(h('h1', {}, 'CLV Lens'), h('section', { class: 'card' }, h('p', {}, "Shopify's App Bridge did not load: this page runs inside the Shopify admin. Open Apps → CLV Lens in your store's admin.")));
}
