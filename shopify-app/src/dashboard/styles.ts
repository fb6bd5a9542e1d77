/**
 * Dashboard styles, close to Polaris (Shopify admin): #f1f1f1 page, white 12px-radius cards, #303030 text, the
 * system font stack, 13px body, 4px spacing scale. Status colours always come with a word or symbol.
 */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --text: #303030; --muted: #616161; --border: #e3e3e3; --focus: #005bd3; }
* { box-sizing: border-box; }
body { margin: 0; background: #f1f1f1; color: var(--text);
  font: 13px/20px -apple-system, BlinkMacSystemFont, 'San Francisco', 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif; }
.page { max-width: 1200px; margin: 0 auto; padding: 20px 24px 40px; }
.page--narrow { max-width: 640px; }
h1 { font-size: 20px; line-height: 24px; font-weight: 650; margin: 4px 0 4px; }
h2 { font-size: 14px; line-height: 20px; font-weight: 650; margin: 0 0 8px; }
h3 { font-size: 13px; font-weight: 650; margin: 12px 0 4px; }
p { margin: 0 0 8px; }
.muted { color: var(--muted); }
.header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 8px; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; align-items: start; }
.card { background: #fff; border-radius: 12px; padding: 16px; box-shadow: 0 1px 0 rgba(26,26,26,.07), 0 0 0 1px rgba(26,26,26,.07); min-width: 0; }
.card--wide { grid-column: 1 / -1; }
.card p:last-child { margin-bottom: 0; }
.why { margin-top: 12px; padding: 8px 12px; background: #f7f7f7; border-radius: 8px; color: var(--muted); font-size: 12px; line-height: 16px; }
.why strong { color: var(--text); font-weight: 600; }
.kpis { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 4px 0 12px; }
.kpi { min-width: 120px; }
td.why-cell { white-space: normal; min-width: 14em; }
.vip-table thead th { white-space: normal; }
.reasons { margin: 0; padding-inline-start: 16px; }
.kpi .label { color: var(--muted); display: block; }
.kpi .value { font-size: 20px; line-height: 28px; font-weight: 650; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: start; color: var(--muted); padding-bottom: 4px; caption-side: top; }
th, td { padding: 6px 8px; border-bottom: 1px solid #ebebeb; text-align: start; white-space: nowrap; }
thead th { font-weight: 550; color: var(--muted); background: #f7f7f7; }
th[scope="row"] { font-weight: 550; }
.num { text-align: end; }
.pill { display: inline-block; border-radius: 8px; padding: 0 8px; font-size: 12px; font-weight: 550; background: #e3e3e3; white-space: nowrap; }
.pill[data-tone="success"] { background: #cdfee1; color: #0c5132; }
.pill[data-tone="attention"] { background: #ffef9d; color: #4f4700; }
.pill[data-tone="critical"] { background: #fedad9; color: #8e1f0b; }
.pill[data-tone="info"] { background: #eaf4ff; color: #00527c; }
.banner { border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; background: #eaf4ff; color: #00527c; }
.banner[data-tone="critical"] { background: #fedad9; color: #8e1f0b; }
.banner[data-tone="success"] { background: #cdfee1; color: #0c5132; }
.banner[data-tone="attention"] { background: #fff1c2; color: #4f4700; }
progress { -webkit-appearance: none; appearance: none; display: block; margin: 4px 0 12px; width: 100%; height: 8px; border: 0; border-radius: 4px; background: #e3e3e3; overflow: hidden; }
progress::-webkit-progress-bar { background: #e3e3e3; border-radius: 4px; }
progress::-webkit-progress-value { background: #303030; border-radius: 4px; }
progress::-moz-progress-bar { background: #303030; border-radius: 4px; }
.chart { width: 100%; min-height: 240px; }
.heat td { text-align: end; min-width: 44px; }
/* The running month: striped over its colour, with the words "so far", so a low share does not read as a collapse. */
.heat td[data-partial] { background-image: repeating-linear-gradient(135deg, rgba(255,255,255,.75) 0 4px, transparent 4px 8px); font-style: italic; }
.heat .partial-mark { font-size: 11px; }
.heat td[data-empty] { background: #fafafa; color: #b5b5b5; }
button { font: inherit; font-weight: 550; color: #fff; background: #303030; border: 0; border-radius: 8px; padding: 6px 12px; cursor: pointer; }
button:hover { background: #1a1a1a; }
button.secondary { color: var(--text); background: #e3e3e3; }
button.secondary:hover { background: #d4d4d4; }
.copy-row { display: flex; gap: 8px; margin: 4px 0 8px; }
.copy-row input { flex: 1; min-width: 0; font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 6px 8px; border: 1px solid var(--border); border-radius: 8px; }
a.button-link { display: inline-block; color: #fff; background: #303030; border-radius: 8px; padding: 6px 12px; font-weight: 550; }
a.button-link:hover { background: #1a1a1a; text-decoration: none; }
/* Arabic: the admin font stack lacks Arabic glyph metrics that read well at 13px. */
:lang(ar) body, body:lang(ar) { font-family: -apple-system, 'Segoe UI', Tahoma, 'Noto Sans Arabic', 'Geeza Pro', sans-serif; font-size: 14px; line-height: 22px; }
a { color: var(--focus); text-decoration: none; }
a:hover { text-decoration: underline; }
a:focus-visible, button:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
.code { font: 600 24px/32px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; letter-spacing: .08em; }
.code:empty { display: none; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.kpi .kpi-note { display: block; font-size: 12px; max-width: 30ch; }
.upload-forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px 24px; margin-top: 12px; }
.upload-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 4px; }
.row-errors { margin: 4px 0; padding-inline-start: 20px; font-size: 13px; }
@media (max-width: 600px) { .page { padding: 12px; } .grid { grid-template-columns: 1fr; } }
`;
