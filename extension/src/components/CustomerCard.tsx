import {
  CHURN_TIER_LABEL,
  formatDate,
  formatDays,
  formatMoney,
  formatPercent,
  formatRelativeDays,
  formatSegment,
} from '../utils/format.ts';
import type { CustomerView } from './Badge.tsx';
import { Sparkline } from './Sparkline.tsx';

export interface CustomerCardProps {
  view: CustomerView;
  /** Wall clock, UTC epoch ms; used only when the record does not say which moment its numbers describe. */
  nowMs: number;
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** The card near the header of a customer or order page: value, risk and its reasons, cadence, segment, history. */
export function CustomerCard({ view, nowMs }: CustomerCardProps) {
  if (view.state !== 'found') {
    const text =
      view.state === 'loading'
        ? 'Loading…'
        : view.state === 'not-connected'
          ? 'This shop is not connected to CLV Lens. Connect it from the extension options.'
          : 'No CLV Lens data for this customer yet (new customer, guest order, or not synced).';
    return (
      <section class="card placeholder" data-state={view.state} aria-label="CLV Lens customer insight">
        <h2>CLV Lens</h2>
        <p>{text}</p>
      </section>
    );
  }
  const c = view.customer;
  // "Expected in N days" counts from the moment the app's numbers describe (its asOf), like daysSinceLastOrder does.
  const asOfMs = c.lastOrderAtMs !== null && c.daysSinceLastOrder !== null ? c.lastOrderAtMs + c.daysSinceLastOrder * 86_400_000 : nowMs;
  return (
    <section class={`card tier-${c.churnTier}`} data-state="found" data-tier={c.churnTier} aria-label="CLV Lens customer insight">
      <header>
        <h2>CLV Lens</h2>
        <span class="pill" tabIndex={0} title={`${formatPercent(c.churnProbability)} churn probability`}>
          <span class="dot" aria-hidden="true" />
          {CHURN_TIER_LABEL[c.churnTier]}
        </span>
        {c.isRepeat && <span class="pill neutral">↻ Repeat customer</span>}
        {c.overdue && <span class="pill warn">! Next order overdue</span>}
      </header>
      <dl class="stats">
        <Stat label="Historic CLV" value={formatMoney(c.historicClvMinor, c.currency)} />
        <Stat
          label="Predicted CLV (12 months)"
          value={c.predictedClvMinor === null ? 'No model yet' : formatMoney(c.predictedClvMinor, c.currency)}
        />
        <Stat label="Chance still active" value={formatPercent(c.pAlive)} />
        <Stat label="Orders" value={String(c.orderCount)} />
        <Stat label="Average order" value={formatMoney(c.averageOrderValueMinor, c.currency)} />
        <Stat label="Since last order" value={c.daysSinceLastOrder === null ? '—' : formatDays(c.daysSinceLastOrder)} />
        <Stat
          label="Next order expected"
          value={
            c.expectedNextOrderAtMs === null
              ? '—'
              : `${formatDate(c.expectedNextOrderAtMs)} (${formatRelativeDays(c.expectedNextOrderAtMs, asOfMs)})`
          }
        />
        <Stat label="Segment" value={formatSegment(c.rfmSegment)} />
      </dl>
      {c.churnReasons.length > 0 && (
        <div class="reasons">
          <h3>Why {CHURN_TIER_LABEL[c.churnTier].toLowerCase()}</h3>
          <ul>
            {c.churnReasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {c.confidence === 'low' && <p class="note">Low confidence: the shop has little data, so a simple cadence rule was used.</p>}
      <div class="history">
        <span class="history-label">Orders</span>
        <Sparkline orders={c.orderHistory} />
      </div>
    </section>
  );
}
