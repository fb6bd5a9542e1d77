import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { currencyExponent } from '@clvlens/core';
import type { ReportDocument } from './report-document.ts';

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, read once from the installed `uplot` package (inlined: no CDN). */
function uplotAssets(): { js: string; css: string } {
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  // Inlined code must not be able to end its own element.
  if (/<\/(script|style)/i.test(js) || /<\/(script|style)/i.test(css)) throw new Error('uPlot assets contain a closing tag');
  return { js, css };
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

/**
 * One self-contained HTML page for `--html`: the report document embedded as JSON data, uPlot inlined, and a page
 * script that builds every text node with `textContent` (never HTML from data) and draws the charts: weekly repeat
 * purchase rate, churn 30/60/90 trend, cohort heatmap and cumulative LTV curves.
 */
export function renderHtmlPage(doc: ReportDocument): string {
  const { js, css } = uplotAssets();
  const view = { currencyExponent: doc.currency === null ? 2 : currencyExponent(doc.currency) };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>CLV Lens report</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main id="app"><h1>CLV Lens report</h1><noscript>This report draws its tables and charts with JavaScript; the data is in the clvlens-data element of this file.</noscript></main>
<script type="application/json" id="clvlens-data">${jsonForScriptElement({ report: doc, view })}</script>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
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
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid #e4e7eb; }
th:first-child, td:first-child { text-align: left; }
`;

// Runs in the browser. Every string from the data goes through textContent or canvas fillText, never innerHTML.
const PAGE_SCRIPT = `
(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('clvlens-data').textContent);
  var r = payload.report;
  var exp = payload.view.currencyExponent;
  var app = document.getElementById('app');
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function pct(v) { return v === null || v === undefined ? 'n/a' : (v * 100).toFixed(1) + '%'; }
  function major(minor) { return minor === null || minor === undefined ? null : minor / Math.pow(10, exp); }
  function money(minor) {
    if (minor === null || minor === undefined) return 'n/a';
    return major(minor).toLocaleString('en-US', { minimumFractionDigits: exp, maximumFractionDigits: exp }) + ' ' + (r.currency || '');
  }
  function secs(ms) { return ms.map(function (x) { return x / 1000; }); }
  function section(title, note) {
    app.appendChild(el('h2', title));
    if (note) app.appendChild(el('p', note, 'note'));
    var card = el('div', null, 'card');
    app.appendChild(card);
    return card;
  }
  var width = Math.min(940, (document.documentElement.clientWidth || 1000) - 60);

  app.appendChild(el('p', r.input.file + ' (' + r.input.format + '), as of ' + r.asOf + ' in ' + r.timeZone +
    ', window ' + r.windowDays + ' days, currency ' + r.currency + '. ' + r.orders.counted + ' counted orders, ' +
    r.customers + ' customers.', 'meta'));

  var tiles = el('div', null, 'tiles');
  [
    ['Repeat purchase rate (' + r.repeatPurchaseRate.windowDays + ' d)', pct(r.repeatPurchaseRate.value)],
    ['Returning customer rate (Shopify)', pct(r.returningCustomerRate)],
    ['Average order value', money(r.averageOrderValueMinor)],
    ['Churned, no order > 30 d', pct(r.churn.d30)],
    ['Churned, no order > 60 d', pct(r.churn.d60)],
    ['Churned, no order > 90 d', pct(r.churn.d90)],
    ['Historic CLV (mean)', money(r.historicClv.meanMinor)],
    ['Formula CLV', money(r.formulaClv.valueMinor)],
    ['Windowed CLV (' + r.windowedClv.chosenLookbackDays + ' d)', money(r.charts.windowedClv.valueMinor[r.charts.windowedClv.valueMinor.length - 1])],
    ['MRR (last 30 d)', money(r.mrr.current.mrrMinor)]
  ].forEach(function (t) {
    var tile = el('div', null, 'tile');
    tile.appendChild(el('div', t[0], 'label'));
    tile.appendChild(el('div', t[1], 'value'));
    tiles.appendChild(tile);
  });
  app.appendChild(tiles);
  app.appendChild(el('p', r.returningCustomers.whyItDiffers, 'note'));

  var pctAxis = { values: function (u, vals) { return vals.map(function (v) { return (v * 100).toFixed(0) + '%'; }); } };

  var rr = r.charts.repeatRate;
  new uPlot({
    width: width, height: 260,
    series: [{}, { label: 'Repeat purchase rate', stroke: '#2563eb', width: 2, value: function (u, v) { return pct(v); } }],
    axes: [{}, pctAxis],
    scales: { y: { range: function (u, min, max) { return [0, Math.max(max || 0, 0.05)]; } } }
  }, [secs(rr.weekStartMs), rr.value], section('Weekly repeat purchase rate',
    'Customers with 2+ counted orders in the ' + r.windowDays + ' days ending each week, over customers with 1+.'));

  var ct = r.charts.churnTrend;
  new uPlot({
    width: width, height: 260,
    series: [{},
      { label: 'No order > 30 d', stroke: '#f59e0b', width: 2, value: function (u, v) { return pct(v); } },
      { label: 'No order > 60 d', stroke: '#ef4444', width: 2, value: function (u, v) { return pct(v); } },
      { label: 'No order > 90 d', stroke: '#7c3aed', width: 2, value: function (u, v) { return pct(v); } }],
    axes: [{}, pctAxis],
    scales: { y: { range: [0, 1] } }
  }, [secs(ct.weekStartMs), ct.d30, ct.d60, ct.d90], section('Churn 30/60/90 trend',
    'Share of customers whose last counted order is more than N days before each week end. Alert: ' +
    r.churnDetail.alert.status + '. ' + r.churnDetail.alert.rule));

  var hm = r.charts.cohortHeatmap;
  var heatCard = section('Cohort heatmap', 'Rows: month of first order. Columns: months since. Cell: share of the cohort ordering in that month.');
  var cell = Math.max(14, Math.min(36, Math.floor((width - 90) / Math.max(1, hm.monthsSince.length))));
  var canvas = document.createElement('canvas');
  var labelW = 80, topH = 20;
  canvas.width = labelW + cell * hm.monthsSince.length;
  canvas.height = topH + cell * hm.cohortMonth.length;
  var g = canvas.getContext('2d');
  g.font = '11px system-ui, sans-serif';
  g.textBaseline = 'middle';
  hm.monthsSince.forEach(function (m, j) { g.fillStyle = '#52606d'; g.fillText(String(m), labelW + j * cell + 3, topH / 2); });
  hm.cohortMonth.forEach(function (month, i) {
    g.fillStyle = '#1f2933';
    g.fillText(month, 4, topH + i * cell + cell / 2);
    hm.activeShare[i].forEach(function (v, j) {
      if (v === null) return;
      var light = Math.round(97 - 60 * Math.min(1, Math.sqrt(v)));
      g.fillStyle = 'hsl(217, 80%, ' + light + '%)';
      g.fillRect(labelW + j * cell, topH + i * cell, cell - 1, cell - 1);
      if (cell >= 28) { g.fillStyle = light < 60 ? '#fff' : '#1f2933'; g.fillText((v * 100).toFixed(0), labelW + j * cell + 3, topH + i * cell + cell / 2); }
    });
  });
  canvas.title = 'cohort heatmap';
  heatCard.appendChild(canvas);

  var lc = r.charts.ltvCurves;
  var palette = ['#2563eb', '#16a34a', '#f59e0b', '#ef4444', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4f46e5'];
  var ltvSeries = [{ label: 'Months since first order' }];
  var ltvData = [lc.monthsSince];
  lc.cohortMonth.forEach(function (month, i) {
    ltvSeries.push({ label: month, stroke: palette[i % palette.length], width: 1.5, value: function (u, v) { return money(v === null ? null : v * Math.pow(10, exp)); } });
    ltvData.push(lc.cumulativeRevenuePerCustomerMinor[i].map(major));
  });
  new uPlot({ width: width, height: 320, scales: { x: { time: false } }, series: ltvSeries }, ltvData,
    section('Cumulative LTV curves', 'Cumulative net revenue per cohort customer by months since the first order, one line per monthly cohort.'));

  var sc = section('Scorecard', 'This week vs the ' + r.scorecard.baselineWeeks + '-week baseline and the targets.');
  var table = el('table');
  var head = el('tr');
  ['Metric', 'Current', 'Baseline', 'Change', 'Target', 'Pace / week', 'Status'].forEach(function (h) { head.appendChild(el('th', h)); });
  table.appendChild(head);
  r.scorecard.rows.forEach(function (row) {
    var fmt = row.unit === 'fraction' ? pct : money;
    var tr = el('tr');
    [row.metric, fmt(row.current), fmt(row.baseline), pct(row.changeVsBaseline), row.target === null ? '-' : fmt(row.target),
      row.weeklyPaceNeeded === null ? 'n/a' : row.unit === 'fraction' ? (row.weeklyPaceNeeded * 100).toFixed(2) + ' pt' : money(row.weeklyPaceNeeded),
      row.status].forEach(function (v) { tr.appendChild(el('td', v)); });
    table.appendChild(tr);
  });
  sc.appendChild(table);

  var segCard = section('RFM segments');
  Object.keys(r.rfm.segmentCounts).forEach(function (name) {
    segCard.appendChild(el('div', name + ': ' + r.rfm.segmentCounts[name]));
  });
})();
`;
