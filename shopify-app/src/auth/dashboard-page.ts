const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/**
 * The embedded app page: sync status and the extension pairing code. It loads App Bridge (which supplies session
 * tokens) and reads `/app/api/*` with them; data is written with textContent only. Opened outside Shopify
 * (`shop` null) it explains where to open it instead.
 */
export function renderDashboardPage(input: { apiKey: string; shop: string | null }): string {
  if (input.shop === null) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CLV Lens</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>CLV Lens</h1><p>This page runs inside the Shopify admin. Open <strong>Apps → CLV Lens</strong> in your store's admin.</p>
</body></html>`;
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CLV Lens</title>
<meta name="shopify-api-key" content="${escapeHtml(input.apiKey)}">
<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#303030}section{background:#fff;border:1px solid #e3e3e3;border-radius:12px;padding:1rem;margin-bottom:1rem}code{font-size:1.5rem}</style>
</head><body>
<h1>CLV Lens for ${escapeHtml(input.shop)}</h1>
<section><h2>Sync</h2><p id="sync">Loading…</p><progress id="progress" max="1" value="0"></progress></section>
<section><h2>Browser extension</h2><p>Pairing code (valid 10 minutes, once): <code id="code">-</code></p>
<button id="pair" type="button">Show a pairing code</button></section>
<script type="module">
const api = async (path, init = {}) => {
  const token = await window.shopify.idToken();
  const res = await fetch(path, { ...init, headers: { authorization: 'Bearer ' + token } });
  if (!res.ok) throw new Error((await res.json()).error.message);
  return res.json();
};
const refresh = async () => {
  const s = await api('/app/api/summary');
  const est = s.sync.ordersEstimated;
  document.getElementById('sync').textContent = s.sync.state + ': ' + s.sync.ordersDone + (est ? ' of ' + est : '') + ' orders' + (s.sync.message ? ' (' + s.sync.message + ')' : '');
  const bar = document.getElementById('progress');
  bar.max = est || 1; bar.value = est ? s.sync.ordersDone : (s.sync.state === 'live' ? 1 : 0);
};
document.getElementById('pair').addEventListener('click', async () => {
  const { code } = await api('/app/api/pairing-code', { method: 'POST' });
  document.getElementById('code').textContent = code;
});
refresh(); setInterval(refresh, 3000);
</script></body></html>`;
}
