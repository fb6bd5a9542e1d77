import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { ExtensionError, ExtensionErrorCode, toPlainError } from '../../errors.ts';
import { errorText } from '../../i18n/error-text.ts';
import type { Translator } from '@clvlens/core/i18n/base';
import { sendRequest } from '../../messages/client.ts';
import { LOOPBACK_HOSTS, normalizeAppUrl } from '../../sync/api-client.ts';
import { parsePairingLink } from '../../sync/pairing-link.ts';
import type { PageMessage } from './page-message.ts';

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

/**
 * The form that connects a shop: the dashboard's pairing link, or the app address and code apart. Tells the page
 * how it went (`say`) and which shop's first sync to follow (`connected`), after the page has reloaded its status.
 */
export function ConnectForm(props: {
  t: Translator;
  busy: boolean;
  setBusy(busy: boolean): void;
  say(message: PageMessage | null): void;
  reload(): Promise<void>;
  connected(shopDomain: string): void;
}) {
  const { t } = props;
  // No pre-filled address: the app is wherever the merchant installed it; the dashboard's link carries it.
  const [pairLink, setPairLink] = useState('');
  const [appUrl, setAppUrl] = useState('');
  const [code, setCode] = useState('');

  const connect = async (e: Event) => {
    e.preventDefault();
    props.setBusy(true);
    props.say(null);
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
      props.say({ kind: 'ok', text: t.t('ext.options.connectedFetching', { shop: r.shopDomain }) });
      connected = r.shopDomain;
    } catch (err) {
      // The form's own messages are already in the UI language; everything else reads by its code.
      props.say({ kind: 'error', text: (err as { text?: string }).text ?? errorText(t, toPlainError(err)) });
    } finally {
      props.setBusy(false);
      await props.reload();
    }
    // Only now: judged against a status from before the connect, the new shop would look gone.
    if (connected !== null) props.connected(connected);
  };

  return (
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
        <button type="submit" class="primary" disabled={props.busy} data-testid="connect">
          {t.t('ext.options.connect')}
        </button>
      </fieldset>
    </form>
  );
}
