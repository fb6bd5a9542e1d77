import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { ChurnTrendChart } from '../../components/ChurnTrendChart.tsx';
import type { ShopStatus } from '../../messages/protocol.ts';
import { errorText, noticeText } from '../../i18n/error-text.ts';
import { sendRequest } from '../../messages/client.ts';
import type { ResponseMap } from '../../messages/protocol.ts';
import { customerAdminUrl } from '../../utils/admin-urls.ts';
import { describeChurnChance, formatTimeAgo } from '../../utils/format.ts';
import '../../i18n/page-messages.ts';
import { ui } from '../../i18n/ui-locale.ts';
import type { ChurnBacktestSummaryV1, ShopSummaryV1 } from '@clvlens/core';
import type { PlainError } from '../../errors.ts';
import { toPlainError } from '../../errors.ts';

type Status = ResponseMap['status.get'];

/**
 * "How right we were", in two sentences: who ordered again per tier on the shop's own past, and the ranking quality
 * against sorting by days since the last order; a third when a large shop was checked on a sample of its customers.
 */
export function describeBacktest(bt: ChurnBacktestSummaryV1): string[] {
  const t = ui();
  const again = (tier: 'low' | 'high') => bt.tiers.find((x) => x.tier === tier);
  const high = again('high');
  const low = again('low');
  const lines: string[] = [];
  if (high && low) {
    lines.push(t.t('ext.popup.backtestTiers', { high: t.percent(high.orderedAgainShare, 0), low: t.percent(low.orderedAgainShare, 0), days: bt.horizonDays }));
  }
  if (bt.auc !== null && bt.daysSinceLastOrderAuc !== null) {
    lines.push(t.t('ext.popup.backtestAuc', { auc: t.number(bt.auc, 2), baseline: t.number(bt.daysSinceLastOrderAuc, 2) }));
  }
  if (bt.sample) lines.push(t.t('ext.popup.backtestSample', { customers: bt.sample.customers, ofCustomers: bt.sample.ofCustomers }));
  return lines;
}

/**
 * What the app says while it has computed nothing for the shop yet (`metricsPending`): its zeros are placeholders, so
 * the popup names the step the shop is at instead (importing the history, with its progress; retrying it; scoring the
 * customers for the first time).
 */
export function describePending(sync: ShopSummaryV1['sync']): string {
  const t = ui();
  if (sync.state === 'live') return t.t('ext.popup.pending.scoring');
  if (sync.state === 'error') return t.t('ext.popup.pending.retrying');
  const progress =
    sync.ordersEstimated !== null && sync.ordersEstimated > 0
      ? t.t('dash.sync.ordersOf', { done: t.number(sync.ordersDone), estimated: sync.ordersEstimated })
      : t.t('dash.sync.orders', { done: sync.ordersDone });
  return t.t('ext.popup.pending.importing', { progress });
}

/**
 * Display names of the at-risk customers, read live through the background and the app when the popup opens and held
 * in this component's state only: never written to storage. Until they arrive (or without them) the list shows
 * "Customer <id>".
 */
function useCustomerNames(storeHandle: string, ids: readonly string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = ids.join(',');
  useEffect(() => {
    if (ids.length === 0) return;
    let live = true;
    sendRequest({ type: 'customers.names', storeHandle, customerIds: [...ids] }).then(
      (r) => live && setNames(r?.names ?? {}),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [storeHandle, key]);
  return names;
}

function ShopView({ shop, onSync, syncing }: { shop: ShopStatus; onSync: () => void; syncing: boolean }) {
  const t = ui();
  const s = shop.summary;
  const now = Date.now();
  const atRisk = s ? s.topAtRisk.slice(0, 5) : [];
  const names = useCustomerNames(
    shop.storeHandle,
    atRisk.map((c) => c.customerId),
  );
  return (
    <div class="shop" data-shop={shop.shopDomain}>
      <p class="connection" data-testid="connection">
        <span class={`status-dot ${shop.syncState}`} aria-hidden="true" />
        {shop.syncState === 'error'
          ? t.t('ext.popup.syncProblem')
          : shop.syncState === 'syncing'
            ? t.t('ext.popup.syncing')
            : t.t('ext.popup.connected')} · <strong dir="ltr">{shop.shopDomain}</strong>
      </p>
      {shop.lastError && (
        <p class="error" role="alert" data-testid="shop-error">
          {errorText(t, shop.lastError)}
        </p>
      )}
      <p class="muted" data-testid="last-sync">
        {t.t('ext.popup.lastSync', {
          when: shop.lastSyncAtMs === null ? t.t('ext.popup.never') : formatTimeAgo(t, shop.lastSyncAtMs, now),
          n: shop.cachedCustomers,
        })}
      </p>
      {s?.metricsPending ? (
        <p class="muted" data-testid="metrics-pending">
          {describePending(s.sync)}
        </p>
      ) : s ? (
        <>
          <dl class="kpis">
            <div>
              <dt>{t.t('ext.popup.repeatRate', { days: s.repeatPurchaseRate.windowDays })}</dt>
              <dd data-testid="repeat-rate">{t.percent(s.repeatPurchaseRate.value, 1)}</dd>
            </div>
            <div>
              <dt>{t.t('ext.popup.historicClvMean')}</dt>
              <dd data-testid="average-clv">{t.money(s.averageClvMinor, s.currency)}</dd>
            </div>
            {s.averagePredictedClvMinor !== null && (
              <div>
                <dt>{t.t('ext.popup.predictedClvMean')}</dt>
                <dd data-testid="average-predicted-clv">{t.money(s.averagePredictedClvMinor, s.currency)}</dd>
              </div>
            )}
            <div>
              <dt>{t.t('ext.popup.churn')}</dt>
              <dd data-testid="churn">
                {t.percent(s.churn.d30, 0)} / {t.percent(s.churn.d60, 0)} / {t.percent(s.churn.d90, 0)}
              </dd>
            </div>
          </dl>
          <ChurnTrendChart trend={s.churnTrend} />
          {s.churnBacktest && (
            <div class="backtest" data-testid="backtest">
              <h2>{t.t('ext.popup.backtestTitle')}</h2>
              {describeBacktest(s.churnBacktest).map((line, i) => (
                <p class="muted" key={i}>
                  {line}
                </p>
              ))}
            </div>
          )}
          {s.vipSlipping && (
            <p class={`vip-slipping${s.vipSlipping.thisWeek > 0 ? ' vip-slipping--some' : ''}`} data-testid="vip-slipping">
              {t.t('ext.popup.vipSlipping', { n: s.vipSlipping.thisWeek })}
            </p>
          )}
          <h2>{t.t('ext.popup.atRiskTitle')}</h2>
          {atRisk.length === 0 ? (
            <p class="muted">{t.t('ext.popup.atRiskNone')}</p>
          ) : (
            <ol class="at-risk" data-testid="at-risk">
              {atRisk.map((c) => (
                <li key={c.customerId} data-customer-id={c.customerId}>
                  <a href={customerAdminUrl(shop.storeHandle, c.customerId)} target="_blank" rel="noreferrer" data-testid="at-risk-name">
                    {names[c.customerId] ?? t.t('dash.atRisk.unnamed', { id: c.customerId })}
                  </a>{' '}
                  <span class={`tier-text tier-${c.churnTier}`}>
                    {t.t('ext.popup.atRiskItem', {
                      tier: t.t(`tier.${c.churnTier}`),
                      clv: t.money(c.historicClvMinor, s.currency),
                      chance: describeChurnChance(t, c.churnProbability, s.churnHorizonDays),
                    })}
                  </span>
                  {c.daysSinceLastOrder !== null && <span class="muted"> · {t.t('ext.popup.atRiskDays', { days: c.daysSinceLastOrder })}</span>}
                </li>
              ))}
            </ol>
          )}
          {atRisk.length > 0 && <p class="note muted">{t.t('dash.atRisk.namesNote')}</p>}
        </>
      ) : (
        <p class="muted">{t.t('ext.popup.noSummary')}</p>
      )}
      <button type="button" onClick={onSync} disabled={syncing} data-testid="sync-now">
        {syncing ? t.t('ext.popup.syncing') : t.t('ext.popup.syncNow')}
      </button>
    </div>
  );
}

/** The toolbar popup: the shop's retention at a glance. */
export function Popup() {
  const t = ui();
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<PlainError | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [syncing, setSyncing] = useState(false);

  const load = () =>
    sendRequest({ type: 'status.get' }).then(
      (s) => {
        setStatus(s);
        setError(null);
      },
      (e: unknown) => setError(toPlainError(e)),
    );

  useEffect(() => {
    void load();
  }, []);

  useEffect(() => {
    if (status === null) return;
    document.body.dataset.ready = 'true';
    if (performance.getEntriesByName('clvlens:popup-ready').length === 0) performance.mark('clvlens:popup-ready');
  }, [status]);

  const shop = status?.shops.find((s) => s.shopDomain === selected) ?? status?.shops[0] ?? null;

  const syncNow = async () => {
    if (!shop) return;
    setSyncing(true);
    try {
      await sendRequest({ type: 'sync.now', shopDomain: shop.shopDomain });
    } catch (e) {
      setError(toPlainError(e));
    } finally {
      setSyncing(false);
      await load();
    }
  };

  return (
    <main class="popup" lang={t.locale} dir={t.dir}>
      <h1>CLV Lens</h1>
      {error && (
        <p class="error" role="alert" data-testid="popup-error">
          {errorText(t, error)}
        </p>
      )}
      {status?.notices.map((n) => (
        <p class="notice" role="status" key={n.id}>
          {noticeText(t, n)}
        </p>
      ))}
      {status && status.notices.length > 0 && (
        <button type="button" class="link" onClick={() => void sendRequest({ type: 'notices.dismiss' }).then(load)}>
          {t.t('ext.popup.dismiss')}
        </button>
      )}
      {status === null && !error && <p class="muted">{t.t('ext.popup.loading')}</p>}
      {status && status.shops.length === 0 && (
        <p data-testid="connection">
          {t.t('ext.popup.notConnected')}{' '}
          <a href="#" onClick={(e) => (e.preventDefault(), void browser.runtime.openOptionsPage())}>
            {t.t('ext.popup.connect')}
          </a>
        </p>
      )}
      {status && status.shops.length > 1 && (
        <label>
          {t.t('ext.popup.shop')}{' '}
          <select value={shop?.shopDomain} onChange={(e) => setSelected((e.target as HTMLSelectElement).value)}>
            {status.shops.map((s) => (
              <option value={s.shopDomain} key={s.shopDomain}>
                {s.shopDomain}
              </option>
            ))}
          </select>
        </label>
      )}
      {shop && <ShopView shop={shop} onSync={() => void syncNow()} syncing={syncing || shop.syncState === 'syncing'} />}
    </main>
  );
}
