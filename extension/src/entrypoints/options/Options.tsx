import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { ExtensionErrorCode, toPlainError, type PlainError } from '../../errors.ts';
import { sendRequest } from '../../messages/client.ts';
import type { BadgeSettings, ResponseMap } from '../../messages/protocol.ts';
import { normalizeAppUrl } from '../../sync/api-client.ts';
import { formatTimeAgo } from '../../utils/format.ts';

type Status = ResponseMap['status.get'];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Asks for the app origin's host permission (optional_host_permissions) unless it is a loopback origin granted at
 * install. Must run inside the Connect click: browsers only show the prompt for a user gesture.
 */
async function ensureHostPermission(appUrl: string): Promise<void> {
  const url = new URL(appUrl);
  if (LOOPBACK_HOSTS.has(url.hostname)) return;
  const origins = [`${url.protocol}//${url.host}/*`];
  if (await browser.permissions.contains({ origins })) return;
  const granted = await browser.permissions.request({ origins });
  if (!granted) {
    throw Object.assign(new Error(), {
      plain: {
        code: ExtensionErrorCode.permissionDenied,
        message: `CLV Lens needs permission to talk to ${url.host} to fetch your shop's data. Press Connect again and allow it.`,
      } satisfies PlainError,
    });
  }
}

const FIELD_LABELS: [keyof BadgeSettings['fields'], string][] = [
  ['churnTier', 'Churn risk tier'],
  ['historicClv', 'Historic CLV'],
  ['orderCount', 'Order count'],
  ['overdue', 'Overdue mark'],
  ['repeat', 'Repeat customer mark'],
];

/** The options page: connect with a pairing code, disconnect, choose badges. */
export function Options() {
  const [status, setStatus] = useState<Status | null>(null);
  const [settings, setSettings] = useState<BadgeSettings | null>(null);
  const [appUrl, setAppUrl] = useState('http://127.0.0.1:3000');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  // The shop whose first sync the message is still announcing ("Fetching customers…").
  const [fetching, setFetching] = useState<string | null>(null);

  const load = async () => {
    try {
      setStatus(await sendRequest({ type: 'status.get' }));
    } catch (e) {
      setMessage({ kind: 'error', text: toPlainError(e).message });
    }
  };

  useEffect(() => {
    void load();
    void sendRequest({ type: 'settings.get' }).then(setSettings, () => undefined);
  }, []);

  // Follow a running sync so the cached count and last-sync time move.
  const syncing = status?.shops.some((s) => s.syncState === 'syncing') ?? false;
  const following = syncing || fetching !== null;
  useEffect(() => {
    if (!following) return;
    const id = setInterval(() => void load(), 500);
    return () => clearInterval(id);
  }, [following]);

  // When the first sync after Connect ends, the message says how it ended instead of "Fetching customers…" forever.
  useEffect(() => {
    if (fetching === null || !status) return;
    const shop = status.shops.find((s) => s.shopDomain === fetching);
    if (!shop) {
      setFetching(null);
      return;
    }
    if (shop.syncState === 'syncing') return;
    if (shop.lastError) {
      setMessage({ kind: 'error', text: `Connected to ${shop.shopDomain}, but the first sync failed: ${shop.lastError.message}` });
      setFetching(null);
    } else if (shop.lastSyncAtMs !== null) {
      setMessage({
        kind: 'ok',
        text: `Connected to ${shop.shopDomain}. ${shop.cachedCustomers.toLocaleString()} customers cached; badges stay up to date while you browse.`,
      });
      setFetching(null);
    }
  }, [fetching, status]);

  const connect = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    let connected: string | null = null;
    try {
      const url = normalizeAppUrl(appUrl);
      await ensureHostPermission(url);
      const r = await sendRequest({ type: 'connect', appUrl: url, code });
      setCode('');
      setMessage({ kind: 'ok', text: `Connected to ${r.shopDomain}. Fetching customers…` });
      connected = r.shopDomain;
    } catch (err) {
      const plain = (err as { plain?: PlainError }).plain ?? toPlainError(err);
      setMessage({ kind: 'error', text: plain.message });
    } finally {
      setBusy(false);
      await load();
    }
    // Only now: judged against a status from before the connect, the new shop would look gone.
    if (connected !== null) setFetching(connected);
  };

  const disconnect = async (shopDomain: string) => {
    setBusy(true);
    try {
      const r = await sendRequest({ type: 'disconnect', shopDomain });
      setMessage({
        kind: 'ok',
        text:
          `Disconnected ${shopDomain} and cleared its cached data.` +
          (r.unpairError ? ` The app could not be told (${r.unpairError.message}); revoke the token on its dashboard.` : ''),
      });
    } catch (err) {
      setMessage({ kind: 'error', text: toPlainError(err).message });
    } finally {
      setBusy(false);
      await load();
    }
  };

  const saveSettings = async (next: BadgeSettings) => {
    setSettings(next);
    try {
      setSettings(await sendRequest({ type: 'settings.set', settings: next }));
    } catch (err) {
      setMessage({ kind: 'error', text: toPlainError(err).message });
    }
  };

  return (
    <main class="options">
      <h1>CLV Lens</h1>
      {message && (
        <p class={message.kind} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="message">
          {message.text}
        </p>
      )}
      <h2>Connected shops</h2>
      {status && status.shops.length === 0 && <p class="muted" data-testid="no-shops">No shop connected yet.</p>}
      <ul class="shops">
        {status?.shops.map((s) => (
          <li key={s.shopDomain} data-testid="shop" data-shop={s.shopDomain}>
            <strong>{s.shopDomain}</strong> via {s.appUrl} ·{' '}
            <span data-testid="shop-cached">{s.cachedCustomers.toLocaleString()}</span> customers cached ·{' '}
            <span data-testid="shop-sync">
              {s.syncState === 'syncing'
                ? 'syncing…'
                : s.lastSyncAtMs === null
                  ? 'not synced yet'
                  : `synced ${formatTimeAgo(s.lastSyncAtMs, Date.now())}`}
            </span>
            {s.lastError && <span class="error"> {s.lastError.message}</span>}{' '}
            <button type="button" onClick={() => void disconnect(s.shopDomain)} disabled={busy} data-testid="disconnect">
              Disconnect
            </button>
          </li>
        ))}
      </ul>
      {status?.notices.map((n) => (
        <p class="notice" key={n.id}>
          {n.message}
        </p>
      ))}
      <form onSubmit={(e) => void connect(e)}>
        <fieldset>
          <legend>Connect a shop</legend>
          <label>
            App URL
            <input type="url" name="appUrl" required value={appUrl} onInput={(e) => setAppUrl((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Pairing code (from the CLV Lens dashboard in your Shopify admin)
            <input
              type="text"
              name="code"
              required
              autocomplete="off"
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="primary" disabled={busy} data-testid="connect">
            Connect
          </button>
        </fieldset>
      </form>
      {settings && (
        <fieldset data-testid="badge-settings">
          <legend>What to show</legend>
          <label>
            <input
              type="checkbox"
              name="showListBadges"
              checked={settings.showListBadges}
              onChange={(e) => void saveSettings({ ...settings, showListBadges: (e.target as HTMLInputElement).checked })}
            />{' '}
            Badges next to customers on list pages
          </label>
          <label>
            <input
              type="checkbox"
              name="showDetailCard"
              checked={settings.showDetailCard}
              onChange={(e) => void saveSettings({ ...settings, showDetailCard: (e.target as HTMLInputElement).checked })}
            />{' '}
            Card on customer and order pages
          </label>
          {FIELD_LABELS.map(([field, label]) => (
            <label key={field}>
              <input
                type="checkbox"
                name={field}
                checked={settings.fields[field]}
                onChange={(e) =>
                  void saveSettings({ ...settings, fields: { ...settings.fields, [field]: (e.target as HTMLInputElement).checked } })
                }
              />{' '}
              {label} in badges
            </label>
          ))}
        </fieldset>
      )}
    </main>
  );
}
