import { useEffect, useState } from 'preact/hooks';
import { toPlainError } from '../../errors.ts';
import { errorText } from '../../i18n/error-text.ts';
import '../../i18n/page-messages.ts';
import { ui } from '../../i18n/ui-locale.ts';
import { sendRequest } from '../../messages/client.ts';
import type { BadgeSettings, ResponseMap } from '../../messages/protocol.ts';
import { BadgeSettingsForm } from './BadgeSettingsForm.tsx';
import { ConnectForm } from './ConnectForm.tsx';
import type { PageMessage } from './page-message.ts';
import { ShopList } from './ShopList.tsx';

type Status = ResponseMap['status.get'];

/**
 * The options page: the connected shops (ShopList.tsx), the pairing form (ConnectForm.tsx) and what badges show
 * (BadgeSettingsForm.tsx). It holds what they share: the status from the background, the message line, the busy
 * state, and the first sync after a connect, which it follows until it ends.
 */
export function Options() {
  const [status, setStatus] = useState<Status | null>(null);
  const [settings, setSettings] = useState<BadgeSettings | null>(null);
  const t = ui();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<PageMessage | null>(null);
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
      <ShopList t={t} status={status} busy={busy} disconnect={(shop) => void disconnect(shop)} />
      <ConnectForm t={t} busy={busy} setBusy={setBusy} say={setMessage} reload={load} connected={setFetching} />
      {settings && <BadgeSettingsForm t={t} settings={settings} save={(next) => void saveSettings(next)} />}
    </main>
  );
}
