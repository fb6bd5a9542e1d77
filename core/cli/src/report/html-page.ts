import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { currencyExponent, DAY_MS, formatLocalDate } from '@clvlens/core/basics';
import { churnTrendReading, createTranslator, directionOf, shownScorecardStatus, type Locale, type MessageKey } from '@clvlens/core/i18n';
import type { ReportDocument } from './report-document.ts';

/**
 * The shared chart components' browser bundle (`@clvlens/ui`: Preact, uPlot and `LineChart`, exposed as
 * `window.ClvlensCharts`) and its stylesheet, read from the package's Vite build and inlined: no CDN, the page works
 * opened from disk, offline.
 */
function chartAssets(): { js: string; css: string } {
  const js = fileURLToPath(import.meta.resolve('@clvlens/ui/report-charts'));
  const css = js.replace(/\.js$/, '.css');
  if (!existsSync(js) || !existsSync(css))
    throw new Error(
      `The chart bundle of the HTML report is not built (${js}). Run \`pnpm --filter @clvlens/ui run build\` (pnpm test and pnpm start do), then run this command again.`,
    );
  const code = readFileSync(js, 'utf8');
  const style = readFileSync(css, 'utf8');
  // Inlined code must not be able to end its own element.
  if (/<\/(script|style)/i.test(code) || /<\/(script|style)/i.test(style)) throw new Error('The chart bundle contains a closing tag');
  return { js: code, css: style };
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` are escaped as `\u003c`... so no
 * value (an e-mail, a file name) can close the element or open markup; JSON.parse restores them unchanged.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Cohorts to draw as LTV curves: at most `max`, spread evenly over the history, newest always in. */
export function pickLtvCohorts(count: number, max = 6): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const step = (count - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => Math.round(k * step));
}

/** Every text the page shows, formatted in Node for `locale` (the page script only inserts them). */
function pageText(doc: ReportDocument, locale: Locale) {
  const t = createTranslator(locale);
  const ltvPicked = pickLtvCohorts(doc.charts.ltvCurves.cohortMonth.length);
  const monthComplete = formatLocalDate(doc.asOfMs + DAY_MS, doc.timeZone).slice(0, 7) !== formatLocalDate(doc.asOfMs, doc.timeZone).slice(0, 7);
  const reading = churnTrendReading(doc.churnDetail.alert);
  return {
    title: t.t('html.title'),
    meta: t.t('html.generated', {
      file: doc.input.file,
      format: t.t(`cli.format.${doc.input.format}` as MessageKey),
      date: t.date(doc.asOfMs, doc.timeZone),
      timeZone: doc.timeZone,
      days: doc.windowDays,
      currency: doc.currency ?? t.t('value.none'),
      orders: doc.orders.counted,
      customers: doc.customers,
    }),
    none: t.t('value.none'),
    tiles: {
      repeatRate: t.t('cli.row.repeatRate', { days: doc.repeatPurchaseRate.windowDays }),
      returningRate: t.t('term.returningRate'),
      aov: t.t('term.aov'),
      d30: t.t('term.churnedAfter', { days: 30 }),
      d60: t.t('term.churnedAfter', { days: 60 }),
      d90: t.t('term.churnedAfter', { days: 90 }),
      historicClv: t.t('cli.row.historicClv'),
      formulaClv: t.t('term.formulaClv'),
      windowedClv: t.t('cli.row.windowedClv', { days: doc.windowedClv.chosenLookbackDays }),
      mrr: t.t('cli.row.mrr'),
    },
    returningNote: t.t('define.returningRate'),
    repeatChart: t.t('html.chart.repeatRate'),
    repeatNote: t.t('html.chart.repeatRateNote', { days: doc.windowDays }),
    repeatSeries: t.t('term.repeatRate'),
    week: t.t('html.legend.week'),
    latest: t.t('html.legend.latest'),
    churnChart: t.t('html.chart.churn'),
    churnNote: `${t.t('html.chart.churnNote')} ${reading === 'insufficient' ? t.t('churnAlert.insufficient') : t.t(`churnAlert.${reading}`, { latest: t.percent(doc.churnDetail.alert.latest), mean: t.percent(doc.churnDetail.alert.baselineMean) })}`,
    churnTone: reading === 'rising' ? 'critical' : reading === 'falling' ? 'success' : 'info',
    churnSeries: [30, 60, 90].map((d) => t.t('html.legend.churn', { days: d })),
    heatChart: t.t('html.chart.heatmap'),
    heatNote: t.t('html.chart.heatmapNote'),
    partialLastMonth: !monthComplete,
    ltvChart: t.t('html.chart.ltv'),
    ltvNote: t.t('html.chart.ltvNote', { shown: ltvPicked.length, total: doc.charts.ltvCurves.cohortMonth.length }),
    ltvPicked,
    ltvLabels: doc.charts.ltvCurves.cohortMonth.map((m) => t.month(m)),
    monthsSince: t.t('html.legend.monthsSince'),
    scorecard: t.t('scorecard.title'),
    scorecardNote: t.t('html.scorecardNote', { weeks: doc.scorecard.baselineWeeks }),
    scorecardHead: (['metric', 'current', 'baseline', 'change', 'target', 'pace', 'status'] as const).map((k) => t.t(`scorecard.col.${k}`)),
    scorecardRows: doc.scorecard.rows.map((r) => ({
      metric: t.t(`scorecard.metric.${r.metric}`),
      status: t.t(`scorecard.status.${shownScorecardStatus(r.status, doc.scorecard.weeksElapsed)}` as MessageKey),
      pace:
        r.weeklyPaceNeeded === null
          ? t.t('value.none')
          : r.unit === 'fraction'
            ? t.t('cli.scorecard.pacePoints', { points: t.number(r.weeklyPaceNeeded * 100, 2) })
            : null,
    })),
    noTarget: t.t('scorecard.noTarget'),
    windowedDefine: t.t('define.windowedClv'),
    segments: t.t('html.chart.segments'),
    segmentNote: t.t('define.rfm'),
    segmentNames: Object.fromEntries(Object.keys(doc.rfm.segmentCounts).map((s) => [s, t.t(`segment.${s}` as MessageKey)])),
  };
}

/**
 * One self-contained HTML page for `--html`, in `locale` (`lang` and `dir` set; Arabic right to left): the report
 * document embedded as JSON data with the page's texts formatted in Node, the shared charts (`@clvlens/ui`, as in the
 * dashboard and the popup) inlined, and a page script that builds every text node with `textContent` (never HTML from
 * data) and draws the charts: weekly repeat purchase rate, churn 30/60/90 trend, cohort heatmap (the running month
 * striped) and a readable few cumulative LTV curves. Legends show the latest values until a point is hovered, then
 * that point's; the readout under each chart names the week (or month) shown.
 */
export function renderHtmlPage(doc: ReportDocument, locale: Locale = 'en'): string {
  const { js, css } = chartAssets();
  const view = { currencyExponent: doc.currency === null ? 2 : currencyExponent(doc.currency), locale, text: pageText(doc, locale) };
  return `<!doctype html>
<html lang="${locale}" dir="${directionOf(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeText(view.text.title)}</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main id="app"><h1>${escapeText(view.text.title)}</h1><noscript>${escapeText(createTranslator(locale).t('html.noscript'))}</noscript></main>
<script type="application/json" id="clvlens-data">${jsonForScriptElement({ report: doc, view })}</script>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch]!);
}

const PAGE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f7f8fa; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #52606d; margin: 0 0 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; }
.tile { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 10px 12px; }
.tile .label { color: #52606d; font-size: 12px; }
.tile .value { font-size: 20px; font-weight: 600; }
.card { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 12px; }
.note { color: #52606d; font-size: 12px; }
.note[data-tone="critical"] { color: #8e1f0b; }
.note[data-tone="success"] { color: #0c5132; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: end; padding: 4px 8px; border-bottom: 1px solid #e4e7eb; }
th:first-child, td:first-child { text-align: start; }
`;

// Runs in the browser. Every string from the data goes through textContent or canvas fillText, never innerHTML.
const PAGE_SCRIPT = `
(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('clvlens-data').textContent);
  var r = payload.report;
  var view = payload.view;
  var T = view.text;
  var exp = view.currencyExponent;
  var locale = view.locale;
  var rtl = document.documentElement.dir === 'rtl';
  var app = document.getElementById('app');
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  var pctFormat = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var pct0Format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  var moneyFormat = r.currency ? new Intl.NumberFormat(locale, { style: 'currency', currency: r.currency, minimumFractionDigits: exp, maximumFractionDigits: exp }) : new Intl.NumberFormat(locale);
  var countFormat = new Intl.NumberFormat(locale);
  var dateFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: r.timeZone });
  function pct(v) { return v === null || v === undefined ? T.none : pctFormat.format(v); }
  function major(minor) { return minor === null || minor === undefined ? null : minor / Math.pow(10, exp); }
  function money(minor) { return minor === null || minor === undefined ? T.none : moneyFormat.format(major(minor)); }
  function section(title, note, tone) {
    app.appendChild(el('h2', title));
    if (note) { var p = el('p', note, 'note'); if (tone) p.setAttribute('data-tone', tone); app.appendChild(p); }
    var card = el('div', null, 'card');
    app.appendChild(card);
    return card;
  }
  function lastIndex(values) { for (var i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i; return null; }
  // The readout under a weekly chart: the hovered week, or the latest before anything is hovered (never "--").
  function weekReadout(x, hovered) { return (hovered ? T.week : T.latest) + ': ' + dateFormat.format(x); }
  function dateTicks(splits) { return splits.map(function (v) { return dateFormat.format(v); }); }
  function pct0(v) { return pct0Format.format(v); }
  function line(card, props) { window.ClvlensCharts.mountLineChart(card, props); }
  var width = Math.min(940, (document.documentElement.clientWidth || 1000) - 60);

  app.appendChild(el('p', T.meta, 'meta'));

  var tiles = el('div', null, 'tiles');
  [
    [T.tiles.repeatRate, pct(r.repeatPurchaseRate.value)],
    [T.tiles.returningRate, pct(r.returningCustomerRate)],
    [T.tiles.aov, money(r.averageOrderValueMinor)],
    [T.tiles.d30, pct(r.churn.d30)],
    [T.tiles.d60, pct(r.churn.d60)],
    [T.tiles.d90, pct(r.churn.d90)],
    [T.tiles.historicClv, money(r.historicClv.meanMinor)],
    [T.tiles.formulaClv, money(r.formulaClv.valueMinor)],
    [T.tiles.windowedClv, money(r.charts.windowedClv.valueMinor[r.charts.windowedClv.valueMinor.length - 1])],
    [T.tiles.mrr, money(r.mrr.current.mrrMinor)]
  ].forEach(function (t) {
    var tile = el('div', null, 'tile');
    tile.appendChild(el('div', t[0], 'label'));
    tile.appendChild(el('div', t[1], 'value'));
    tiles.appendChild(tile);
  });
  app.appendChild(tiles);
  app.appendChild(el('p', T.returningNote, 'note'));

  var rr = r.charts.repeatRate;
  line(section(T.repeatChart, T.repeatNote), {
    x: rr.weekStartMs, xIsTime: true, height: 260, label: T.repeatChart, emptyText: T.none,
    series: [{ key: 'repeat', label: T.repeatSeries, values: rr.value, stroke: '#2563eb' }],
    formatY: pct, yTick: pct0, xTicks: dateTicks, readout: weekReadout,
    yRange: function (min, max) { return [0, Math.max(max || 0, 0.05)]; }
  });

  var ct = r.charts.churnTrend;
  line(section(T.churnChart, T.churnNote, T.churnTone), {
    x: ct.weekStartMs, xIsTime: true, height: 260, label: T.churnChart, emptyText: T.none,
    series: [{ key: 'd30', label: T.churnSeries[0], values: ct.d30, stroke: '#f59e0b' },
      { key: 'd60', label: T.churnSeries[1], values: ct.d60, stroke: '#ef4444', dash: [6, 3] },
      { key: 'd90', label: T.churnSeries[2], values: ct.d90, stroke: '#7c3aed', dash: [2, 2] }],
    formatY: pct, yTick: pct0, xTicks: dateTicks, readout: weekReadout, yRange: [0, 1]
  });

  var hm = r.charts.cohortHeatmap;
  var heatCard = section(T.heatChart, T.heatNote);
  var cell = Math.max(14, Math.min(36, Math.floor((width - 90) / Math.max(1, hm.monthsSince.length))));
  var canvas = document.createElement('canvas');
  var labelW = 80, topH = 20;
  var cols = hm.monthsSince.length;
  canvas.width = labelW + cell * cols;
  canvas.height = topH + cell * hm.cohortMonth.length;
  var g = canvas.getContext('2d');
  g.font = '11px system-ui, sans-serif';
  g.textBaseline = 'middle';
  // Mirrored in right-to-left pages: labels on the right, months since growing leftwards.
  function colX(j) { return rtl ? canvas.width - labelW - (j + 1) * cell : labelW + j * cell; }
  var labelX = rtl ? canvas.width - 4 : 4;
  hm.monthsSince.forEach(function (m, j) { g.fillStyle = '#52606d'; g.textAlign = 'start'; g.fillText(String(m), colX(j) + 3, topH / 2); });
  hm.cohortMonth.forEach(function (month, i) {
    g.fillStyle = '#1f2933';
    g.textAlign = rtl ? 'right' : 'left';
    g.fillText(month, labelX, topH + i * cell + cell / 2);
    g.textAlign = 'left';
    var row = hm.activeShare[i];
    var last = lastIndex(row);
    row.forEach(function (v, j) {
      if (v === null) return;
      var x = colX(j), y = topH + i * cell;
      var light = Math.round(97 - 60 * Math.min(1, Math.sqrt(v)));
      g.fillStyle = 'hsl(217, 80%, ' + light + '%)';
      g.fillRect(x, y, cell - 1, cell - 1);
      if (T.partialLastMonth && j === last && j > 0) {
        // The running month: striped, so its low share does not read as a collapse.
        g.save(); g.beginPath(); g.rect(x, y, cell - 1, cell - 1); g.clip();
        g.strokeStyle = 'rgba(82, 96, 109, 0.55)'; g.lineWidth = 1;
        for (var k = -cell; k < cell; k += 5) { g.beginPath(); g.moveTo(x + k, y + cell); g.lineTo(x + k + cell, y); g.stroke(); }
        g.restore();
      }
      if (cell >= 28) { g.fillStyle = light < 60 ? '#fff' : '#1f2933'; g.fillText((v * 100).toFixed(0), x + 3, y + cell / 2); }
    });
  });
  canvas.title = T.heatChart;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', T.heatChart + '. ' + T.heatNote);
  heatCard.appendChild(canvas);

  var lc = r.charts.ltvCurves;
  var palette = ['#2563eb', '#16a34a', '#f59e0b', '#ef4444', '#7c3aed', '#0891b2'];
  line(section(T.ltvChart, T.ltvNote), {
    x: lc.monthsSince, xIsTime: false, height: 320, ySize: 96, label: T.ltvChart, emptyText: T.none,
    series: T.ltvPicked.map(function (i, k) {
      return { key: 'c' + i, label: T.ltvLabels[i], values: lc.cumulativeRevenuePerCustomerMinor[i], stroke: palette[k % palette.length] };
    }),
    formatY: money,
    readout: function (x, hovered) { return T.monthsSince + ': ' + (hovered ? countFormat.format(x) : T.latest); }
  });

  var sc = section(T.scorecard, T.scorecardNote);
  var table = el('table');
  var head = el('tr');
  T.scorecardHead.forEach(function (h) { head.appendChild(el('th', h)); });
  table.appendChild(head);
  r.scorecard.rows.forEach(function (row, i) {
    var fmt = row.unit === 'fraction' ? pct : money;
    var text = T.scorecardRows[i];
    var tr = el('tr');
    [text.metric, fmt(row.current), fmt(row.baseline), pct(row.changeVsBaseline), row.target === null ? T.noTarget : fmt(row.target),
      text.pace !== null ? text.pace : money(row.weeklyPaceNeeded), text.status].forEach(function (v) { tr.appendChild(el('td', v)); });
    table.appendChild(tr);
  });
  sc.appendChild(table);
  sc.appendChild(el('p', T.windowedDefine, 'note'));

  var segCard = section(T.segments, T.segmentNote);
  Object.keys(r.rfm.segmentCounts).forEach(function (name) {
    segCard.appendChild(el('div', (T.segmentNames[name] || name) + ': ' + countFormat.format(r.rfm.segmentCounts[name])));
  });
})();
`;
