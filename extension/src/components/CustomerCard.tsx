import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../i18n/error-text.ts';
import { ui } from '../i18n/ui-locale.ts';
import { sendRequest } from '../messages/client.ts';
import { customerFacts, describeDue } from '../utils/customer-facts.ts';
import { viewerTimeZone } from '../utils/format.ts';
import type { CustomerView } from './Badge.tsx';
import { Sparkline } from './Sparkline.tsx';

export interface CustomerCardProps {
  view: CustomerView;
  /** Wall clock, UTC epoch ms: "today" for the expected date and the days since the last order. */
  nowMs: number;
  /** Which page the card is on: on an order page it says whose card it is. */
  subject?: 'customer' | 'order';
  /** The store, to read the customer's name live (order pages; held in memory only). */
  storeHandle?: string;
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div class="stat" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** The customer's display name, read live through the app for an order page's card; never stored. */
function useCustomerName(storeHandle: string | undefined, customerId: string | null): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    setName(null);
    if (!storeHandle || customerId === null) return;
    let live = true;
    sendRequest({ type: 'customers.names', storeHandle, customerIds: [customerId] }).then(
      (r) => live && setName(r?.names?.[customerId] ?? null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [storeHandle, customerId]);
  return name;
}

/** The card on a customer or order page: risk and its reasons, value, cadence, segment, history. */
export function CustomerCard({ view, nowMs, subject = 'customer', storeHandle }: CustomerCardProps) {
  const t = ui();
  const customerId = view.state === 'found' ? view.customer.customerId : null;
  const name = useCustomerName(subject === 'order' ? storeHandle : undefined, customerId);
  if (view.state !== 'found') {
    const text =
      view.state === 'loading'
        ? t.t('ext.card.loading')
        : view.state === 'not-connected'
          ? t.t('ext.card.notConnected')
          : view.state === 'guest'
            ? t.t('ext.card.guest')
            : view.pending
              ? t.t('ext.card.pending')
              : t.t('ext.card.missing');
    return (
      <section class="card placeholder" data-state={view.state} aria-label={t.t('ext.card.aria')} lang={t.locale} dir={t.dir}>
        <h2>CLV Lens</h2>
        <p>{text}</p>
      </section>
    );
  }
  const c = view.customer;
  // The shop's zone, as the admin beside the card shows its dates (the viewer's only when the app did not send it).
  const tz = view.timeZone ?? viewerTimeZone();
  const f = customerFacts(t, c, nowMs, tz);
  const due = describeDue(t, f.due);
  const late = f.due.kind === 'late' ? f.due.days : null;
  return (
    <section
      class={`card tier-${f.tone}`}
      data-state="found"
      data-tier={c.churnTier}
      data-new={c.newCustomer ? 'true' : undefined}
      data-subject={subject}
      aria-label={t.t('ext.card.aria')}
      lang={t.locale}
      dir={t.dir}
    >
      <header>
        <h2>CLV Lens</h2>
        {subject === 'order' && (
          <span class="whose" data-testid="card-whose">
            {name === null ? t.t('ext.card.forOrderCustomerUnnamed') : t.t('ext.card.forOrderCustomer', { name })}
          </span>
        )}
        <span class="pill" tabIndex={0} title={f.chance} data-testid="risk-pill">
          <span class="dot" aria-hidden="true" />
          {f.headline}
        </span>
        {c.isRepeat && <span class="pill neutral">↻ {t.t('ext.card.repeat')}</span>}
        {late !== null && (
          // Late and low risk is a customer a little past their rhythm: said plainly, not as an alarm.
          <span class={`pill ${c.churnTier === 'low' ? 'mild' : 'warn'}`} data-testid="late-pill">
            {c.churnTier === 'low' ? '' : '! '}
            {t.t('ext.card.late', { days: late })}
          </span>
        )}
      </header>
      <p class="chance" data-testid="churn-chance">
        {c.confidence === 'low' ? t.t('ext.card.roughEstimate', { chance: f.chance }) : f.chance}
      </p>
      {f.reasons.length > 0 && (
        <ul class="reasons-inline" data-testid="reasons">
          {f.reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      )}
      <p class="note" data-testid="risk-note">
        {c.newCustomer ? t.t('ext.card.newNote') : t.t('ext.card.tierNote')}
      </p>
      <dl class="stats">
        <Stat
          label={t.t('term.predictedClv')}
          value={c.predictedClvMinor === null ? t.t('ext.value.noModel') : t.money(c.predictedClvMinor, c.currency)}
          testId="stat-predicted"
        />
        <Stat label={t.t('term.historicClv')} value={t.money(c.historicClvMinor, c.currency)} testId="stat-historic" />
        <Stat label={t.t('ext.card.stat.orders')} value={t.number(c.orderCount)} testId="stat-orders" />
        <Stat label={t.t('term.aov')} value={t.money(c.averageOrderValueMinor, c.currency)} />
        <Stat
          label={t.t('ext.card.stat.sinceLast')}
          value={f.daysSinceLastOrder === null ? '—' : t.t('unit.days', { n: f.daysSinceLastOrder })}
          testId="stat-since"
        />
        <Stat label={t.t('ext.card.stat.nextExpected')} value={due ?? '—'} testId="stat-next" />
        <Stat label={t.t('ext.card.stat.segment')} value={f.segment} testId="stat-segment" />
      </dl>
      {f.notCounted && (
        <p class="note not-counted" data-testid="not-counted">
          {f.notCounted}
        </p>
      )}
      {c.confidence === 'low' && <p class="note">{t.t('ext.card.lowConfidence')}</p>}
      {view.problem && (
        <p class="note stale" role="status" data-testid="stale">
          {t.t('ext.card.stale', { problem: errorText(t, view.problem) })}
        </p>
      )}
      <div class="history">
        <span class="history-label">{t.t('ext.card.history')}</span>
        <Sparkline orders={c.orderHistory} timeZone={tz} />
      </div>
    </section>
  );
}
