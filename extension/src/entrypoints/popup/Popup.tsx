import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { ChurnTrendChart } from '../../components/ChurnTrendChart.tsx';
import type { ShopStatus } from '../../messages/protocol.ts';
import { sendRequest } from '../../messages/client.ts';
import type { ResponseMap } from '../../messages/protocol.ts';
import { customerAdminUrl } from '../../utils/admin-urls.ts';
import { describeChurnChance, formatMoney, formatPercent, formatTimeAgo, CHURN_TIER_LABEL, formatDays } from '../../utils/format.ts';
import type { ChurnBacktestSummaryV1 } from '@clvlens/core';
import type { PlainError } from '../../errors.ts';
import { toPlainError } from '../../errors.ts';

type Status = ResponseMap['status.get'];

/**
 * "How right we were", in two sentences: who ordered again per tier on the shop's own past, and the ranking quality
 * against sorting by days since the last order.
 */
export function describeBacktest(bt: ChurnBacktestSummaryV1): string[] {
  const again = (tier: 'low' | 'high') => bt.tiers.find((t) => t.tier === tier);
  const high = again('high');
  const low = again('low');
  const lines: string[] = [];
  if (high && low) {
    lines.push(
      `Checked on your past orders: ${formatPercent(high.orderedAgainShare)} of customers we rated high risk ordered again within ${formatDays(bt.horizonDays)}, against ${formatPercent(low.orderedAgainShare)} of low risk.`,
    );
  }
  if (bt.auc !== null && bt.daysSinceLastOrderAuc !== null) {
    lines.push(`Ranking quality (AUC) ${bt.auc.toFixed(2)}, against ${bt.daysSinceLastOrderAuc.toFixed(2)} for days since last order.`);
  }
  return lines;
}

function ShopView({ shop, onSync, syncing }: { shop: ShopStatus; onSync: () => void; syncing: boolean }) {
  const s = shop.summary;
  const now = Date.now();
  return (
    <div class="shop" data-shop={shop.shopDomain}>
      <p class="connection" data-testid="connection">
        <span class={`status-dot ${shop.syncState}`} aria-hidden="true" />
        {shop.syncState === 'error' ? 'Sync problem' : shop.syncState === 'syncing' ? 'Syncing…' : 'Connected'} ·{' '}
        <strong>{shop.shopDomain}</strong>
      </p>
      {shop.lastError && (
        <p class="error" role="alert" data-testid="shop-error">
          {shop.lastError.message}
        </p>
      )}
      <p class="muted" data-testid="last-sync">
        Last sync: {shop.lastSyncAtMs === null ? 'never' : formatTimeAgo(shop.lastSyncAtMs, now)} ·{' '}
        <span data-testid="cached-count">{shop.cachedCustomers.toLocaleString()}</span> customers cached
      </p>
      {s ? (
        <>
          <dl class="kpis">
            <div>
              <dt>Repeat rate ({s.repeatPurchaseRate.windowDays} d)</dt>
              <dd data-testid="repeat-rate">{formatPercent(s.repeatPurchaseRate.value)}</dd>
            </div>
            <div>
              <dt>Average CLV</dt>
              <dd data-testid="average-clv">{formatMoney(s.averageClvMinor, s.currency)}</dd>
            </div>
            <div>
              <dt>Churn 30 / 60 / 90 d</dt>
              <dd data-testid="churn">
                {formatPercent(s.churn.d30)} / {formatPercent(s.churn.d60)} / {formatPercent(s.churn.d90)}
              </dd>
            </div>
          </dl>
          <ChurnTrendChart trend={s.churnTrend} />
          {s.churnBacktest && (
            <div class="backtest" data-testid="backtest">
              <h2>How right we were</h2>
              {describeBacktest(s.churnBacktest).map((line, i) => (
                <p class="muted" key={i}>
                  {line}
                </p>
              ))}
            </div>
          )}
          <h2>Valuable customers at risk</h2>
          {s.topAtRisk.length === 0 ? (
            <p class="muted">No valuable customer at risk.</p>
          ) : (
            <ol class="at-risk" data-testid="at-risk">
              {s.topAtRisk.slice(0, 5).map((c) => (
                <li key={c.customerId}>
                  <a href={customerAdminUrl(shop.storeHandle, c.customerId)} target="_blank" rel="noreferrer">
                    Customer {c.customerId}
                  </a>{' '}
                  <span class={`tier-text tier-${c.churnTier}`}>{CHURN_TIER_LABEL[c.churnTier]}</span> ·{' '}
                  {formatMoney(c.historicClvMinor, s.currency)} · {describeChurnChance(c.churnProbability, s.churnHorizonDays)}
                  {c.daysSinceLastOrder !== null && ` · ${formatDays(c.daysSinceLastOrder)} since last order`}
                </li>
              ))}
            </ol>
          )}
        </>
      ) : (
        <p class="muted">No summary yet: press Sync now.</p>
      )}
      <button type="button" onClick={onSync} disabled={syncing} data-testid="sync-now">
        {syncing ? 'Syncing…' : 'Sync now'}
      </button>
    </div>
  );
}

/** The toolbar popup: the shop's retention at a glance. */
export function Popup() {
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
    <main class="popup">
      <h1>CLV Lens</h1>
      {error && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
      {status?.notices.map((n) => (
        <p class="notice" role="status" key={n.id}>
          {n.message}
        </p>
      ))}
      {status && status.notices.length > 0 && (
        <button type="button" class="link" onClick={() => void sendRequest({ type: 'notices.dismiss' }).then(load)}>
          Dismiss notices
        </button>
      )}
      {status === null && !error && <p class="muted">Loading…</p>}
      {status && status.shops.length === 0 && (
        <p data-testid="connection">
          Not connected.{' '}
          <a href="#" onClick={(e) => (e.preventDefault(), void browser.runtime.openOptionsPage())}>
            Connect a shop
          </a>
        </p>
      )}
      {status && status.shops.length > 1 && (
        <label>
          Shop{' '}
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
