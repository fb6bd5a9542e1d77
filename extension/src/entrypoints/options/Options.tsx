import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { ExtensionError, ExtensionErrorCode, toPlainError } from '../../errors.ts';
import { errorText, noticeText } from '../../i18n/error-text.ts';
import { sendRequest } from '../../messages/client.ts';
import type { BadgeSettings, ResponseMap } from '../../messages/protocol.ts';
import { normalizeAppUrl } from '../../sync/api-client.ts';
import { formatTimeAgo } from '../../utils/format.ts';
import { ui } from '../../i18n/ui-locale.ts';
import { parsePairingLink } from '../../sync/pairing-link.ts';

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
    throw new ExtensionError(ExtensionErrorCode.permissionDenied, `Permission to reach ${url.host} was declined.`, { params: { host: url.host } });
  }
}

const FIELDS: (keyof BadgeSettings['fields'])[] = ['churnTier', 'predictedClv', 'historicClv', 'orderCount', 'overdue', 'repeat'];

/** The options page: connect with a pairing code, disconnect, choose badges. */
export function Options() {
  const [status, setStatus] = useState<Status | null>(null);
  const [settings, setSettings] = useState<BadgeSettings | null>(null);
  const t = ui();
  // No pre-filled address: the app is wherever the merchant installed it; the dashboard's link carries it.
  const [pairLink, setPairLink] = useState('');
  const [appUrl, setAppUrl] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  // The shop whose first sync the message is still announcing ("Fetching customers…").
  const [fetching, setFetching] = useState<string | null>(null);

  const load = async () => {
    try {
      setStatus(await sendRequest({ type: 'status.get' }));
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(t, toPlainError(e)) });
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
      setMessage({ kind: 'error', text: t.t('ext.options.firstSyncFailed', { shop: shop.shopDomain, message: errorText(t, shop.lastError) }) });
      setFetching(null);
    } else if (shop.lastSyncAtMs !== null) {
      setMessage({
        kind: 'ok',
        text: t.t('ext.options.connectedDone', { shop: shop.shopDomain, n: shop.cachedCustomers }),
      });
      setFetching(null);
    }
  }, [fetching, status]);

  const connect = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    let connected: string | null = null;
    // Read the fields as submitted (a paste followed at once by Enter may not have re-rendered yet).
    const form = e.currentTarget as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    const pairLink = field('pairLink');
    const appUrl = field('appUrl');
    const code = field('code');
    try {
      let target: { appUrl: string; code: string };
      if (pairLink.trim() !== '') {
        const parsed = parsePairingLink(pairLink);
        if (!parsed) throw Object.assign(new Error(), { text: t.t('ext.options.badLink') });
        target = parsed;
      } else if (appUrl.trim() !== '' && code.trim() !== '') {
        // A pasted link in the address field works too.
        target = parsePairingLink(appUrl) ?? { appUrl, code };
      } else {
        throw Object.assign(new Error(), { text: t.t('ext.options.needBoth') });
      }
      const url = normalizeAppUrl(target.appUrl);
      await ensureHostPermission(url);
      const r = await sendRequest({ type: 'connect', appUrl: url, code: target.code });
      setCode('');
      setPairLink('');
      setMessage({ kind: 'ok', text: t.t('ext.options.connectedFetching', { shop: r.shopDomain }) });
      connected = r.shopDomain;
    } catch (err) {
      // The form's own messages are already in the UI language; everything else reads by its code.
      setMessage({ kind: 'error', text: (err as { text?: string }).text ?? errorText(t, toPlainError(err)) });
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
        text: r.unpairError
          ? t.t('ext.options.unpairFailed', { shop: shopDomain, message: errorText(t, r.unpairError) })
          : t.t('ext.options.disconnected', { shop: shopDomain }),
      });
    } catch (err) {
      setMessage({ kind: 'error', text: errorText(t, toPlainError(err)) });
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
      setMessage({ kind: 'error', text: errorText(t, toPlainError(err)) });
    }
  };

  return (
    <main class="options" lang={t.locale} dir={t.dir}>
      <h1>CLV Lens</h1>
      {message && (
        <p class={message.kind} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="message">
          {message.text}
        </p>
      )}
      <h2>{t.t('ext.options.connected')}</h2>
      {status && status.shops.length === 0 && (
        <p class="muted" data-testid="no-shops">
          {t.t('ext.options.noShops')}
        </p>
      )}
      <ul class="shops">
        {status?.shops.map((s) => (
          <li key={s.shopDomain} data-testid="shop" data-shop={s.shopDomain}>
            {t.t('ext.options.shopLine', { shop: s.shopDomain, url: s.appUrl, n: s.cachedCustomers })}
            <span data-testid="shop-cached" hidden>
              {t.number(s.cachedCustomers)}
            </span>{' '}
            ·{' '}
            <span data-testid="shop-sync">
              {s.syncState === 'syncing'
                ? t.t('ext.options.syncingShort')
                : s.lastSyncAtMs === null
                  ? t.t('ext.options.notSynced')
                  : t.t('ext.options.synced', { when: formatTimeAgo(t, s.lastSyncAtMs, Date.now()) })}
            </span>
            {s.lastError && (
              <span class="error" data-testid="shop-error">
                {' '}
                {errorText(t, s.lastError)}
              </span>
            )}{' '}
            <button type="button" onClick={() => void disconnect(s.shopDomain)} disabled={busy} data-testid="disconnect">
              {t.t('ext.options.disconnect')}
            </button>
          </li>
        ))}
      </ul>
      {status?.notices.map((n) => (
        <p class="notice" key={n.id}>
          {noticeText(t, n)}
        </p>
      ))}
      <form onSubmit={(e) => void connect(e)}>
        <fieldset>
          <legend>{t.t('ext.options.connectTitle')}</legend>
          <label>
            {t.t('ext.options.pairLink')}
            <input
              type="url"
              name="pairLink"
              dir="ltr"
              autocomplete="off"
              placeholder="https://…/pair?code=…"
              value={pairLink}
              onInput={(e) => setPairLink((e.target as HTMLInputElement).value)}
            />
          </label>
          <p class="muted note">{t.t('ext.options.pairLinkHint')}</p>
          <div class="separate" data-testid="separate-fields">
            <p class="muted">{t.t('ext.options.orSeparate')}</p>
            <label>
              {t.t('ext.options.appUrl')}
              <input type="url" name="appUrl" dir="ltr" value={appUrl} onInput={(e) => setAppUrl((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              {t.t('ext.options.code')}
              <input type="text" name="code" dir="ltr" autocomplete="off" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
            </label>
          </div>
          <button type="submit" class="primary" disabled={busy} data-testid="connect">
            {t.t('ext.options.connect')}
          </button>
        </fieldset>
      </form>
      {settings && (
        <fieldset data-testid="badge-settings">
          <legend>{t.t('ext.options.whatToShow')}</legend>
          <label>
            <input
              type="checkbox"
              name="showListBadges"
              checked={settings.showListBadges}
              onChange={(e) => void saveSettings({ ...settings, showListBadges: (e.target as HTMLInputElement).checked })}
            />{' '}
            {t.t('ext.options.showListBadges')}
          </label>
          <label>
            <input
              type="checkbox"
              name="showDetailCard"
              checked={settings.showDetailCard}
              onChange={(e) => void saveSettings({ ...settings, showDetailCard: (e.target as HTMLInputElement).checked })}
            />{' '}
            {t.t('ext.options.showDetailCard')}
          </label>
          {FIELDS.map((field) => (
            <label key={field}>
              <input
                type="checkbox"
                name={field}
                checked={settings.fields[field]}
                onChange={(e) => void saveSettings({ ...settings, fields: { ...settings.fields, [field]: (e.target as HTMLInputElement).checked } })}
              />{' '}
              {t.t(`ext.options.field.${field}`)}
            </label>
          ))}
        </fieldset>
      )}
    </main>
  );
}
