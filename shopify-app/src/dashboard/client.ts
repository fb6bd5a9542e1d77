/// <reference lib="dom" />
/**
 * The embedded dashboard in the browser, in Preact, bundled by Vite (vite.config.ts: `pnpm --filter
 * @clvlens/shopify-app run build:dashboard`) with the message catalog `@clvlens/core/i18n`, the shared charts
 * `@clvlens/ui` and uPlot, and served from the build as `/app/assets/dashboard.js` (assets.ts). Every string comes from
 * the catalog in the admin's locale (en, ko, ar; Arabic right to left). It reads `/app/api/summary`, `/app/api/report`
 * and `/app/api/segments` with App Bridge session tokens; data only ever becomes text children, never markup. While the
 * first sync runs (no report yet) it shows the progress and polls; it renders once the report exists.
 *
 * This file is the bundle's entry: it only assembles the page from the cards (`cards/`, one file per card) and runs
 * it; what the cards share (translator, `h`, formatting, tones, card and table shapes) is in `client/ui.ts`, the chart
 * in `client/chart.ts`, what the page needs from the browser in `client/deps.ts` and `client/browser.ts`.
 */
import type { ShopReport, ShopSummaryV1, VipSlippingV1 } from '@clvlens/core';
import { resolveLocale } from '@clvlens/core/i18n';
import { Component, h as createElement, render, type ComponentChildren } from 'preact';
import 'uplot/dist/uPlot.min.css';
import '@clvlens/ui/line-chart.css';
import { AtRisk } from './cards/at-risk.ts';
import { renderBacktest } from './cards/backtest.ts';
import { renderChurn } from './cards/churn.ts';
import { renderCohorts } from './cards/cohorts.ts';
import { ExportCard } from './cards/export.ts';
import { FeedbackCard, type FeedbackCardDeps } from './cards/feedback.ts';
import { Pairing } from './cards/pairing.ts';
import { renderRepeatRate } from './cards/repeat-rate.ts';
import { renderScorecard } from './cards/scorecard.ts';
import { renderSegments } from './cards/segments.ts';
import { Settings } from './cards/settings.ts';
import { renderSync } from './cards/sync.ts';
import { VipCard } from './cards/vip.ts';
import { browserDeps, type AppBridge } from './client/browser.ts';
import type { DashboardDeps } from './client/deps.ts';
import { errorMessage, formatDate, h, setDashboardLocale, t, tr, type El } from './client/ui.ts';
import type { SegmentValueV1 } from './segments.ts';

/** Poll intervals: fast while syncing, slow once live. */
export const POLL_MS = { syncing: 3000, live: 30_000 } as const;

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
        // Every order stored and the shop live, but its first whole-shop run still waits for a worker or runs (minutes
        // on a large shop, or while many shops install): "the first sync is still running" would contradict the
        // sync card's "live" under it.
        const text = summary.sync.state === 'live' ? t('dash.noReportScoring') : t('dash.noReport');
        state.status = h('p', { class: 'banner', 'data-tone': 'attention', id: 'no-report' }, text);
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
