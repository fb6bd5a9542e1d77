import { DASHBOARD_CSS } from './styles.ts';

const escapeAttribute = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Paths of the dashboard's static assets (served by {@link createDashboardAssets}). */
export const DASHBOARD_ASSET_PATHS = {
  script: '/app/assets/dashboard.js',
  uplotScript: '/app/assets/uplot.iife.min.js',
  uplotCss: '/app/assets/uplot.min.css',
} as const;

/**
 * The embedded dashboard's HTML shell. It carries no shop data at all: the client script
 * (`/app/assets/dashboard.js`) reads `/app/api/*` with App Bridge session tokens and builds every element with
 * textContent. Opened outside Shopify (`shop` null) it explains where to open it instead.
 */
export function renderDashboardPage(input: { apiKey: string; shop: string | null }): string {
  if (input.shop === null) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>CLV Lens</title>
<style>${DASHBOARD_CSS}</style></head>
<body><main class="page page--narrow"><h1>CLV Lens</h1><section class="card"><p>This page runs inside the Shopify admin. Open <strong>Apps → CLV Lens</strong> in your store's admin.</p></section></main>
</body></html>`;
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CLV Lens</title>
<meta name="shopify-api-key" content="${escapeAttribute(input.apiKey)}">
<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>
<link rel="stylesheet" href="${DASHBOARD_ASSET_PATHS.uplotCss}">
<style>${DASHBOARD_CSS}</style>
<script src="${DASHBOARD_ASSET_PATHS.uplotScript}" defer></script>
<script type="module" src="${DASHBOARD_ASSET_PATHS.script}"></script>
</head><body>
<main class="page" id="clvlens-dashboard" aria-busy="true"><h1>CLV Lens</h1><p class="muted" id="dashboard-loading">Loading the dashboard…</p></main>
<noscript><p>The CLV Lens dashboard needs JavaScript.</p></noscript>
</body></html>`;
}
