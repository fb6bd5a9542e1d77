import { createTranslator, directionOf, type Locale } from '@clvlens/core/i18n';
import { DASHBOARD_CSS } from './styles.ts';

const escapeAttribute = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Paths of the dashboard's static assets (the Vite build, served by {@link createDashboardAssets}). */
export const DASHBOARD_ASSET_PATHS = {
  /** The client bundle (client.ts with the catalog, the shared charts and uPlot), an ES module. */
  script: '/app/assets/dashboard.js',
  /** Its stylesheet: uPlot's and the charts' legend. */
  css: '/app/assets/dashboard.css',
} as const;

/** Where the merchant's store admin lives (every store's admin is under it). */
export const SHOPIFY_ADMIN_URL = 'https://admin.shopify.com/';

/** A small page of words and one link, for the addresses a person may open outside the admin. */
function humanPage(locale: Locale, title: string, body: string, link: { href: string; text: string } | null): string {
  const t = createTranslator(locale);
  return `<!doctype html><html lang="${locale}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeAttribute(title)}</title>
<style>${DASHBOARD_CSS}</style></head>
<body><main class="page page--narrow"><h1>${escapeAttribute(title)}</h1><section class="card" id="where-to-go"><p>${escapeAttribute(body)}</p>${
    link ? `<p><a class="button-link" href="${escapeAttribute(link.href)}">${escapeAttribute(link.text)}</a></p>` : ''
  }</section></main>
</body></html>`;
}

/** The app's root URL (`/`): what CLV Lens is, and a link to the Shopify admin where it runs. */
export function renderRootPage(locale: Locale): string {
  const t = createTranslator(locale);
  return humanPage(locale, t.t('dash.root.title'), t.t('dash.root.body'), { href: SHOPIFY_ADMIN_URL, text: t.t('dash.outside.link') });
}

/** `/pair?code=...`, the pairing link opened in a browser: where to paste it instead. */
export function renderPairLinkPage(locale: Locale): string {
  const t = createTranslator(locale);
  return humanPage(locale, t.t('dash.pairLink.title'), t.t('dash.pairLink.body'), null);
}

/**
 * The embedded dashboard's HTML shell, in `locale` (`lang` and `dir` on the root; Arabic right to left). It carries no
 * shop data at all: the client bundle (`/app/assets/dashboard.js`, built by Vite) reads
 * `/app/api/*` with App Bridge session tokens and builds every element with textContent. Opened outside Shopify
 * (`shop` null) it says where to open it instead, with a link.
 */
export function renderDashboardPage(input: { apiKey: string; shop: string | null; locale?: Locale }): string {
  const locale = input.locale ?? 'en';
  const t = createTranslator(locale);
  if (input.shop === null)
    return humanPage(locale, t.t('dash.outside.title'), t.t('dash.outside.body'), { href: SHOPIFY_ADMIN_URL, text: t.t('dash.outside.link') });
  return `<!doctype html><html lang="${locale}" dir="${directionOf(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CLV Lens</title>
<meta name="shopify-api-key" content="${escapeAttribute(input.apiKey)}">
<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>
<link rel="stylesheet" href="${DASHBOARD_ASSET_PATHS.css}">
<style>${DASHBOARD_CSS}</style>
<script type="module" src="${DASHBOARD_ASSET_PATHS.script}"></script>
</head><body>
<main class="page" id="clvlens-dashboard" aria-busy="true"><h1>CLV Lens</h1><p class="muted" id="dashboard-loading">${escapeAttribute(t.t('dash.loading'))}</p></main>
<noscript><p>${escapeAttribute(t.t('dash.noscript'))}</p></noscript>
</body></html>`;
}
