import type { Translator } from '@clvlens/core/i18n/base';
import { errorText, noticeText } from '../../i18n/error-text.ts';
import type { ResponseMap } from '../../messages/protocol.ts';
import { formatTimeAgo } from '../../utils/format.ts';

/** The connected shops, each with its cached count, last sync or error and a Disconnect button, then the notices. */
export function ShopList(props: { t: Translator; status: ResponseMap['status.get'] | null; busy: boolean; disconnect(shopDomain: string): void }) {
  const { t, status } = props;
  return (
    <>
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
            <button type="button" onClick={() => props.disconnect(s.shopDomain)} disabled={props.busy} data-testid="disconnect">
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
    </>
  );
}
